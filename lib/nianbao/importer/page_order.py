"""A table read by the order of its values, when the page's labels are out of order.

A PDF's raw text (`pdftotext` without -layout, a copy from a viewer) writes every cell on a line
of its own, the values of the table in the table's order, but the labels where its reading order
puts them: a group's label after its items' values, the lines of two labels interleaved, a
label cut by the header a page break repeats. Such a table is read by position only when nothing
is left to guess: the values make exactly one run of full rows per row of the edition, every
arithmetic rule of the table holds on every row and column so placed (a run shifted by one row
or one cell breaks them), and every label the page does give right before a run of values is the
label of the row placed there. Otherwise the reason is returned and the rows stay missing.
"""
from __future__ import annotations

import itertools
import re

from ..model.edition import Edition, Table
from ..model.report import NOT_APPLICABLE
from .digits import Mark, cell_values, holds, rule_cells
from .page import label_pattern

MAX_SPLIT_ROWS = 2          # rows whose values runs share, each tried in its width's rotations
# a number, or a not-applicable mark (model.report.NOT_APPLICABLE: /, —, －, 无, 不适用), alone
VALUE_LINE = re.compile(rf"[ \t]*(?:[-－]?\d+(?:\.\d+)?|{NOT_APPLICABLE.pattern})[ \t]*")


def value_runs(body: str, start: int, end: int) -> list[list[tuple[int, str]]]:
    """The runs of lines holding one value each (blank lines and page breaks between them
    allowed), as (where the line starts, its value); any other line ends a run."""
    runs: list[list[tuple[int, str]]] = []
    current: list[tuple[int, str]] = []
    pos = start
    for line in body[start:end].split("\n"):
        text = line.replace("\f", "")
        if VALUE_LINE.fullmatch(text):
            current.append((pos, text.strip()))
        elif text.strip():
            if current:
                runs.append(current)
            current = []
        pos += len(line) + 1
    if current:
        runs.append(current)
    return runs


def _anchors(body: str, table: Table, start: int, end: int, runs) -> dict[int, str]:
    """{index of a run's first value: id of the row whose label stands right before it}."""
    out = {}
    firsts = {run[0][0]: sum(len(r) for r in runs[:k]) for k, run in enumerate(runs)}
    for row in table.rows:
        for hit in label_pattern(row.label).finditer(body, start, end):
            after = hit.end() + len(body[hit.end():end]) - len(body[hit.end():end].lstrip())
            line_start = body.rfind("\n", 0, after) + 1
            if line_start in firsts and not body[hit.end():after].strip():
                out[firsts[line_start]] = row.id
    return out


def by_position(body: str, edition: Edition, table: Table, start: int, end: int, tail=(), turned=None):
    """([(keys, reading)] one per row of the table) when the order settles every value, else the
    reason (Chinese) why it does not (None: no value stands on a line of its own). `tail`, a run
    of values found after the table, is read as its last.

    A row whose values two runs share (a header word a page break repeats between them) may have
    been written out of order — pdftotext writes a row's first value after the others —: its
    values are tried in each rotation, and read only when exactly one reading passes every check;
    the labels of the rows read in another order than the page's are added to `turned`."""
    width = len(table.columns)
    runs = value_runs(body, start, end) + ([list(tail)] if tail else [])
    if not runs:
        return None                                   # no value stands on a line of its own
    cells = [text for run in runs for _, text in run]
    if len(cells) != width * len(table.rows):
        if any(len(run) % width for run in runs):
            return f"数值不是每{width}个一行"
        return f"数值有{len(cells) // width}行，表格有{len(table.rows)}行"
    ends = itertools.accumulate(len(run) for run in runs[:-1])
    split = sorted({at // width for at in ends if at % width})
    if len(split) > MAX_SPLIT_ROWS:
        return f"数值不是每{width}个一行"
    passing, reason = {}, ""
    for rotations in itertools.product(range(width), repeat=len(split)):
        order = list(cells)
        for row, turn in zip(split, rotations):
            own = order[row * width:(row + 1) * width]
            order[row * width:(row + 1) * width] = own[turn:] + own[:turn]
        placed = _placed(edition, table, order)
        if isinstance(placed, str):
            reason = reason or placed
        else:
            moved = [table.rows[row].label for row, turn in zip(split, rotations) if turn]
            passing.setdefault(tuple(r for _, r in placed), (placed, moved))
    if len(passing) > 1:
        return f"{'、'.join(table.rows[r].label for r in split)}的数值不在一处，有{len(passing)}种顺序都符合勾稽关系"
    if not passing:
        return reason
    for index, row_id in _anchors(body, table, start, end, runs).items():
        if table.rows[index // width].id != row_id or index % width:
            return "行标签与数值的位置不一致"
    placed, moved = passing.popitem()[1]
    if turned is not None:
        turned += moved
    return placed


def _placed(edition: Edition, table: Table, cells: list[str]):
    """[(keys, reading)] of the table's rows when its cells, in the rows' order, pass every
    check that can run and every number is in one that ran, else why not."""
    width = len(table.columns)
    kinds = [table.value_type(c.id) for c in table.columns]
    placed, values = [], {}
    for i, row in enumerate(table.rows):
        keys = [(table.id, row.id, c.id) for c in table.columns]
        reading = cell_values(cells[i * width:(i + 1) * width], kinds)
        placed.append((keys, reading))
        values.update(zip(keys, reading))
    if any(isinstance(v, Mark) and not v.not_applicable for v in values.values()):
        return "有的数值不是该栏可填的数"
    checked = set()
    for rule in edition.rules:
        if rule["table"] != table.id:
            continue
        lines = [r.id for r in table.rows] if rule["per"] == "row" else [c.id for c in table.columns]
        for line in lines:
            result = holds(rule, line, values)
            if result is False:
                return "按位置对应时勾稽关系不成立"
            if result:
                checked.update(rule_cells(rule, line, rule["left"] + rule["right"]))
    unchecked = [key for key, value in values.items() if not isinstance(value, Mark) and key not in checked]
    if unchecked:               # every comparison over them needs a not-applicable cell: skipped
        return f"{len(unchecked)}个数值所在的勾稽关系都用到不适用的单元格，无法核对其位置"
    return placed
