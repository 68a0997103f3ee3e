"""A row an older edition has where this edition has a group: 2019's single （六）其他处理 kept in
an otherwise 2021 table of 三 (offices fill last year's Word file in).

Such a page is read with that row in the group's place — the table and its rules as the edition
has them, the group's rows replaced by the one row (a rule over all of them takes the row for
their sum; a rule over some of them cannot run) — so the rows around it are counted right and
the row's values are checked like any other. The group's own rows are then determined only where
the arithmetic leaves one answer: a column whose total is 0 is 0 in each of them (counts are never
negative); every other cell stays missing, with the reason.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from ..model.edition import Edition, Line as Row, Table, all_editions
from .digits import Mark, split_run, tokens, value_run
from .page import compact, label_pattern


@dataclass(frozen=True)
class OldRow:
    table: str
    row: Row                     # the other edition's row, e.g. 2019's requests.other
    group: str                   # this edition's group label it stands for, e.g. （六）其他处理
    members: tuple[str, ...]     # the ids of the group's rows, in order


def old_rows(edition: Edition) -> list[OldRow]:
    """The rows other editions have where this one has a group of the same label."""
    out = []
    for tid, table in edition.tables.items():
        ours = {r.id for r in table.rows}
        groups = {compact(g): g for r in table.rows for g in r.groups}
        for other in all_editions():
            for row in other.tables[tid].rows:
                group = groups.get(compact(row.label))
                if row.id not in ours and group:
                    members = tuple(r.id for r in table.rows if group in r.groups)
                    if OldRow(tid, row, group, members) not in out:
                        out.append(OldRow(tid, row, group, members))
    return out


def kept_old_rows(edition: Edition, body: str, regions: dict[str, tuple[int, int]]) -> list[OldRow]:
    """The old rows this page keeps: the group's label stands in the table with one row of values
    after it, and none of the group's own rows' labels is on the page."""
    kept = []
    for old in old_rows(edition):
        if old.table not in regions:
            continue
        start, end = regions[old.table]
        table = edition.tables[old.table]
        if any(label_pattern(table.row(m).label).search(body, start, end) for m in old.members):
            continue
        kinds = [table.value_type(c.id) for c in table.columns_of(old.members[0])]
        for hit in label_pattern(old.group).finditer(body, start, end):
            run, _ = value_run(body[hit.end():end])
            if split_run(tokens(run), kinds):
                kept.append(old)
                break
    return kept


def with_old_rows(edition: Edition, kept: list[OldRow]) -> Edition:
    """The edition as the page lays it out: each kept old row in its group's place."""
    if not kept:
        return edition
    tables, rules = dict(edition.tables), list(edition.rules)
    for old in kept:
        table = tables[old.table]
        members = set(old.members)
        at = min(i for i, r in enumerate(table.rows) if r.id in members)
        rows = [r for r in table.rows if r.id not in members]
        rows.insert(at, Row(old.row.id, old.row.label, table.row(old.members[0]).groups[:-1]))
        columns = table.columns_of(old.members[0])
        first = min(i for i, (r, _) in enumerate(table.cells) if r in members)
        cells = [c for c in table.cells if c[0] not in members]
        cells[first:first] = [(old.row.id, c.id) for c in columns]
        tables[old.table] = dataclasses.replace(table, rows=tuple(rows), cells=tuple(cells))
        rules = [_collapsed(rule, old) for rule in rules]
    return dataclasses.replace(edition, tables=tables, rules=tuple(r for r in rules if r))


def _collapsed(rule: dict, old: OldRow) -> dict | None:
    """The rule with the old row for the group's rows; None when it uses only some of them."""
    if rule["table"] != old.table or rule["per"] != "column":
        return rule
    sides = {}
    for side in ("left", "right"):
        ids = list(rule[side])
        used = [i for i in ids if i in old.members]
        if used and len(used) != len(old.members):
            return None
        if used:
            at = ids.index(used[0])
            ids = [i for i in ids if i not in old.members]
            ids.insert(at, old.row.id)
        sides[side] = ids
    return {**rule, **sides}


def spread(old: OldRow, edition: Edition, reading: tuple | None) -> tuple[dict, dict, str]:
    """({(table, row, column): value} of the group's rows that the old row's values determine,
    {column: total}, the note that says so and why the others stay missing)."""
    table = edition.tables[old.table]
    columns = table.columns_of(old.members[0])
    title = table.title
    if reading is None:
        return {}, {}, (f"{title}：“{old.group}”是{_edition_of(old)}版格式的一行，其数值未能读出，"
                        f"{'、'.join(table.row(m).label for m in old.members)}按缺失处理")
    totals = {c.id: (v.text if isinstance(v, Mark) else v) for c, v in zip(columns, reading)}
    zero = [c for c, v in zip(columns, reading) if not isinstance(v, Mark) and v == 0]
    values = {(old.table, m, c.id): 0 for m in old.members for c in zero}
    shown = "、".join(f"{c.label}{totals[c.id]}" for c in columns)
    note = (f"{title}：“{old.group}”是{_edition_of(old)}版格式的一行（合计：{shown}），"
            f"{edition.id}版格式分为{len(old.members)}项")
    if zero:
        note += f"；合计为0的栏（{'、'.join(c.label for c in zero)}）各项均为0（数量不能为负）"
    rest = [c for c in columns if c not in zero]
    if rest:
        note += f"；其余栏（{'、'.join(c.label for c in rest)}）的各项不能由合计确定，按缺失处理"
    return values, totals, note


def _edition_of(old: OldRow) -> str:
    return next(e.id for e in all_editions() if old.row in e.tables[old.table].rows)
