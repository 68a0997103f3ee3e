"""Running the township notebook for one data file: papermill (a kernel or the fork engine),
then the export of its two pages."""
from __future__ import annotations

import time
from functools import cache
from pathlib import Path

import nbformat
import papermill

from ..io.params import DEFAULT_NOTEBOOK as NOTEBOOK
from .engine import NAME as FORK
from .export import export_files
from .job import DEFAULT_ENGINE
from .translator import ReadablePython  # noqa: F401  (registers itself with papermill)

ENGINES = {"kernel": None, "fork": FORK}       # papermill engine names (None: nbclient, a kernel)


def kernel_name() -> str:
    """The project's kernel when registered (make setup does), else the interpreter's own."""
    from jupyter_client.kernelspec import KernelSpecManager
    return "nianbao" if "nianbao" in KernelSpecManager().find_kernel_specs() else "python3"


def execute(data_path: Path, notebook: Path = NOTEBOOK, previous_path: Path | None = None,
            context: str = "", **options) -> nbformat.NotebookNode:
    """Run the notebook for one data file (options: engine, attempts, execution_timeout);
    `context` (checks.Context as JSON) when the notebook takes it."""
    parameters = {"data_path": str(data_path)}
    if previous_path is not None and "previous_path" in notebook_parameters(notebook):
        parameters["previous_path"] = str(previous_path)
    if context and "context" in notebook_parameters(notebook):
        parameters["context"] = context
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
           attempts: int = 3, context: str = "", documents: bool = True,
           **options) -> tuple[nbformat.NotebookNode, dict[str, str | bytes], list[str]]:
    """The executed notebook, its files (export_files: suffix → content; the PDF and the Word
    file unless documents=False) and what could not be made; a kernel that fails to start is
    tried again."""
    nb = execute(data_path, notebook, previous_path, context, attempts=attempts, **options)
    return (nb, *export_files(nb, title, documents))


def failure_message(source: Path | str, exc: BaseException) -> str:
    """What went wrong, where: the error's type and message and, for an error in a cell, which
    cell (its number and first line). Not papermill's text, which opens with a banner and the
    traceback; the whole traceback stays in the executed notebook."""
    if hasattr(exc, "ename") and hasattr(exc, "cell_index"):      # PapermillExecutionError
        lines = [line.strip() for line in (exc.source or "").splitlines() if line.strip()]
        first = _cut(lines[0], 60) if lines else ""
        where = f"第{exc.cell_index + 1}个单元格" + (f"“{first}”" if first else "")
        return f"{source}：报告生成失败，{where}出错（{exc.ename}: {_cut(str(exc.evalue), 300)}）"
    text = " ".join(str(exc).split())
    return f"{source}：报告生成失败（{type(exc).__name__}{': ' + _cut(text, 300) if text else ''}）"


def failure_traceback(exc: BaseException) -> str:
    """The whole traceback (of the cell, for an error in the notebook), without colours."""
    import re
    import traceback
    lines = getattr(exc, "traceback", None) or traceback.format_exception(exc)
    return re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(line.rstrip("\n") for line in lines))


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit] + "…"
