"""Ctrl-C in the middle of a batch: the kernels die, no file is half-written, a rerun finishes."""
import json
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import psutil
import pytest

from conftest import BIN, ROOT
from test_batch import make_tree

UNIT_SECONDS = 3      # each unit's notebook waits this long: the interrupt surely comes midway


def slow_batch(tmp_path) -> Path:
    """A params file running the three units with the township notebook plus a wait: the batch is
    fast enough that, without it, the last units could finish before the signal arrives."""
    make_tree(tmp_path, ("新城街道", "黄寨镇", "姚集镇"))
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell(f"import time\ntime.sleep({UNIT_SECONDS})"))
    nbformat.write(nb, tmp_path / "slow.ipynb")
    params = tmp_path / "params" / "商水县" / "2020.yaml"
    params.parent.mkdir(parents=True)
    params.write_text("data: ../../data/商水县/2020\nnotebook: ../../slow.ipynb\n", encoding="utf-8")
    return params


@pytest.mark.parametrize("engine", ["kernel", "fork"])
def test_interrupt_midway_leaves_no_partial_file_and_no_kernel(tmp_path, engine):
    params = slow_batch(tmp_path)
    out = tmp_path / "out"
    reports = out / "商水县" / "2020"
    batch = subprocess.Popen([str(BIN / "nianbao"), "run", str(params), "--out", str(out), "--workers", "1",
                              "--engine", engine, "--pages-only"],
                             cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started, seen = time.monotonic(), {}
    try:
        while not list(reports.glob("*.public.html")):
            assert batch.poll() is None, batch.communicate()
            assert time.monotonic() - started < 300, "no report appeared"
            _descendants(batch.pid, seen)
            time.sleep(0.05)
        _descendants(batch.pid, seen)
        batch.send_signal(signal.SIGINT)
        _, stderr = batch.communicate(timeout=60)
    finally:
        if batch.poll() is None:
            batch.kill()
    assert batch.returncode == 130, stderr
    assert "已中断" in stderr and "Traceback" not in stderr
    kernels = [pid for pid, cmd in seen.items() if "ipykernel" in cmd]
    assert bool(kernels) == (engine == "kernel"), seen     # fork: no kernel, forked children only
    assert seen, "the test should have seen the worker the batch started"
    assert not [pid for pid in seen if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not list(tmp_path.rglob("*.tmp"))
    done_before = {p.name for p in reports.glob("*.html")}
    for html in done_before:                       # what is there is whole
        assert html.endswith(".html") and (reports / html).read_text(encoding="utf-8").rstrip().endswith("</html>")
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    finished = {u["short_name"] for u in run["units"]}
    assert finished and finished < {"新城街道", "黄寨镇", "姚集镇"}

    rerun = subprocess.run([str(BIN / "nianbao"), "run", str(params), "--out", str(out), "--pages-only"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 1, rerun.stderr           # 黄寨镇 has data errors
    assert f"新生成{3 - len(finished)}份，未变化跳过{len(finished)}份" in rerun.stderr
    for name in ("新城街道", "黄寨镇", "姚集镇"):
        assert (reports / f"{name}.html").is_file() and (reports / f"{name}.public.html").is_file()
    assert (reports / "index.html").is_file() and (reports / "summary.html").is_file()
    assert not list(tmp_path.rglob("*.tmp"))


def _descendants(pid: int, seen: dict[int, str]) -> None:
    """Every process the batch started so far, with its command line."""
    for proc in psutil.Process(pid).children(recursive=True):
        try:
            seen.setdefault(proc.pid, " ".join(proc.cmdline()))
        except psutil.Error:
            pass
