"""Running the township notebook for one data file: papermill, export, and the output files.

The data file is read and checked here first, so an unusable input stops before a kernel starts
and nothing is written for it. Outputs are written only once all of them are ready.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import nbformat
import papermill
from papermill.translators import PythonTranslator, papermill_translators

from .checks import run_checks
from .crossyear import load_previous
from .engine import NAME as FORK
from .export import PAGES, export_html
from .findings import ERROR, Finding
from .io import DataFileError, read_report
from .params import DEFAULT_NOTEBOOK as NOTEBOOK
from .paths import UnsafeName, report_stem, write_outputs
from .unit import DEFAULT_ENGINE, ERRORS, FAILED, OK, UNUSABLE

EXIT_CODES = {OK: 0, ERRORS: 1, FAILED: 1, UNUSABLE: 2}
ENGINES = {"kernel": None, "fork": FORK}       # papermill engine names (None: nbclient, a kernel)


@dataclass
class Outcome:
    source: Path
    status: str
    message: str = ""                       # why it is unusable or failed (Chinese)
    findings: list[Finding] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    seconds: float = 0.0


class ReadablePython(PythonTranslator):
    """Parameters as plain Python literals: Chinese stays Chinese in the audit notebook
    (papermill's own translator writes \\uXXXX escapes)."""

    @classmethod
    def translate_str(cls, val):
        return repr(val)


papermill_translators.register("python", ReadablePython)


def kernel_name() -> str:
    """The project's kernel when registered (make setup does), else the interpreter's own."""
    from jupyter_client.kernelspec import KernelSpecManager
    return "nianbao" if "nianbao" in KernelSpecManager().find_kernel_specs() else "python3"


def execute(data_path: Path, notebook: Path = NOTEBOOK, previous_path: Path | None = None,
            **options) -> nbformat.NotebookNode:
    """Run the notebook for one data file (options: engine, attempts, execution_timeout)."""
    parameters = {"data_path": str(data_path)}
    if previous_path is not None and "previous_path" in notebook_parameters(notebook):
        parameters["previous_path"] = str(previous_path)
    return run_notebook(notebook, parameters, **options)


def run_notebook(notebook: Path, parameters: dict, attempts: int = 1,
                 engine: str = DEFAULT_ENGINE, **options) -> nbformat.NotebookNode:
    """papermill with the project's kernel; a kernel that fails to start is tried again.

    engine "kernel" starts a Jupyter kernel (papermill's own engine); "fork" runs the notebook in
    a child of this warm process (engine.py): same notebook, same HTML, a fraction of the cost.
    """
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {tuple(ENGINES)}")
    for attempt in range(1, attempts + 1):
        try:
            return papermill.execute_notebook(
                str(notebook), None, parameters=parameters, engine_name=ENGINES[engine],
                kernel_name=kernel_name(), progress_bar=False, log_output=False,
                # the kernel's own notices (e.g. "running over TCP" at start, "KeyboardInterrupt caught"
                # when jupyter_client interrupts it on shutdown) are not the user's business
                extra_arguments=["--IPKernelApp.log_level=CRITICAL"], **options)
        except Exception as exc:
            if attempt == attempts or not kernel_start_failed(exc):
                raise
            time.sleep(0.5 * attempt)


@cache
def notebook_parameters(notebook: Path) -> frozenset[str]:
    return frozenset(papermill.inspect_notebook(str(notebook)))


def kernel_start_failed(exc: BaseException) -> bool:
    """A kernel that did not come up (port collision, slow start) — worth another try, unlike
    an error in a cell, a kernel that died while running, or a cell timeout."""
    import zmq
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    return (isinstance(exc, (RuntimeError, TimeoutError, zmq.ZMQError))
            and not isinstance(exc, (DeadKernelError, CellTimeoutError, PapermillExecutionError)))


def render(data_path: Path, title: str, notebook: Path = NOTEBOOK, previous_path: Path | None = None,
           attempts: int = 3, **options) -> tuple[nbformat.NotebookNode, dict[str, str]]:
    """The executed notebook and its two pages; a kernel that fails to start is tried again."""
    nb = execute(data_path, notebook, previous_path, attempts=attempts, **options)
    return nb, {page: export_html(nb, page, title) for page in PAGES}


def failure_message(source: Path | str, exc: BaseException) -> str:
    reason = getattr(exc, "ename", type(exc).__name__)
    return f"{source}：报告生成失败（{reason}: {str(exc)[:300]}）"


def run_one(data_path: str | Path, out_root: str | Path = "output",
            notebook: Path = NOTEBOOK, engine: str = DEFAULT_ENGINE) -> Outcome:
    source = Path(data_path)
    started = time.perf_counter()
    try:
        report = read_report(source)
        stem = report_stem(Path(out_root), report.county, report.year, report.short_name)
    except DataFileError as exc:
        return Outcome(source, UNUSABLE, str(exc))
    except UnsafeName as exc:
        return Outcome(source, UNUSABLE, f"{source}：{exc}")
    previous = load_previous(report)        # last year's file in the same data tree, if any
    findings = run_checks(report, previous.report)
    try:
        nb, pages = render(source.resolve(), report.title, notebook,
                           previous.path.resolve() if previous.report else None, engine=engine)
    except Exception as exc:  # a notebook error or a dead kernel: this unit fails, others go on
        return Outcome(source, FAILED, failure_message(source, exc),
                       findings, seconds=time.perf_counter() - started)
    outputs = write_outputs(stem, nbformat.writes(nb), pages)
    status = ERRORS if any(f.severity == ERROR for f in findings) else OK
    return Outcome(source, status, "", findings, outputs, time.perf_counter() - started)
