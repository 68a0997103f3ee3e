"""The batch: every unit of the targets, in parallel and incrementally; outputs per county-year.

The client (this module) reads every input and writes every output; workers — local processes
or Dask workers — only compute (unit.build_unit). So a file is only ever written here, each one
atomically, and only from a finished unit: an interrupted or failed unit leaves the earlier
output as it was.
"""
from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import time
from collections import Counter, deque
from dataclasses import dataclass
from pathlib import Path

from ..errors import EXIT_INTERRUPTED, DataFileError, UnsafeName, display_path, unreadable
from ..io import read_input
from ..io.params import Unit, read_earlier
from ..notebook.job import DEFAULT_ENGINE, ERRORS, FAILED, OK, UNUSABLE, Job, Result, SummaryJob
from ..notebook.pool import Pool, WorkerLost, kill_descendants
from ..site import record, site
from ..site.county_index import open_counts, write_index
from ..site.lock import output_lock
from ..site.paths import DOCUMENTS, OUTPUTS, report_stem, safe_component, write_outputs
from .context import contexts
from .summaries import Summaries

DEFAULT_TIMEOUT = 600.0


@dataclass
class Planned:
    unit: Unit
    key: str
    inputs: dict                  # what run.json says about the unit's inputs
    old: dict | None              # the unit's record from the previous run, if any
    old_folder: Path | None
    job: Job | None = None        # None: skipped (unchanged) or unreadable
    error: str | None = None      # why an input could not be read


def say(message: str) -> None:
    from tqdm import tqdm
    tqdm.write(message, file=sys.stderr)


def say_failure(rec: dict) -> None:
    """One line per failed unit (a file with several problems lists them on that line)."""
    say("；".join(rec["message"].splitlines()))


def _input(path: Path | None, digest: str | None) -> dict | None:
    return None if path is None else {"path": str(path), "sha256": digest}


def _outputs_exist(folder: Path, old: dict) -> bool:
    return all((folder / name).is_file() for name in (old.get("outputs") or {}).values())


def _has_documents(old: dict) -> bool:
    return all(OUTPUTS[suffix] in (old.get("outputs") or {}) for suffix in DOCUMENTS)


def plan(units: list[Unit], runs: dict[Path, dict], force: bool, documents: bool = True,
         peers: list[Unit] | None = None) -> list[Planned]:
    """Each unit's key and job (None: unchanged). `peers`: all units of the targets when only
    some run (--only); the contexts are made over them, as in a whole run."""
    known = {rec["source"]: (folder, rec) for folder, run in runs.items() for rec in run.get("units", [])}
    notebooks: dict[Path, tuple[bytes, str]] = {}      # read and hashed once, not per unit
    read: dict[Path, tuple[bytes, bytes | None]] = {}
    earlier: dict[Path, tuple[bytes, ...]] = {}       # the years before last year's
    errors: dict[Path, str] = {}
    for unit in units:
        try:                             # bounded: a huge file or a device is refused, not read
            read[unit.source] = read_input(unit.source), read_input(unit.previous) if unit.previous else None
            earlier[unit.source] = read_earlier(unit.earlier)
            if unit.notebook not in notebooks:
                text = unit.notebook.read_bytes()
                notebooks[unit.notebook] = text, record.sha256(text)
        except DataFileError as exc:     # the data file or last year's file
            read.pop(unit.source, None)
            errors[unit.source] = str(exc)
        except OSError as exc:           # the notebook
            read.pop(unit.source, None)
            errors[unit.source] = f"{display_path(exc.filename or unit.source)}：无法读取（{unreadable(exc)}）"
    told = contexts(units, {source: data for source, (data, _) in read.items()}, peers)
    planned = []
    for i, unit in enumerate(units):
        old_folder, old = known.get(str(unit.source), (None, None))
        context = told[unit.source]
        if unit.source in errors or isinstance(context, str):     # a reviews file that cannot be used
            planned.append(Planned(unit, "", {}, old, old_folder, error=errors.get(unit.source, context)))
            continue
        data, previous = read[unit.source]
        notebook, notebook_sha = notebooks[unit.notebook]
        data_sha, previous_sha = record.sha256(data), record.sha256(previous)
        context_json = context.to_json()
        before = earlier[unit.source]
        before_sha = tuple(map(record.sha256, before))
        key = record.unit_key(data_sha, previous_sha, notebook_sha, record.sha256(context_json.encode()), before_sha)
        inputs = {"data": _input(unit.source, data_sha), "previous": _input(unit.previous, previous_sha),
                  "notebook": _input(unit.notebook, notebook_sha)}
        if before:
            inputs["earlier"] = [_input(p, d) for p, d in zip(unit.earlier, before_sha)]
        item = Planned(unit, key, inputs, old, old_folder)
        unchanged = (old is not None and old.get("key") == key and old["status"] in (OK, ERRORS, UNUSABLE)
                     and _outputs_exist(old_folder, old) and (_has_documents(old) or not documents))
        if force or not unchanged:
            item.job = Job(str(unit.source), display_path(unit.source), data, notebook, str(unit.notebook),
                           previous, str(unit.previous) if unit.previous else None,
                           display_path(unit.previous) if unit.previous else None, i, context_json,
                           documents, tuple((str(p), display_path(p), b) for p, b in zip(unit.earlier, before)))
        planned.append(item)
    return planned


def select(units: list[Unit], only: list[str], runs: dict[Path, dict]) -> list[Unit]:
    """--only NAME: by file name (without suffix) or by the short name of an earlier run."""
    if not only:
        return units
    recorded = {rec["source"]: rec.get("short_name") for run in runs.values() for rec in run.get("units", [])}
    short = {str(u.source): recorded.get(str(u.source)) for u in units}
    names = {u.source.stem for u in units} | set(short.values())
    for unit in units:       # a whole read of a file for its short name, only while a name is unknown
        if names.issuperset(only):
            break
        if unit.source.stem not in only and str(unit.source) not in recorded:
            short[str(unit.source)] = _short_name(unit.source)
            names.add(short[str(unit.source)])
    chosen = [u for u in units if u.source.stem in only or short[str(u.source)] in only]
    found = {u.source.stem for u in chosen} | {short[str(u.source)] for u in chosen}
    missing = [name for name in only if name not in found]
    if missing:
        raise LookupError("、".join(missing))
    return chosen


def _short_name(source: Path) -> str | None:
    from ..io import read_report
    try:
        return read_report(source).short_name
    except Exception:        # any problem is the unit's own, reported when it runs
        return None


# ---- executing the jobs: warm servers, locally or inside Dask workers; the same work function ----

def local_results(jobs: deque, workers: int, timeout_of, engine: str):
    """(job, Result | SummaryResult | why it was lost); `jobs` may grow while this runs."""
    from .unit import warm, work
    pool = Pool(functools.partial(work, from_bytes=False, engine=engine), workers,
                warm=functools.partial(warm, engine))
    try:
        for job, outcome in pool.run(jobs, timeout_of):
            yield job, outcome if not isinstance(outcome, WorkerLost) else str(outcome)
        pool.close()
    finally:
        pool.kill()                      # on an interrupt: the workers and their notebooks


def dask_results(jobs: deque, scheduler: str, workers: int, timeout_of, engine: str):
    """The same on a Dask cluster: each job runs in a warm server of a Dask worker (cluster.py)."""
    from distributed import Client, as_completed

    from .cluster import NAME, WarmServers, local_cluster, run_job
    cluster = None
    if scheduler == "local":
        cluster = local_cluster(workers)
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        client.register_plugin(WarmServers(engine), name=NAME)   # the servers start warming now
        futures: dict = {}
        finished = as_completed()

        def submit():
            while jobs:
                job = jobs.popleft()
                future = client.submit(run_job, job, timeout_of(job), pure=False)
                futures[future] = job
                finished.add(future)
        submit()
        for future in finished:
            job = futures.pop(future)
            try:
                yield job, future.result()
            except Exception as exc:     # the Dask worker died or the task could not run
                yield job, f"集群任务失败（{type(exc).__name__}: {exc}）"
            submit()                     # work added while the result was read
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


# ---- records and the files the client writes ----

def _folder(out_root: Path, county, year) -> Path | None:
    try:
        return Path(out_root).resolve() / safe_component(county, "县名") / str(int(year))
    except (UnsafeName, TypeError, ValueError):
        return None


def _record(item: Planned, result: Result | str | None, out_root: Path, claimed: dict) -> tuple[Path | None, dict]:
    unit, old = item.unit, item.old or {}
    hint = unit.group or (old.get("county"), old.get("year"))
    base = {"source": str(unit.source), "display": display_path(unit.source), "key": item.key,
            "inputs": item.inputs, "built": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "skipped": False}
    if result is None:                                   # unreadable input
        return _folder(out_root, *hint), {**base, "status": UNUSABLE, "message": item.error}
    if isinstance(result, str):                          # the worker was lost (crash, timeout)
        result = Result(str(unit.source), FAILED, f"{display_path(unit.source)}：报告生成失败，{result}")
    rec = {**base, "status": result.status, "message": result.message, "county": result.county,
           "year": result.year, "short_name": result.short_name, "unit": result.unit, "level": result.level,
           "demo": result.demo, "findings": result.findings, **open_counts(result.findings),
           "ratios": result.ratios, "seconds": round(result.seconds, 3)}
    if result.values is not None:                        # the county summary adds these up
        rec.update(edition=result.edition, amount_units=result.amount_units, values=result.values)
    if result.traceback:                                 # the message is short; the record keeps all
        rec["traceback"] = result.traceback
    if result.county is None:
        rec.update(county=old.get("county"), year=old.get("year"), short_name=old.get("short_name"))
    folder = _folder(out_root, rec["county"], rec["year"]) if rec["county"] else _folder(out_root, *hint)
    if result.status in (OK, ERRORS):
        stem = report_stem(out_root, result.county, result.year, result.short_name)
        if claimed.setdefault(stem, unit.source) != unit.source:
            rec.update(status=UNUSABLE, message=f"{display_path(unit.source)}：简称“{result.short_name}”与"
                                                f"{display_path(claimed[stem])}相同，报告会互相覆盖，请改用不同的简称")
            return folder, rec
        try:
            paths = write_outputs(stem, result.notebook, result.pages)
        except OSError as exc:                           # the unit's failure, not the batch's
            rec.update(status=FAILED, message=f"{display_path(unit.source)}：报告文件无法写入（{unreadable(exc)}）")
            return folder, rec
        rec |= {"outputs": {name: path.name for name, path in paths.items()}, site.PENDING: True}  # site.publish's
        if result.document_problems:              # the pages are there; the PDF or Word file is not
            rec["document_problems"] = result.document_problems
            rec["message"] = "；".join(filter(None, [rec["message"], *result.document_problems]))
    elif old.get("outputs") and item.old_folder == folder and _outputs_exist(folder, old):
        rec["outputs"] = old["outputs"]                  # the good earlier report stays, and is linked
        rec |= {site.PENDING: True} if old.get(site.PENDING) else {}     # and its publication, if due
        rec["message"] += "（仍保留上次生成的报告）"
    return folder, rec


def _group_content(folder: Path, records: list[dict], old_run: dict, started: float) -> dict:
    first = next((r for r in records if r.get("county")), {})
    return {"county": first.get("county", folder.parent.name), "year": first.get("year", folder.name),
            "generated": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 3), "versions": record.versions(),
            "package": record.package_fingerprint(), "summary": old_run.get("summary"), "units": records}


def run(units: list[Unit], out: str | Path = "output", workers: int | None = None,
        scheduler: str | None = None, force: bool = False, timeout: float = DEFAULT_TIMEOUT,
        engine: str | None = None, documents: bool = True, peers: list[Unit] | None = None) -> int:
    """Build every unit that changed, write the county-year outputs; returns the exit code.
    `peers`: every unit of the targets when `units` are some of them (--only), for the contexts.
    One run per output folder at a time (site/lock.py): OutputBusy when another holds it."""
    with output_lock(Path(out)):
        return _run(units, out, workers, scheduler, force, timeout, engine, documents, peers)


def _run(units, out, workers, scheduler, force, timeout, engine, documents, peers=None) -> int:
    from tqdm import tqdm
    started = time.perf_counter()
    out_root = Path(out)
    runs = record.load_all(out_root)
    planned = plan(units, runs, force, documents, peers)
    jobs = deque(p.job for p in planned if p.job is not None)
    by_source = {p.job.source: p for p in planned if p.job is not None}
    workers = max(1, min(workers or os.cpu_count() or 1, len(jobs) or 1))

    def timeout_of(job: Job | SummaryJob) -> float:
        return (by_source[job.source].unit.timeout if isinstance(job, Job) else None) or timeout

    claimed: dict[Path, Path] = {}
    records: dict[str, tuple[Path | None, dict]] = {}
    for p in planned:
        if p.error is not None:
            records[str(p.unit.source)] = _record(p, None, out_root, claimed)
            say_failure(records[str(p.unit.source)][1])
        elif p.job is None:
            rec = {**p.old, "skipped": True}
            records[str(p.unit.source)] = (p.old_folder, rec)
            if rec["status"] == UNUSABLE:
                say_failure(rec)
            if rec.get("short_name") and rec["status"] in (OK, ERRORS):
                claimed[report_stem(out_root, rec["county"], rec["year"], rec["short_name"])] = p.unit.source
    interrupted = False
    bar = tqdm(total=len(jobs), desc="生成报告", unit="份", file=sys.stderr, disable=None)
    summaries = Summaries(jobs, from_bytes=bool(scheduler), force=force)    # asked for in the same queue
    # the folder each running unit is filed under (None: not known): a county-year is complete,
    # and its summary asked for, when no running unit is filed under it
    running = Counter(_folder(out_root, *by_source[j.source].unit.group) if by_source[j.source].unit.group
                      else None for j in jobs)
    if not jobs:
        summaries.ask(_groups(records, runs, planned, started))
    # the pool (or the cluster) only when there is work: an unchanged batch starts nothing
    results = (iter(()) if not jobs else
               dask_results(jobs, scheduler, workers, timeout_of, engine or DEFAULT_ENGINE) if scheduler else
               local_results(jobs, workers, timeout_of, engine or DEFAULT_ENGINE))
    try:
        for job, result in results:
            if isinstance(job, SummaryJob):
                summaries.done(job, result)
                continue
            item = by_source[job.source]
            folder, rec = _record(item, result, out_root, claimed)
            records[job.source] = (folder, rec)
            if rec["status"] in (FAILED, UNUSABLE) or rec.get("document_problems"):
                say_failure(rec)
            bar.update()
            running[_folder(out_root, *item.unit.group) if item.unit.group else None] -= 1
            if not +running:             # every unit done: the summaries not yet asked for
                bar.close()
                summaries.ask(_groups(records, runs, planned, started))
            elif None not in +running:   # county-years complete while others still run
                complete = summaries.ready({f for f, _ in records.values() if f is not None}, +running)
                if complete:
                    summaries.ask(_groups(records, runs, planned, started, only=complete))
    except KeyboardInterrupt:
        interrupted = True
        kill_descendants()               # whatever this command started (workers, a Dask LocalCluster)
    finally:
        bar.close()
        if hasattr(results, "close"):    # interrupted or stopped by an error (a full disk): the pool goes
            results.close()
    if interrupted:
        _groups(records, runs, planned, started)      # run.json with the units finished so far
        say(f"已中断：完成{sum(1 for _, r in records.values() if not r['skipped'])}份，"
            f"未完成的单位下次运行时继续。")
        return EXIT_INTERRUPTED
    summaries_failed = 0
    for folder, content in summaries.contents.items():  # findings.csv, index.html, the final run.json
        summary = content["summary"] or {}
        summaries_failed += _said(summary)
        write_index(folder, content["county"], content["year"], content["units"], summary.get("status") == OK)
        record.write(folder, content)
    for problem in site.publish(out_root, runs, summaries.contents):   # home, search, navigation, open data
        say(problem)
    return _report(records, units, len(by_source), summaries_failed)


def _said(summary: dict) -> int:
    """1 when the summary failed (its reason said on stderr), else 0."""
    if summary.get("status") == FAILED and summary.get("message"):
        say(summary["message"])
        return 1
    return 0


def _groups(records, runs, planned, started, only: set[Path] | None = None) -> dict[Path, dict]:
    """Each touched county-year (or `only` these): its units (earlier ones that are still there
    kept) → run.json; returns each one's content."""
    groups: dict[Path, list[dict]] = {}
    for folder, rec in records.values():
        if folder is not None:
            groups.setdefault(folder, []).append(rec)
    for p in planned:                       # a unit that moved to another county-year
        if p.old_folder is not None:
            groups.setdefault(p.old_folder, [])
    order = {str(p.unit.source): i for i, p in enumerate(planned)}
    contents = {}
    for folder, recs in groups.items():
        if only is not None and folder not in only:
            continue
        recs.sort(key=lambda r: order[r["source"]])
        old_run = runs.get(folder, {})
        mine = {r["source"] for r in recs}
        kept = [r for r in old_run.get("units", [])
                if r["source"] not in mine and r["source"] not in records and Path(r["source"]).is_file()]
        if all(r["status"] == UNUSABLE for r in recs + kept) and not (folder / record.RUN_JSON).exists():
            continue                        # nothing usable: no county-year folder just to say so
        content = contents[folder] = _group_content(folder, recs + kept, old_run, started)
        record.write(folder, content)
    return contents


def _report(records, units, built: int, summaries_failed: int) -> int:
    statuses = [r["status"] for _, r in records.values()]
    counts = {s: statuses.count(s) for s in (OK, ERRORS, FAILED, UNUSABLE)}
    skipped = sum(r.get("skipped", False) for _, r in records.values())
    folders = sorted({f for f, _ in records.values() if f is not None and (f / "index.html").exists()})
    say(f"共{len(units)}个单位：新生成{built}份，未变化跳过{skipped}份；通过{counts[OK]}，有错误{counts[ERRORS]}，"
        f"失败{counts[FAILED]}，无法使用{counts[UNUSABLE]}。"
        + "".join(f"\n  → {display_path(f / 'index.html')}" for f in folders)
        + "".join(f"\n  → {display_path(h)}（首页，可查找单位）" for h in {site.home_of(f) for f in folders} - {None}))
    if not units or counts[UNUSABLE] == len(statuses):
        return 2
    incomplete = sum(bool(r.get("document_problems")) for _, r in records.values())
    if incomplete:
        say(f"其中{incomplete}份报告的PDF或Word文件未能生成（网页已生成，原因见上）。")
    return 0 if counts[OK] == len(statuses) and not summaries_failed and not incomplete else 1
