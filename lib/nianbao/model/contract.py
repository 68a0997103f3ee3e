"""The top level of a data file (the data contract: model/editions/README.md): which items it has. Kept
apart from model/report.py so that a process that only tells data files from params files (the
batch's client) need not import pandas."""
from __future__ import annotations

META_REQUIRED = ("unit", "short_name", "county", "year")
META_OPTIONAL = ("level", "edition", "published", "demo", "source")
# import_notes: what `nianbao import` noticed about the page it read (deviations, ambiguous
# splits with their candidates); for people, ignored by the readers.
TOP_LEVEL = (*META_REQUIRED, *META_OPTIONAL, "narrative", "proactive", "requests", "appeals", "import_notes")
