"""The official editions of the report layout, read from the data files in editions/.

An Edition answers: which tables, rows and columns exist, their exact labels, the nesting of
merged headers, the type of each cell and the arithmetic rules. Everything else (reader, checks,
HTML tables, importer) asks the edition instead of knowing the layout itself.
"""
from __future__ import annotations

import operator
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import yaml

TABLES = ("proactive", "requests", "appeals")
# how a rule compares its two sides ("op" of an edition rule; "==" when absent)
OPERATORS = {"==": operator.eq, ">=": operator.ge}


def short_label(label: str) -> str:
    """（三）不予公开 → 不予公开; （二）部分公开（区分处理的…） → 部分公开."""
    label = re.sub(r"^（[一二三四五六七八九十]+）|^\d+\.", "", label)
    return re.sub(r"（[^）]*）$", "", label)


@dataclass(frozen=True)
class Line:
    """A row or column of a table: its id, its own label and the group labels above it."""
    id: str
    label: str
    groups: tuple[str, ...] = ()   # every merged label above it, outermost first (for layout)
    prefix: tuple[str, ...] = ()   # the groups that name it (a group of groups is only a heading)

    @property
    def full_label(self) -> str:
        """The label as a reader names it, e.g. （三）不予公开 1.属于国家秘密."""
        return " ".join([*self.prefix, self.label])


def header_spans(lines: tuple[Line, ...]) -> list[dict[int, tuple[str, int]]]:
    """For each line, {depth: (group label, lines it covers)} of the groups that start at it."""
    out = []
    for i, line in enumerate(lines):
        starts = {}
        for depth in range(len(line.groups)):
            prefix = line.groups[:depth + 1]
            if i == 0 or lines[i - 1].groups[:depth + 1] != prefix:
                count = 1
                while i + count < len(lines) and lines[i + count].groups[:depth + 1] == prefix:
                    count += 1
                starts[depth] = (line.groups[depth], count)
        out.append(starts)
    return out


@dataclass(frozen=True)
class Part:
    """A captioned sub-table of § 二 (proactive)."""
    caption: str
    rows: tuple[Line, ...]
    columns: tuple[Line, ...]


@dataclass(frozen=True)
class Table:
    id: str
    title: str
    rows: tuple[Line, ...]
    columns: tuple[Line, ...]
    cells: tuple[tuple[str, str], ...]          # every (row, column) of the edition, in form order
    spec: dict = field(repr=False, hash=False, compare=False)   # the raw layout, for renderers
    parts: tuple[Part, ...] = ()

    def row(self, row_id: str) -> Line:
        return next(r for r in self.rows if r.id == row_id)

    def column(self, column_id: str) -> Line:
        return next(c for c in self.columns if c.id == column_id)

    def columns_of(self, row_id: str) -> tuple[Line, ...]:
        """The columns a row has: all of them, except in § 二 where each part has its own."""
        for part in self.parts:
            if any(r.id == row_id for r in part.rows):
                return part.columns
        return self.columns

    def value_type(self, column_id: str) -> str:
        """count (non-negative integer), signed_count or amount (non-negative decimal)."""
        return self.spec.get("value_types", {}).get(column_id, "count")


@dataclass(frozen=True)
class Indicator:
    """A key indicator (新收申请, 行政诉讼, …): the sum of some cells of an edition. Its id is the
    same in every edition that has it, so years of two editions are compared by it."""
    id: str
    label: str
    cells: tuple[tuple[str, str, str], ...]     # (table, row, column)


@dataclass(frozen=True)
class Edition:
    id: str
    issued_by: str
    first_year: int
    last_year: int | None
    sections: tuple[tuple[str, str], ...]       # (id, heading)
    tables: dict[str, Table]
    rules: tuple[dict, ...]
    indicators: tuple[Indicator, ...] = ()
    trend_jump: dict = field(default_factory=dict, hash=False, compare=False)  # {ratio, difference}

    def covers(self, year: int) -> bool:
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    def heading(self, section_id: str) -> str:
        return dict(self.sections)[section_id]

    @property
    def cell_count(self) -> int:
        return sum(len(t.cells) for t in self.tables.values())


def _flatten(entries: list[dict], groups: tuple[str, ...] = (),
             prefix: tuple[str, ...] = ()) -> list[Line]:
    """Nested rows/columns ({group, rows|columns} or {id, label}) in form order."""
    out: list[Line] = []
    for entry in entries:
        if "group" in entry:
            children = entry.get("rows") or entry.get("columns")
            names = not any("group" in child for child in children)
            out += _flatten(children, groups + (entry["group"],),
                            prefix + (entry["group"],) if names else prefix)
        else:
            out.append(Line(entry["id"], entry["label"], groups, prefix))
    return out


def _table(table_id: str, spec: dict) -> Table:
    if "parts" in spec:
        parts = tuple(
            Part(p["caption"],
                 tuple(Line(k, v) for k, v in p["rows"].items()),
                 tuple(Line(k, v) for k, v in p["columns"].items()))
            for p in spec["parts"])
        rows = tuple(r for p in parts for r in p.rows)
        columns: dict[str, Line] = {}
        for p in parts:
            for c in p.columns:
                columns.setdefault(c.id, c)
        cells = tuple((r.id, c.id) for p in parts for r in p.rows for c in p.columns)
        return Table(table_id, spec["title"], rows, tuple(columns.values()), cells, spec, parts)
    rows = tuple(_flatten(spec["rows"]))
    cols = tuple(_flatten(spec["columns"]))
    cells = tuple((r.id, c.id) for r in rows for c in cols)
    return Table(table_id, spec["title"], rows, cols, cells, spec)


def _parse(data: dict) -> Edition:
    return Edition(
        id=str(data["id"]),
        issued_by=data["issued_by"],
        first_year=data["years"]["first"],
        last_year=data["years"]["last"],
        sections=tuple((s["id"], s["heading"]) for s in data["sections"]),
        tables={tid: _table(tid, data["tables"][tid]) for tid in TABLES},
        rules=tuple(data["rules"]),
        indicators=tuple(Indicator(i["id"], i["label"], tuple(tuple(c.split(".")) for c in i["cells"]))
                         for i in data.get("indicators", ())),
        trend_jump=dict(data.get("trend_jump") or {}),
    )


@cache
def load_edition(edition_id: str) -> Edition:
    """The edition with this id ("2019", "2021"); KeyError for an unknown one."""
    name = f"{edition_id}.yaml"
    folder = resources.files("nianbao.model") / "editions"
    if not (folder / name).is_file():
        raise KeyError(edition_id)
    return _parse(yaml.safe_load((folder / name).read_text(encoding="utf-8")))


@cache
def all_editions() -> tuple[Edition, ...]:
    folder = resources.files("nianbao.model") / "editions"
    ids = sorted(p.name.removesuffix(".yaml") for p in folder.iterdir() if p.name.endswith(".yaml"))
    return tuple(load_edition(i) for i in ids)


def edition_for(year: int) -> Edition:
    """The edition in force for a report year."""
    for edition in all_editions():
        if edition.covers(year):
            return edition
    raise LookupError(f"no edition covers the report year {year}")
