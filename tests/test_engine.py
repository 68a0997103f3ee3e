"""The fork engine: the same outputs as a real kernel, and every notebook isolated from the next."""
import base64
import builtins
import gc
import os
import re
import sys

import matplotlib
import nbformat
import papermill
import pytest
from bs4 import BeautifulSoup
from IPython.core.interactiveshell import InteractiveShell
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from nbformat.v4 import new_code_cell, new_notebook
from papermill.exceptions import PapermillExecutionError, strip_color

from conftest import SEED, nianbao, replace_line, seed_text
from nianbao.batch.unit import run_one
from nianbao.notebook import export
from nianbao.notebook.engine import NAME
from nianbao.notebook.inprocess import OutStream
from nianbao.notebook.job import FAILED
from nianbao.render import sections

ZERO = "commercial: 0, research: 0, social_welfare: 0, legal_service: 0, other_org: 0"
PNG = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


def notebook(path, *sources, tags=None):
    """A notebook of code cells; the first is the parameters cell."""
    cells = [new_code_cell('data_path = ""', metadata={"tags": ["parameters"]})]
    cells += [new_code_cell(s, metadata={"tags": tags} if tags else {}) for s in sources]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "nianbao", "language": "python",
                                                            "display_name": "nianbao (Python 3)"}})
    nbformat.write(nb, path)
    return path


def run(path, engine=NAME, **kwargs):
    return papermill.execute_notebook(str(path), None, engine_name=engine, progress_bar=False,
                                      kernel_name="nianbao", **kwargs)


def outputs(nb):
    return [(c.execution_count, c.outputs) for c in nb.cells if c.cell_type == "code"]


def stdout_of(nb, index):
    return "".join(o.text for o in nb.cells[index].outputs if o.output_type == "stream" and o.name == "stdout")


@pytest.fixture(scope="module")
def with_errors(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "商水县" / "2020" / "姚集镇.yaml"
    path.parent.mkdir(parents=True)
    text = replace_line(seed_text(), r"^  withheld_process:", f"  withheld_process: {{natural_person: 1, {ZERO}, total: 1}}")
    path.write_text(replace_line(text, r"^  review:", '  review: {upheld: 0, corrected: 0, other: 0, pending: "<b>x</b>", total: 0}'),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("data", ["seed", "with_errors"])
def test_fork_pages_are_byte_identical_to_the_kernel_pages(data, with_errors, tmp_path):
    source = SEED if data == "seed" else with_errors
    pages = {}
    for engine in ("kernel", "fork"):
        done = nianbao("run", source, "--out", tmp_path / engine, "--engine", engine)
        assert done.returncode == (0 if data == "seed" else 1), done.stderr
        folder = tmp_path / engine / "商水县" / "2020"
        pages[engine] = {k: (folder / f"姚集镇{k}").read_bytes() for k in (".html", ".public.html")}
        nb = nbformat.read(folder / "姚集镇.ipynb", as_version=4)   # the executed notebook is kept
        pages[engine]["outputs"] = outputs(nb)
        pages[engine]["language_info"] = nb.metadata.language_info
    assert pages["fork"] == pages["kernel"]
    # the charts are in both, as PNG without a timestamp or a software version
    images = [base64.b64decode(m) for m in PNG.findall(pages["fork"][".html"].decode())]
    assert len(images) == 3
    assert not [i for i in images if b"tIME" in i or b"Software" in i]


def test_every_kind_of_output_is_shaped_as_the_kernel_shapes_it(tmp_path):
    path = notebook(
        tmp_path / "probe.ipynb",
        "print('out'); print('out2')",
        "import sys\nprint('err', file=sys.stderr)",
        "from IPython.display import display, HTML, Markdown\ndisplay(HTML('<b>x</b>'), Markdown('*m*'))\n{'a': 1}",
        "import pandas as pd\npd.DataFrame({'a': [1, 2]}, index=['x', 'y'])",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [3, 1, 2])\nplt.title('inline')",
        "x = 1  # no output",
        "import matplotlib, hashlib\nraw = {k: repr(v) for k, v in dict.items(matplotlib.rcParams) if k != 'backend'}\n"
        "print(hashlib.sha1(repr(sorted(raw.items())).encode()).hexdigest(), dict.__getitem__(matplotlib.rcParams, 'backend'))\n"
        "print(sorted(k for k in globals() if not k.startswith('_')))",
        "import sys\nprint(__IPYTHON__, __name__, sys.modules['__main__'].__dict__ is globals(),"
        " get_ipython().execution_count, display.__module__)",
        "undefined_name",
    )
    kernel = _executed(path, None)
    fork = _executed(path, NAME)
    assert outputs(fork) == outputs(kernel)
    kinds = [o.output_type for _, outs in outputs(fork) for o in outs]
    assert kinds == ["stream", "stream", "display_data", "display_data", "execute_result", "execute_result",
                     "execute_result", "display_data", "stream", "stream", "error"]
    assert fork.metadata.language_info == kernel.metadata.language_info


def _executed(path, engine):
    out = path.with_suffix(f".{engine}.ipynb")
    with pytest.raises(PapermillExecutionError) as failed:
        papermill.execute_notebook(str(path), str(out), engine_name=engine, progress_bar=False, kernel_name="nianbao")
    assert (failed.value.ename, failed.value.evalue) == ("NameError", "name 'undefined_name' is not defined")
    return nbformat.read(out, as_version=4)


def test_nothing_one_notebook_does_reaches_the_next(tmp_path):
    path = notebook(
        tmp_path / "polluter.ipynb",
        "import json, os, matplotlib, nianbao.render.sections\n"
        "print(json.dumps(['leak' in globals(), matplotlib.rcParams['lines.linewidth'],"
        " hasattr(nianbao.render.sections, 'patched'), os.environ.get('NIANBAO_LEAK')]))",
        "leak = 1\nmatplotlib.rcParams['lines.linewidth'] = 9\nnianbao.render.sections.patched = True\n"
        "nianbao.render.sections.header = lambda report: 'patched'\nos.environ['NIANBAO_LEAK'] = 'yes'",
    )
    main = sys.modules["__main__"]
    first, second = run(path), run(path)
    assert stdout_of(first, 1) == stdout_of(second, 1) == "[false, 1.5, false, null]\n"
    # nor the process that forked them, nor the next township's report
    assert matplotlib.rcParams["lines.linewidth"] == 1.5 and not hasattr(sections, "patched")
    assert "NIANBAO_LEAK" not in os.environ
    # the shell the children run in was built here (engine.warm), and left nothing behind
    assert sys.modules["__main__"] is main and not InteractiveShell.initialized()
    assert not {"__IPYTHON__", "display"} & builtins.__dict__.keys()
    assert not isinstance(sys.stdout, OutStream)
    outcome = run_one(SEED, tmp_path / "out", engine="fork")
    assert outcome.status == "ok", outcome.message
    assert "姚集镇2020年政府信息公开工作年度报告" in outcome.outputs[1].read_text(encoding="utf-8")


@pytest.mark.parametrize("crash, reason", [
    ("import os\nos._exit(3)", "exit code 3"),
    ("import ctypes\nctypes.string_at(0)", "signal SIGSEGV"),
])
def test_a_crashing_notebook_fails_alone(crash, reason, tmp_path):
    path = notebook(tmp_path / "crash.ipynb", "x = 1", crash, "print('never')")
    with pytest.raises(DeadKernelError, match=reason):
        run(path)
    outcome = run_one(SEED, tmp_path / "out", notebook=path, engine="fork")
    assert outcome.status == FAILED and "DeadKernelError" in outcome.message and reason in outcome.message
    assert not (tmp_path / "out").exists()                   # nothing written for it
    assert run_one(SEED, tmp_path / "out", engine="fork").status == "ok"   # and the next one runs


def test_a_cell_error_is_papermills_execution_error(tmp_path):
    path = notebook(tmp_path / "error.ipynb", "x = 1", "raise ValueError('坏数据')", "print('never')")
    out = tmp_path / "executed.ipynb"
    with pytest.raises(PapermillExecutionError) as failed:
        papermill.execute_notebook(str(path), str(out), engine_name=NAME, progress_bar=False)
    error = failed.value
    assert (error.ename, error.evalue, error.exec_count, error.cell_index) == ("ValueError", "坏数据", 3, 2)
    assert any("raise ValueError('坏数据')" in strip_color(line) for line in error.traceback)
    nb = nbformat.read(out, as_version=4)                     # saved with papermill's error marker
    assert nb.cells[0].metadata.tags == ["papermill-error-cell-tag"]
    assert nb.cells[-1].outputs == [] and nb.cells[-1].metadata.papermill.status == "pending"


def test_a_cell_allowed_to_fail_does_not_stop_the_notebook(tmp_path):
    # as with a kernel: the cells after it run, and papermill still reports the error at the end
    path = notebook(tmp_path / "allowed.ipynb", "1/0", tags=["raises-exception"])
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell("print('after')"))
    nbformat.write(nb, path)
    with pytest.raises(PapermillExecutionError, match="ZeroDivisionError"):
        papermill.execute_notebook(str(path), str(tmp_path / "out.ipynb"), engine_name=NAME, progress_bar=False)
    done = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert stdout_of(done, len(done.cells) - 1) == "after\n"


def test_a_cell_past_the_timeout_is_killed(tmp_path):
    pid_file = tmp_path / "pid"
    path = notebook(tmp_path / "loop.ipynb", f"import os\nopen({str(pid_file)!r}, 'w').write(str(os.getpid()))\n"
                                             "while True:\n    pass")
    with pytest.raises(CellTimeoutError):
        run(path, execution_timeout=1)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


def test_the_exporters_are_built_once_per_process(tmp_path):
    run_one(SEED, tmp_path / "a", engine="fork")
    before = export.exporter.cache_info()
    run_one(SEED, tmp_path / "b", engine="fork")
    run_one(SEED, tmp_path / "c", engine="fork")
    after = export.exporter.cache_info()
    assert (after.misses, after.hits) == (before.misses, before.hits + 4)


def test_reading_and_checking_again_and_again_keeps_nothing():
    # a batch worker reads thousands of files: a leak here (it kept ~1,400 YAML nodes per read)
    # grows its memory with every township
    from nianbao.checks import run_checks
    from nianbao.io import read_report
    for _ in range(3):
        run_checks(read_report(SEED))
    gc.collect()
    before = len(gc.get_objects())
    for _ in range(10):
        run_checks(read_report(SEED))
    gc.collect()
    assert len(gc.get_objects()) - before < 100


@pytest.mark.parametrize("engine", ["fork", "kernel"])
def test_the_forked_notebook_renders_the_report_its_parent_read(engine, tmp_path):
    """Read once: the unit's data file is read and checked by the worker (for findings.csv), and
    the forked notebook renders that very report. Here the notebook deletes the file before it
    loads the report: with the fork engine the page is still whole; a kernel must read the file
    itself, and cannot."""
    from nianbao.batch.unit import build
    from nianbao.checks import check_file
    data = tmp_path / "商水县" / "2020" / "姚集镇.yaml"
    data.parent.mkdir(parents=True)
    data.write_text(seed_text(), encoding="utf-8")
    expected = check_file(data)
    nb = nbformat.read(SEED.parents[3] / "notebooks" / "township_report.ipynb", as_version=4)
    cell = new_code_cell("import os\nos.remove(data_path)")
    cell.id = "remove-data"
    nb.cells.insert(1, cell)
    nbformat.write(nb, tmp_path / "deleting.ipynb")
    result = build(str(data), data, tmp_path / "deleting.ipynb", None, display="姚集镇.yaml", engine=engine)
    assert not data.exists()
    if engine == "kernel":
        assert result.status == FAILED and "DataFileError" in result.message, result.message
        return
    assert result.status == "ok", result.message
    page = BeautifulSoup(result.pages[".html"], "html.parser")          # the review page
    assert page.find("h1").get_text() == expected.report.title
    assert f"全部{len(expected.coverage.ran)}项检查通过" in page.select_one("section.findings").get_text()
    assert len(page.select("figure.chart img")) == 3


@pytest.mark.parametrize("first", ["nianbao.notebook.engine", "papermill"])
def test_the_engine_and_papermill_import_in_either_order_and_papermill_run_by_hand_uses_it(first, tmp_path):
    """papermill loads its `papermill.engine` entry points while it is imported; importing the
    engine first used to have papermill look for ForkEngine in the half-imported engine.py."""
    import subprocess

    from conftest import BIN, ROOT
    notebook = tmp_path / "hello.ipynb"
    nbformat.write(new_notebook(cells=[new_code_cell("name = ''", metadata={"tags": ["parameters"]}),
                                       new_code_cell("print('你好，' + name)")],
                                metadata={"kernelspec": {"name": "python3", "language": "python",
                                                         "display_name": "Python 3"}}), notebook)
    code = (f"import {first}\nimport papermill\n"
            f"nb = papermill.execute_notebook({str(notebook)!r}, None, parameters={{'name': '姚集镇'}}, "
            "engine_name='nianbao-fork', progress_bar=False)\n"
            "print(nb.cells[1].source)\nprint(nb.cells[2].outputs[0].text, end='')")
    done = subprocess.run([str(BIN / "python"), "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = done.stdout.splitlines()
    assert "name = '姚集镇'" in lines and lines[-1] == "你好，姚集镇"    # readable, and run
