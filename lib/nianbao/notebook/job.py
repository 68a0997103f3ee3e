"""What the client sends a worker for one unit (Job) and what comes back (Result, a status).

Plain picklable data, light to import: the client never needs papermill to plan or record.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

OK, ERRORS, UNUSABLE, FAILED = "ok", "errors", "unusable", "failed"
# fork: the same HTML as a kernel (tests/test_engine.py) at a fraction of the cost; needs os.fork
DEFAULT_ENGINE = "fork" if hasattr(os, "fork") else "kernel"


@dataclass(frozen=True)
class Job:
    source: str                 # the data file as the client knows it (absolute path)
    display: str                # ... and as the user knows it (relative when below the cwd)
    data: bytes
    notebook: bytes
    notebook_source: str
    previous: bytes | None = None
    previous_source: str | None = None
    previous_display: str | None = None
    index: int = 0              # position in the batch
    context: str = ""           # checks.Context as JSON: what the batch tells the unit (batch/context.py)
    documents: bool = True      # also the PDF and the Word file (`nianbao run --pages-only`: not)
    earlier: tuple[tuple[str, str, bytes], ...] = ()   # the years before last year's: (source, display, bytes)


@dataclass
class Result:
    source: str
    status: str
    message: str = ""                       # why it is unusable or failed (Chinese)
    county: str | None = None
    year: int | None = None
    short_name: str | None = None
    unit: str | None = None
    level: str | None = None
    demo: bool = False
    findings: list[dict] = field(default_factory=list)
    notebook: str | None = None             # the executed notebook (JSON text)
    pages: dict[str, str | bytes] = field(default_factory=dict)   # suffix → page, PDF, Word file
    document_problems: list[str] = field(default_factory=list)  # which could not be made, why
    seconds: float = 0.0
    traceback: str | None = None            # a failed notebook's whole traceback, for run.json
    ratios: dict = field(default_factory=dict)       # the evaluators' ratios' parts (checks/ratios.py)
    edition: str | None = None              # what the county summary adds up, from the report the
    values: dict | None = None              # page shows (model.report.table_values) …
    amount_units: dict = field(default_factory=dict)  # … and the unit of each row's amount


@dataclass(frozen=True)
class SummaryJob:
    """A county-year's summary page, made by a worker from the run.json the client wrote."""
    folder: str                 # the county-year's output folder (the client's)
    display: str                # its summary.html as the user knows it (for a failure's message)
    run_json: bytes             # its run.json as the client wrote it
    notebook: bytes
    notebook_source: str
    data: dict[str, bytes] = field(default_factory=dict)   # from_bytes: each report's data file, by source
    earlier: dict[str, bytes] = field(default_factory=dict)  # the county's earlier years' run.json, by year


@dataclass
class SummaryResult:
    folder: str
    notebook: str | None = None     # the executed summary notebook (JSON text); None: it failed
    html: str | None = None
    message: str = ""               # why it failed (Chinese)
    seconds: float = 0.0
