"""One township's work, wherever it runs: a local worker process or a Dask worker.

`build_unit` takes the inputs as bytes (the client read them) and returns everything the client
must write, as plain picklable data; it writes nothing but a temporary copy of the inputs.
Both the local pool and Dask call it, so an engine or option added here reaches both.
`run_one` is the same work for one data file outside a batch, its files written.
"""
from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .job import DEFAULT_ENGINE, ERRORS, FAILED, OK, UNUSABLE, Job, Result
from .params import DEFAULT_NOTEBOOK
from .paths import report_stem, write_outputs


@dataclass
class Outcome:
    """One data file run on its own: a unit's result and the files written for it."""
    result: Result
    outputs: list[Path] = field(default_factory=list)

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def message(self) -> str:
        return self.result.message


def build_unit(job: Job, *, from_bytes: bool = True, cell_timeout: float | None = None,
               engine: str | None = None) -> Result:
    """Read, check, execute and export one unit. `from_bytes=False` runs the client's own files
    (a local worker shares the disk); otherwise a private copy in a temporary folder is used,
    and its name is replaced by the client's in everything returned."""
    options = {} if cell_timeout is None else {"execution_timeout": cell_timeout}
    if engine is not None:
        options["engine"] = engine
    if not from_bytes:
        previous = Path(job.previous_source) if job.previous_source else None
        return build(job.source, Path(job.source), Path(job.notebook_source), previous,
                     display=job.display, context=job.context, **options)
    with tempfile.TemporaryDirectory(prefix="nianbao-") as tmp:
        # the year folder is kept: the reader compares it with the file's `year:`
        data_path = Path(tmp) / "data" / Path(job.source).parent.name / Path(job.source).name
        data_path.parent.mkdir(parents=True)
        data_path.write_bytes(job.data)
        notebook = Path(tmp) / "township_report.ipynb"
        notebook.write_bytes(job.notebook)
        names = {str(data_path): job.display, str(notebook): job.notebook_source}
        previous = None
        if job.previous is not None:
            previous = Path(tmp) / "previous" / Path(job.source).name
            previous.parent.mkdir()
            previous.write_bytes(job.previous)
            names[str(previous)] = job.previous_display
        return build(job.source, data_path, notebook, previous, display=job.display, names=names,
                     context=job.context, **options)


def build(source: str, data_path: Path, notebook: Path, previous: Path | None, *, display: str,
          names: dict[str, str] | None = None, context: str = "", **options) -> Result:
    """One unit from files on disk: read, check, run the notebook, export its pages. `names`
    maps private file names to the ones the user knows, in everything returned; `context`
    (checks.Context as JSON) is what the batch tells the unit — without it, the data file's
    folder tells it (checks.context_beside)."""
    import nbformat

    from ..checks import Context, context_beside, run_checks
    from ..checks.ratios import parts
    from ..checks.crossyear import load_previous
    from ..errors import DataFileError, PreviousFileError, UnsafeName
    from ..io import read_report
    from ..model.findings import has_errors
    from ..render.audit import notebook_findings
    from .runner import failure_message, failure_traceback, render

    started = time.perf_counter()
    if options.get("engine", DEFAULT_ENGINE) == "fork":
        from .engine import warm
        warm()                   # once per process: children fork from a warm parent

    def relabel(text: str) -> str:
        for private, public in (names or {}).items():
            text = text.replace(private, public)
        return text

    try:
        report = read_report(data_path)
        report_stem(data_path.parent, report.county, report.year, report.short_name)  # a safe name
    except DataFileError as exc:
        return Result(source, UNUSABLE, relabel(str(exc)), seconds=time.perf_counter() - started)
    except UnsafeName as exc:
        return Result(source, UNUSABLE, f"{display}：{exc}", seconds=time.perf_counter() - started)
    except Exception as exc:     # the unit's failure boundary: no input may end the batch
        return Result(source, FAILED, relabel(f"{display}：读取时出现程序内部错误（{type(exc).__name__}: {exc}）"),
                      seconds=time.perf_counter() - started)
    result = Result(source, ERRORS, county=report.county, year=report.year,
                    short_name=report.short_name, unit=report.unit, level=report.level,
                    demo=report.demo)
    try:
        last_year = load_previous(report, previous)
    except PreviousFileError:   # unusable: the cross-year rules are skipped and the page says why
        last_year, previous = load_previous(report), None
    try:
        told = Context.from_json(context) if context else context_beside(report)
    except DataFileError as exc:            # reviews.yaml beside the file cannot be used
        return Result(source, UNUSABLE, relabel(str(exc)), seconds=time.perf_counter() - started)
    found = run_checks(report, last_year.report, told)
    result.ratios = parts(report)
    try:
        nb, pages = render(data_path, report.title, notebook, previous, context=told.to_json(), **options)
    except Exception as exc:   # a notebook error, a dead kernel, a cell timeout: this unit fails
        result.status, result.message = FAILED, relabel(failure_message(display, exc))
        result.traceback = relabel(failure_traceback(exc))
    else:
        found += notebook_findings(nb)      # a warning in a cell: also on the review page
        result.notebook = relabel(nbformat.writes(nb))
        result.pages = {page: relabel(html) for page, html in pages.items()}
        result.status = ERRORS if has_errors(found) else OK
    result.findings = [{**{k: (relabel(v) if isinstance(v, str) else v) for k, v in f.record().items()},
                        **({"review": f.review} if f.review else {})} for f in found]
    result.seconds = time.perf_counter() - started
    return result


def run_one(data_path: str | Path, out_root: str | Path = "output",
            notebook: Path = DEFAULT_NOTEBOOK, engine: str = DEFAULT_ENGINE) -> Outcome:
    """One data file, outside a batch: the unit's work (unit.build), then its files written."""
    source = Path(data_path)
    result = build(str(source), source, notebook, None, display=str(source), engine=engine)
    if result.notebook is None:
        return Outcome(result)
    stem = report_stem(Path(out_root), result.county, result.year, result.short_name)
    return Outcome(result, write_outputs(stem, result.notebook, result.pages))
