"""The county-years' summary pages, made by the warm workers while the batch runs.

A county-year's summary is asked for as soon as no unit still running is filed under its
folder (data/<county>/<year>/, or the params file's county-year), so it is made while the other
county-years' units still run; and again at the end only if the county-year's units turned out
otherwise (a unit whose data names another county-year). A summary whose units have not changed
since the last run is not made again, unless the run is forced (`--force`).
"""
from __future__ import annotations

import contextlib
import hashlib
import json
from collections import deque
from pathlib import Path

from ..errors import display_path
from ..io.files import atomic_write
from ..io.params import PROJECT
from ..notebook.job import ERRORS, FAILED, OK, SummaryJob, SummaryResult
from ..site import record

SUMMARY_NOTEBOOK = PROJECT / "notebooks" / "county_summary.ipynb"


def summary_key(records: list[dict], earlier: list[dict] = ()) -> str:
    """Its units' keys and statuses, and those of the county's earlier years (the county by year)."""
    digest = hashlib.sha256(json.dumps([(r["source"], r.get("key"), r["status"]) for r in records]).encode())
    for run in earlier:
        digest.update(json.dumps([(r["source"], r.get("key"), r["status"]) for r in run.get("units", [])]).encode())
    digest.update(SUMMARY_NOTEBOOK.read_bytes() + record.package_fingerprint().encode())
    return digest.hexdigest()


def _job(folder: Path, content: dict, key: str, from_bytes: bool, force: bool) -> SummaryJob | dict:
    """What summary.html needs: a job for a worker, or (unchanged and not forced, nothing to
    sum) its record."""
    old = content.get("summary") or {}
    if not force and old.get("key") == key and old.get("status") == OK and (folder / "summary.html").is_file():
        return old
    if not any(r["status"] in (OK, ERRORS) for r in content["units"]):
        return {"key": key, "status": FAILED, "message": "没有可汇总的报告"}
    data = {}
    for rec in content["units"]:            # a worker without our disk gets the data of a report
        if from_bytes and rec["status"] in (OK, ERRORS) and rec.get("values") is None:   # not recorded
            with contextlib.suppress(OSError):      # gone since: the summary says it is left out
                data[rec["source"]] = Path(rec["source"]).read_bytes()
    earlier = {}
    if from_bytes:                          # the county's earlier years, for the county by year
        for path in record.earlier_runs(folder):
            with contextlib.suppress(OSError):
                earlier[path.parent.name] = path.read_bytes()
    return SummaryJob(str(folder), display_path(folder / "summary.html"),
                      (folder / record.RUN_JSON).read_bytes(), SUMMARY_NOTEBOOK.read_bytes(),
                      str(SUMMARY_NOTEBOOK), data, earlier)


def _earlier(folder: Path) -> list[dict]:
    runs = []
    for path in record.earlier_runs(folder):
        with contextlib.suppress(OSError, ValueError):
            runs.append(json.loads(path.read_text(encoding="utf-8")))
    return runs


def _written(folder: Path, key: str, result: SummaryResult | str) -> dict:
    if isinstance(result, str):                     # the worker was lost (crash, timeout)
        result = SummaryResult(str(folder), message=f"{display_path(folder / 'summary.html')}：报告生成失败，{result}")
    if result.notebook is None:
        return {"key": None, "status": FAILED, "message": result.message}   # tried again next run
    atomic_write(folder / "summary.ipynb", result.notebook)
    atomic_write(folder / "summary.html", result.html)
    return {"key": key, "status": OK, "seconds": round(result.seconds, 3)}


class Summaries:
    """Summary jobs added to the batch's queue of jobs; their results written into the
    county-years' records (content["summary"], kept in run.json)."""

    def __init__(self, jobs: deque, from_bytes: bool, force: bool = False):
        self.jobs, self.from_bytes = jobs, from_bytes
        self.force = force                  # made again even when their units have not changed
        self.asked: dict[Path, tuple[str, SummaryJob | None]] = {}   # folder → (key, its latest job)
        self.made: dict[Path, tuple[str, dict]] = {}                 # folder → (key, summary record)
        self.contents: dict[Path, dict] = {}

    def ask(self, contents: dict[Path, dict]) -> None:
        """Each county-year's summary, unless it is made or being made for the same units."""
        for folder, content in contents.items():
            self.contents[folder] = content
            key = summary_key(content["units"], _earlier(folder))
            if folder in self.made and self.made[folder][0] == key:
                content["summary"] = self.made[folder][1]
            elif self.asked.get(folder, (None,))[0] != key:
                job = _job(folder, content, key, self.from_bytes, self.force)
                if isinstance(job, SummaryJob):
                    self.jobs.append(job)
                    self.asked[folder] = key, job
                else:                       # unchanged since the last run, or nothing to sum
                    self.asked[folder] = key, None
                    self.made[folder] = key, job
                    content["summary"] = job

    def ready(self, folders: set[Path], running) -> set[Path]:
        """The county-years not yet asked for whose units are done, and whose county's earlier
        years' units too: the county by year reads their run.json, written when they complete
        (asked before, a summary would be made with last run's numbers, then made again)."""
        return {f for f in folders - set(self.asked)
                if not any(r.parent == f.parent and r.name <= f.name for r in running)}

    def done(self, job: SummaryJob, result: SummaryResult | str) -> None:
        folder = Path(job.folder)
        key, latest = self.asked[folder]
        if job is latest:                   # (an earlier job of the folder: its units changed since)
            self.made[folder] = key, _written(folder, key, result)
            self.contents[folder]["summary"] = self.made[folder][1]
