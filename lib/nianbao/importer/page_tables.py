"""Reading the tables of a published page: the values between one label and the next, split
by digits.py, and the splits the edition's rules settle (or leave open, with their candidates)."""
from __future__ import annotations

import difflib
import itertools
import re
from dataclasses import dataclass

from ..model.edition import Table, all_editions
from .digits import MAX_READINGS, Mark, cell_values, holds, split_run, tokens, value_run
from .page import Page, compact, label_pattern, table_labels
from .page_order import by_position, value_runs
from .page_text import CELL


ITEM_START = re.compile(r"\d+\s*[.．、]\s*(?=[^\W\d_])")    # “2.” that starts an item's label
# a label's text after a row's values: its item number, then no digit, up to the next cell or value
LABEL_TEXT = re.compile(r"\s*((?:\d+\s*[.．、]\s*)?(?:[^\d\s]|[ \t]+(?=[^\d\s])|\n(?!\t))+)")
CLOSE = 0.75                 # difflib's ratio of a label with a few characters lost to the form's


def _plain(label: str) -> str:
    """A label compared by its characters: no spaces, one width of brackets and item points."""
    return compact(label).translate(str.maketrans("()．、:", "（）..：")).replace("”", "“")


def _wordings(table_id: str, row_id: str) -> set[str]:
    """Every edition's label of the row."""
    return {e.tables[table_id].row(row_id).label for e in all_editions()
            if any(r.id == row_id for r in e.tables[table_id].rows)}


@dataclass
class Line:
    """The values of one row (or, in § 四, of the one data row): its cells and its readings."""
    keys: list[tuple[str, str, str]]
    text: str
    readings: list[tuple]
    chosen: tuple | None = None
    how: str = ""


def _cells(text: str) -> list[str] | None:
    """The cells of one row when the page keeps cells apart (one per tab-indented line)."""
    if CELL not in text:
        return None
    lines = text.split("\n")[1:-1]          # the label's own line end; the next label's indent
    while lines and not lines[0].strip() and not lines[0].startswith("\t"):
        lines.pop(0)
    cells = []
    for line in lines:
        if not line.startswith("\t"):
            break
        cells.append(line.strip())
    return cells


def _readings(text: str, kinds: list[str]) -> list[tuple]:
    cells = _cells(text)
    if cells is not None:
        one = cell_values(cells, kinds)
        if one is not None:
            return [one]
        text = " ".join(cells)
    run, _ = value_run(text.lstrip())
    return split_run(tokens(run), kinds)


class Reader:
    """Reads every table of the edition from the page, line by line."""

    def __init__(self, page: Page, regions: dict[str, tuple[int, int]], edition=None):
        self.page = page
        self.edition = edition or page.edition        # the page's own layout (importer/old_rows.py)
        self.regions = regions
        self.lines: list[Line] = []
        self.units: dict[str, str] = {}

    def _line(self, table: Table, keys, text: str) -> None:
        kinds = [table.value_type(c) for _, _, c in keys]
        self.lines.append(Line(list(keys), text.strip(), _readings(text, kinds)))
        if set(table.spec.get("units_allowed", ())) & {c for _, _, c in keys}:
            unit = re.search(r"\d\s*(万元|元)", value_run(text.lstrip())[0])   # not a 元 in the prose after
            if unit:
                self.units[keys[0][1]] = unit.group(1)

    def _row_label(self, table: Table, row_id: str, start: int, end: int):
        """The row's label; else the label the other editions give the same row."""
        label = table.row(row_id).label
        hit = self.page.find(label, start, end)
        if hit:
            return hit
        for other in all_editions():
            alt = other.tables[table.id]
            if other.id != self.edition.id and any(r.id == row_id for r in alt.rows):
                hit = self.page.find(alt.row(row_id).label, start, end)
                if hit:
                    self.page.note(f"{table.title}：行“{compact(hit.group(0))}”与官方“{label}”不同")
                    return hit
        return None

    def _close_label(self, table: Table, rows, hits: list, i: int, end: int):
        """The label of rows[i] with characters lost (a PDF's text layer: “2.其他法律行政止公开”),
        taken only where nothing else fits: the rows before and after it were found, the text
        after the row before's values starts with a label that is a close match of this row's
        label and of no other row's of the table (any edition's wording), and it stands before
        the next row's label."""
        if i == 0 or not hits[i - 1] or (i + 1 < len(rows) and not hits[i + 1]):
            return None
        body = self.page.body
        stop = hits[i + 1].start() if i + 1 < len(rows) else end
        run, _ = value_run(body[hits[i - 1].end():stop].lstrip())
        if not re.search(r"\d", run):
            return None
        at = body.index(run, hits[i - 1].end()) + len(run) if run else hits[i - 1].end()
        found = LABEL_TEXT.match(body, at, stop)
        text = found and _plain(found.group(1))
        if not text or not re.search(r"[^\W\d_]", text):
            return None
        close = {row.id for row in table.rows for label in _wordings(table.id, row.id)
                 if difflib.SequenceMatcher(None, text, _plain(label)).ratio() >= CLOSE}
        if close != {rows[i].id}:
            return None
        self.page.note(f"{table.title}：行标签“{text}”与官方“{rows[i].label}”相近（可能是 PDF 文字层缺字），"
                       f"且只与这一行相近、位置和前后两行都相符，按这一行读取")
        return re.compile(re.escape(found.group(1))).match(body, found.start(1))

    def _rows(self, table: Table, rows, start: int, end: int) -> int | None:
        """Read rows whose label is followed by their values; returns where the first label is."""
        hits = []
        pos = start
        for row in rows:
            hit = self._row_label(table, row.id, pos, end)
            hits.append(hit)
            if hit:
                pos = hit.end()
        for i, row in enumerate(rows):
            if not hits[i]:
                hits[i] = self._close_label(table, rows, hits, i, end)
            if not hits[i]:
                self.page.note(f"{table.title}：未找到“{row.label}”这一行，其数值按缺失处理")
        for i, (row, hit) in enumerate(zip(rows, hits)):
            if not hit or self._run_together(table, hit):
                continue
            stop = next((h.start() for h in hits[i + 1:] if h), end)
            keys = [(table.id, row.id, c.id) for c in table.columns_of(row.id)]
            self._line(table, keys, self.page.body[hit.end():stop])
        return next((h.start() for h in hits if h), None)

    def _run_together(self, table: Table, hit) -> bool:
        """Whether the label shares its cell with the start of another item's label and no value
        (“1.本机关不掌握相关息2.没有现成…”: a grid joined two rows' wrapped labels across a page
        break): the values after it may be the other row's, so none is read (noted)."""
        before = self.page.body[self.page.body.rfind("\n", 0, hit.start()) + 1:hit.start()]
        if not ITEM_START.search(before) or re.search(r"\d", ITEM_START.sub("", before)):
            return False
        self.page.note(f"{table.title}：“{compact(hit.group(0))}”与别的行标签连在一起"
                       f"（“{compact(before)}”），不能确定其后的数值属于哪一行，按缺失处理")
        return True

    def foreign_rows(self, table: Table, start: int, end: int) -> None:
        """Rows only another edition has (e.g. 2019's single （六）其他处理): noted with their values.
        Where that label is a group of this edition's (2021's （六）其他处理 over its three rows),
        it is the other edition's row only when the values after it make one row, not its rows'."""
        ours = {r.id for r in table.rows}
        groups = {compact(g) for r in table.rows for g in r.groups}
        kinds = [table.value_type(c.id) for c in table.columns]
        for other in all_editions():
            for row in other.tables[table.id].rows:
                if row.id in ours:
                    continue
                for hit in label_pattern(row.label).finditer(self.page.body, start, end):
                    run, _ = value_run(self.page.body[hit.end():end])
                    if compact(row.label) in groups and not split_run(tokens(run), kinds):
                        continue
                    if re.search(r"\d", run):
                        self.page.note(f"{table.title}：页面有{other.id}版格式的行“{row.label}”"
                                       f"（数值“{' '.join(run.split())}”），{self.edition.id}版格式没有这一行，未导入")

    def proactive(self, start: int, end: int) -> None:
        table = self.edition.tables["proactive"]
        caps = []
        pos = start
        for part in table.parts:
            hit = self.page.find(part.caption, pos, end)
            caps.append(hit)
            if hit:
                pos = hit.end()
            else:
                self.page.note(f"{table.title}：未找到“{part.caption}”")
        for i, (part, hit) in enumerate(zip(table.parts, caps)):
            if not hit:
                continue
            stop = next((h.start() for h in caps[i + 1:] if h), end)
            first = self._rows(table, part.rows, hit.end(), stop)
            self.page.header_deviations(hit.end(), first if first is not None else stop,
                                        [table.spec["row_header"], *(c.label for c in part.columns)],
                                        f"{table.title}{part.caption}")

    def requests(self, start: int, end: int) -> None:
        table = self.edition.tables["requests"]
        notes, lines = len(self.page.deviations), len(self.lines)
        first = self._rows(table, table.rows, start, end)
        if any(not line.readings for line in self.lines[lines:]) or len(self.lines) - lines < len(table.rows):
            if self._by_position(table, start, end, notes, lines):      # the header ends at the first
                first = min(first if first is not None else end,        # value, whatever labels follow
                            value_runs(self.page.body, start, end)[0][0][0])
        columns = [c.label for c in table.columns] + [g for c in table.columns for g in c.groups]
        self.page.header_deviations(start, first if first is not None else end,
                                    [table.spec["corner_note"], table.spec["header"], *columns], table.title)

    def _by_position(self, table: Table, start: int, end: int, notes: int, lines: int) -> bool:
        """The rows the labels did not settle, read by the order of their values (page_order.py)
        in place of what the labels gave; or why not, noted. Whether they were."""
        turned: list[str] = []
        placed = by_position(self.page.body, self.edition, table, start, end, turned=turned)
        if isinstance(placed, str):
            self.page.note(f"{table.title}：有的行未能按行标签读取，也不能按数值的顺序读取（{placed}）")
        if not isinstance(placed, list):
            return False
        del self.page.deviations[notes:], self.lines[lines:]
        for keys, reading in placed:
            text = " ".join(str(v.text if isinstance(v, Mark) else v) for v in reading)
            self.lines.append(Line(keys, text, [reading]))
        self.page.note(f"{table.title}：行标签不全或顺序错乱（如 PDF 的纯文本），数值按各行的顺序读取，"
                       f"{len(placed)}行的总计与各列的勾稽关系均已核对")
        for label in turned:
            self.page.note(f"{table.title}：“{label}”的数值被表头隔开、顺序不同，"
                           f"按唯一符合勾稽关系的顺序读取")
        return True

    def appeals(self, start: int, end: int) -> None:
        table = self.edition.tables["appeals"]
        labels = table_labels(table)
        hits = sorted((hit.start(), hit.end()) for label in labels
                      for hit in label_pattern(label).finditer(self.page.body, start, end))
        last = start
        for hit_start, hit_end in hits:     # the header ends where values begin: a chart's caption
            if last > start and re.search(r"\d", self.page.body[last:hit_start]):   # (…总计列…) after
                break                                                              # them is not header
            last = max(last, hit_end)
        if last == start:
            self.page.note(f"{table.title}：未找到表头")
        self.page.header_deviations(start, last, list(labels), table.title)
        self._line(table, [(table.id, r, c) for r, c in table.cells], self.page.body[last:end])
        if not self.lines[-1].readings:          # header words between the values (a PDF's raw text)
            self._appeals_by_position(table, start, end)

    def _appeals_by_position(self, table: Table, start: int, end: int) -> None:
        """§ 四's values each on a line of their own, the header's words before them in any order.
        pdftotext may write the last group (the rightmost cells) after the paragraphs beside
        which the page has room, in § 五 or § 六: taken back only when it is the one run of value
        lines in the rest of the page and exactly the values missing, every group's 总计 holding;
        its lines are then blanked out of the page, so that no section's text keeps them."""
        placed = by_position(self.page.body, self.edition, table, start, end)
        if isinstance(placed, str):                       # None: no value on a line of its own
            rest = value_runs(self.page.body, end, len(self.page.body))
            own = sum(len(run) for run in value_runs(self.page.body, start, end))
            if len(rest) == 1 and own + len(rest[0]) == len(table.cells):
                placed = by_position(self.page.body, self.edition, table, start, end, tail=rest[0])
                if isinstance(placed, list):
                    self._blank(rest[0])
                    self.page.note(f"{table.title}：最后{len(rest[0])}个数值在后面的正文中（PDF 的纯文本），"
                                   f"按顺序读入本表，各组总计已核对")
        if not isinstance(placed, list):
            return
        keys = [key for keys, _ in placed for key in keys]
        reading = tuple(value for _, values in placed for value in values)
        self.lines[-1] = Line(keys, " ".join(map(str, reading)), [reading])

    def _blank(self, run) -> None:
        """The lines of a run of values emptied in the page (its places kept for the sections)."""
        body = self.page.body
        for pos, _ in run:
            stop = body.find("\n", pos)
            stop = len(body) if stop < 0 else stop
            body = body[:pos] + " " * (stop - pos) + body[stop:]
        self.page.body = body

    def read(self) -> None:
        for tid in ("proactive", "requests", "appeals"):
            if tid in self.regions:
                getattr(self, tid)(*self.regions[tid])
                self.foreign_rows(self.edition.tables[tid], *self.regions[tid])
        resolve(self.lines, self.edition.rules)


def _row_instances(rules, keys) -> list[tuple[dict, str]]:
    """The per-row rules whose cells all lie in this line."""
    present = set(keys)
    out = []
    for rule in rules:
        if rule["per"] != "row":
            continue
        for row in {r for t, r, _ in keys if t == rule["table"]}:
            cells = {(rule["table"], row, c) for c in rule["left"] + rule["right"]}
            if cells <= present:
                out.append((rule, row))
    return out


def resolve(lines: list[Line], rules) -> None:
    """Settle each line's reading: unique by the digits, else by the rules, else left open."""
    known: dict = {}
    pending: list[Line] = []
    for line in lines:
        checks = _row_instances(rules, line.keys)
        good = [r for r in line.readings
                if all(holds(rule, row, dict(zip(line.keys, r))) is not False for rule, row in checks)]
        if len(line.readings) == 1:
            line.chosen, line.how = line.readings[0], "digits"
        elif len(good) == 1:
            line.chosen, line.how = good[0], "row rule"
        else:
            line.readings = good or line.readings
            pending.append(line)
        if line.chosen:
            known.update(zip(line.keys, line.chosen))
    if not pending:
        return
    column_checks = [(rule, col) for rule in rules if rule["per"] == "column"
                     for col in {c for line in pending for t, _, c in line.keys if t == rule["table"]}]
    size = 1
    for line in pending:
        size *= len(line.readings)
    if not column_checks or size > MAX_READINGS:
        return
    passing = []
    for combo in itertools.product(*(line.readings for line in pending)):
        values = dict(known)
        for line, reading in zip(pending, combo):
            values.update(zip(line.keys, reading))
        results = [holds(rule, col, values) for rule, col in column_checks]
        if False not in results and True in results:
            passing.append(combo)
    for i, line in enumerate(pending):
        options = {combo[i] for combo in passing}
        if len(options) == 1:
            line.chosen, line.how = options.pop(), "column rule"
        elif options:
            line.readings = [r for r in line.readings if r in options]
