"""A worker's work, wherever it runs: a local warm server (notebook/pool.py) or one inside a Dask worker.

`work` runs one job: a unit (`build_unit`) or a county-year's summary page (`build_summary`).
Both take their inputs as bytes (the client read them) and return everything the client must
write, as plain picklable data; they write nothing but a temporary copy of the inputs.
The local pool and Dask call the same functions, so an engine or option added here reaches both.
`warm` is what a worker does once, as it starts. `run_one` is a unit's work for one data file
outside a batch, its files written.
"""
from __future__ import annotations

import json
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..io.params import DEFAULT_NOTEBOOK
from ..notebook.job import DEFAULT_ENGINE, ERRORS, FAILED, OK, UNUSABLE, Job, Result, SummaryJob, SummaryResult
from ..site.paths import report_stem, write_outputs


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


def warm(engine: str | None = None) -> None:
    """A worker's start, before its first job: import once what every job needs; with the fork
    engine also build what each forked notebook would otherwise build again (engine.warm)."""
    # jsonschema (imported by nbformat) imports rfc3987_syntax when it is installed (JupyterLab
    # brings it) to check "iri" formats, and that builds a Lark grammar at import: about 1.2 s of
    # every worker's start, for a format no notebook schema uses. Kept out while warming only.
    blocked = "rfc3987_syntax" not in sys.modules and "jsonschema" not in sys.modules
    if blocked:
        sys.modules["rfc3987_syntax"] = None
    try:
        from ..notebook import runner  # noqa: F401  (papermill, nbconvert, the summary's helpers)
        from ..site import county_summary  # noqa: F401  (papermill, nbconvert, the summary's helpers)
        if (engine or DEFAULT_ENGINE) == "fork":
            from ..notebook.engine import warm as warm_fork
            warm_fork()
    finally:
        if blocked:
            del sys.modules["rfc3987_syntax"]    # a notebook may still import it


def work(job: Job | SummaryJob, *, from_bytes: bool = True, engine: str | None = None):
    """One job in a worker: a unit's reports or a county-year's summary page."""
    if isinstance(job, SummaryJob):
        return build_summary(job, from_bytes=from_bytes, engine=engine)
    return build_unit(job, from_bytes=from_bytes, engine=engine)


def _relabel(text: str, names: dict[str, str] | None) -> str:
    for private, public in (names or {}).items():
        text = text.replace(private, public)
    return text


def build_summary(job: SummaryJob, *, from_bytes: bool = True, engine: str | None = None) -> SummaryResult:
    """summary.html and its executed notebook. `from_bytes=False` runs the client's own run.json
    and data files (a local worker shares the disk); otherwise private copies are used, with the
    client's names put back in everything returned."""
    from ..notebook.runner import failure_message
    from ..site.county_summary import render_summary
    from ..site.record import RUN_JSON
    started = time.perf_counter()
    engine = engine or DEFAULT_ENGINE
    try:
        if not from_bytes:
            notebook, html = render_summary(Path(job.folder) / RUN_JSON, Path(job.notebook_source), engine)
        else:
            with tempfile.TemporaryDirectory(prefix="nianbao-") as tmp:
                run = json.loads(job.run_json)
                names = {}
                for i, rec in enumerate(run["units"]):
                    if rec["source"] in job.data:
                        copy = Path(tmp) / "data" / str(i) / Path(rec["source"]).name
                        copy.parent.mkdir(parents=True)
                        copy.write_bytes(job.data[rec["source"]])
                        names[str(copy)], rec["source"] = rec["source"], str(copy)
                # <year>/run.json beside the earlier years' (county_summary finds them as siblings)
                run_json, nb_path = Path(tmp) / Path(job.folder).name / RUN_JSON, Path(tmp) / "county_summary.ipynb"
                run_json.parent.mkdir()
                run_json.write_text(json.dumps(run, ensure_ascii=False), encoding="utf-8")
                for year, data in job.earlier.items():
                    (Path(tmp) / year).mkdir(exist_ok=True)
                    (Path(tmp) / year / RUN_JSON).write_bytes(data)
                nb_path.write_bytes(job.notebook)
                names.update({str(run_json): str(Path(job.folder) / RUN_JSON), str(nb_path): job.notebook_source})
                notebook, html = (_relabel(text, names) for text in render_summary(run_json, nb_path, engine))
    except Exception as exc:        # a notebook error, a dead kernel: the summary fails, not the batch
        return SummaryResult(job.folder, message=failure_message(job.display, exc),
                             seconds=time.perf_counter() - started)
    return SummaryResult(job.folder, notebook, html, seconds=time.perf_counter() - started)


def build_unit(job: Job, *, from_bytes: bool = True, engine: str | None = None) -> Result:
    """Read, check, execute and export one unit. `from_bytes=False` runs the client's own files
    (a local worker shares the disk); otherwise a private copy in a temporary folder is used,
    and its name is replaced by the client's in everything returned."""
    options = {"documents": job.documents}
    if engine is not None:
        options["engine"] = engine
    if not from_bytes:
        previous = Path(job.previous_source) if job.previous_source else None
        return build(job.source, Path(job.source), Path(job.notebook_source), previous,
                     display=job.display, context=job.context, **options)
    with tempfile.TemporaryDirectory(prefix="nianbao-") as tmp:
        # the copies keep the last folders of the client's layout (<county>/<year>/<file>): the
        # reader compares the year folder with the file's `year:`, and what the page says about
        # last year's file is what the local pool's page says
        data_path = _private_copy(Path(tmp) / "data", job.source, job.data)
        notebook = Path(tmp) / "township_report.ipynb"
        notebook.write_bytes(job.notebook)
        names = {str(data_path): job.display, str(notebook): job.notebook_source}
        previous = None
        if job.previous is not None:
            root = Path(tmp) / ("data" if Path(job.previous_source).parent != Path(job.source).parent else "previous")
            previous = _private_copy(root, job.previous_source, job.previous)
            names[str(previous)] = job.previous_display
            for source, shown, data in job.earlier:    # beside it, where it finds them (crossyear.load_earlier)
                names[str(_private_copy(root, source, data))] = shown
        return build(job.source, data_path, notebook, previous, display=job.display, names=names,
                     context=job.context, **options)


def _private_copy(root: Path, source: str, data: bytes) -> Path:
    path = Path(source)
    copy = root / path.parent.parent.name / path.parent.name / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(data)
    return copy


def build(source: str, data_path: Path, notebook: Path, previous: Path | None, *, display: str,
          names: dict[str, str] | None = None, context: str = "", **options) -> Result:
    """One unit from files on disk: read, check, run the notebook, export its pages. `names`
    maps private file names to the ones the user knows, in everything returned; `context`
    (checks.Context as JSON) is what the batch tells the unit — without it, the data file's
    folder tells it (checks.context_beside)."""
    import nbformat

    from ..checks import Context, check_file, handed_over
    from ..checks.ratios import parts
    from ..errors import DataFileError, PreviousFileError, UnsafeName
    from ..model.findings import has_errors
    from ..model.report import table_values
    from ..notebook.audit import notebook_findings
    from ..notebook.runner import failure_message, failure_traceback, render

    started = time.perf_counter()
    if options.get("engine", DEFAULT_ENGINE) == "fork":
        from ..notebook.engine import warm
        warm()                   # once per process: children fork from a warm parent

    def relabel(text: str) -> str:
        return _relabel(text, names)

    told = Context.from_json(context) if context else None   # None: the file's folder tells it
    try:
        try:
            checked = check_file(data_path, previous, told)
        except PreviousFileError:   # unusable: the cross-year rules are skipped and the page says why
            previous = None
            checked = check_file(data_path, None, told)
        report = checked.report
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
    found = list(checked.findings)          # (the notebook's warnings are added to this list)
    result.ratios = parts(report)
    result.edition, result.values, result.amount_units = report.edition.id, table_values(report), dict(report.units)
    try:
        with handed_over(checked, data_path, previous):    # the forked notebook renders these
            nb, files, problems = render(data_path, report.title, notebook, previous,
                                         context=checked.context.to_json(), **options)
    except Exception as exc:   # a notebook error, a dead kernel, a cell timeout: this unit fails
        result.status, result.message = FAILED, relabel(failure_message(display, exc))
        result.traceback = relabel(failure_traceback(exc))
    else:
        found += notebook_findings(nb)      # a warning in a cell: also on the review page
        result.notebook = relabel(nbformat.writes(nb))
        result.pages = {suffix: relabel(content) if isinstance(content, str) else content
                        for suffix, content in files.items()}
        result.document_problems = [f"{display}：{relabel(problem)}" for problem in problems]
        result.status = ERRORS if has_errors(found) else OK
    result.findings = [{**{k: (relabel(v) if isinstance(v, str) else v) for k, v in f.record().items()},
                        **({"review": f.review} if f.review else {})} for f in found]
    result.seconds = time.perf_counter() - started
    return result


def run_one(data_path: str | Path, out_root: str | Path = "output",
            notebook: Path = DEFAULT_NOTEBOOK, engine: str = DEFAULT_ENGINE,
            documents: bool = True) -> Outcome:
    """One data file, outside a batch: the unit's work (unit.build), then its files written."""
    source = Path(data_path)
    result = build(str(source), source, notebook, None, display=str(source), engine=engine,
                   documents=documents)
    if result.notebook is None:
        return Outcome(result)
    stem = report_stem(Path(out_root), result.county, result.year, result.short_name)
    written = write_outputs(stem, result.notebook, result.pages)
    return Outcome(result, list(written.values()))
