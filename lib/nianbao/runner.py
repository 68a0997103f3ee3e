"""Running the township notebook for one data file: papermill, export, and the output files.

The data file is read and checked here first, so an unusable input stops before a kernel starts
and nothing is written for it. Outputs are written only once all of them are ready.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import papermill
from papermill.translators import PythonTranslator, papermill_translators

from .checks import run_checks
from .engine import NAME as FORK
from .export import export_html
from .findings import ERROR, Finding
from .io import DataFileError, read_report
from .paths import UnsafeName, atomic_write, report_stem

PROJECT = Path(__file__).resolve().parents[2]
NOTEBOOK = PROJECT / "notebooks" / "township_report.ipynb"
OK, ERRORS, UNUSABLE, FAILED = "ok", "errors", "unusable", "failed"
EXIT_CODES = {OK: 0, ERRORS: 1, FAILED: 1, UNUSABLE: 2}
ENGINES = {"kernel": None, "fork": FORK}       # papermill engine names (None: nbclient, a kernel)
# fork: the same HTML as a kernel (tests/test_engine.py) at a fraction of the cost; needs os.fork
DEFAULT_ENGINE = "fork" if hasattr(os, "fork") else "kernel"


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


def execute(data_path: Path, notebook: Path = NOTEBOOK, engine: str = DEFAULT_ENGINE,
            timeout: float | None = None) -> nbformat.NotebookNode:
    """Run the notebook for one data file: "kernel" starts a Jupyter kernel (papermill's own
    engine), "fork" runs it in a child of this warm process (engine.py); same notebook, same HTML."""
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {tuple(ENGINES)}")
    return papermill.execute_notebook(
        str(notebook), None, parameters={"data_path": str(data_path)},
        engine_name=ENGINES[engine], kernel_name=kernel_name(), progress_bar=False, log_output=False,
        execution_timeout=timeout,
        # the kernel's own start-up notices (e.g. "running over TCP") are not the user's business
        extra_arguments=["--IPKernelApp.log_level=ERROR"])


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
    findings = run_checks(report)
    try:
        nb = execute(source.resolve(), notebook, engine)
        pages = {page: export_html(nb, page, report.title) for page in ("review", "public")}
    except Exception as exc:  # a notebook error or a dead kernel: this unit fails, others go on
        reason = getattr(exc, "ename", type(exc).__name__)
        return Outcome(source, FAILED, f"{source}：报告生成失败（{reason}: {str(exc)[:300]}）",
                       findings, seconds=time.perf_counter() - started)
    outputs = [stem.parent / f"{stem.name}{suffix}" for suffix in (".ipynb", ".html", ".public.html")]
    atomic_write(outputs[0], nbformat.writes(nb))
    atomic_write(outputs[1], pages["review"])
    atomic_write(outputs[2], pages["public"])
    status = ERRORS if any(f.severity == ERROR for f in findings) else OK
    return Outcome(source, status, "", findings, outputs, time.perf_counter() - started)
