"""Lines and tables rebuilt from where a PDF's words stand, for tables drawn without rules.

The lines are rebuilt by y; a line with wide gaps between its words is a table row and its
cells are the words between the gaps; the value columns of a table are the x ranges its values
cover, so that a blank cell is still a cell; the lines of a label that wraps inside its cell (the
label column's text above or below a row's values) are joined to that row — between two rows
they are split at the widest gap, the cell padding. Header lines whose every cell stands under
a cell of the line above are that line's wrap. What the layout does not settle is written as it
stands, and the importer reads that row as a run of values: missing or with candidates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from ..model.edition import all_editions
from .page import compact

CELL_GAP = 0.9                 # a gap of this many character heights separates two cells
WRAP = 1.6                     # lines of one cell are at most this many character heights apart
NUMERIC = re.compile(r"[\d.,，%％\-－−+增减()（）/／—无元万\s]+")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@dataclass
class Segment:
    """Words standing together on one line: a cell of a table row, or a line of text."""
    text: str
    x0: float
    x1: float
    top: float = 0.0        # its own: the words of one line may stand a little higher or lower
    words: list[Segment] = field(default_factory=list)      # the words joined into it, if any


def parts(segment: Segment) -> list[Segment]:
    """The words a segment was joined from: two labels side by side in narrow label columns
    (“（六）其” beside “2.申请人逾”) stand closer than a cell gap and are told apart by them."""
    return segment.words or [segment]


@dataclass
class Line:
    page: int
    top: float
    bottom: float
    size: float
    segments: list[Segment] = field(default_factory=list)

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def x1(self) -> float:
        return self.segments[-1].x1

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.segments)

    @property
    def is_row(self) -> bool:
        return len(self.segments) > 1


def join(left: str, right: str) -> str:
    """Words of one segment: no space between Chinese characters (PDF text puts some in)."""
    if CJK.search(left[-1:]) or CJK.search(right[:1]):
        return left + right
    return left + " " + right


def page_lines(page, number: int) -> list[Line]:
    """The page's lines, top to bottom: words grouped by height, then joined into segments
    (cells, or a line of running text) wherever the gap between them is narrow."""
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, extra_attrs=["size"])
    if not words:
        return []
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        line = next((l for l in lines if abs(l.top - word["top"]) <= 2 + word["size"] * 0.2), None)
        if line is None:
            line = Line(number, word["top"], word["bottom"], word["size"])
            lines.append(line)
        line.segments.append(Segment(word["text"], word["x0"], word["x1"], word["top"]))
        line.bottom = max(line.bottom, word["bottom"])
        line.size = max(line.size, word["size"])
    # where values start in the page's clear table rows: a number standing there starts a cell
    # even when a long label runs up to it ("其他对外管理服务事项61")
    value_starts = set()
    for line in lines:
        words_in = sorted(line.segments, key=lambda s: s.x0)
        gaps = [b.x0 - a.x1 for a, b in zip(words_in, words_in[1:])]
        if sum(g >= CELL_GAP * line.size for g in gaps) >= 2:
            value_starts |= {round(w.x0) for w in words_in[1:] if NUMERIC.fullmatch(w.text)}
    at_column = lambda seg: any(abs(seg.x0 - x) <= 2 for x in value_starts)   # noqa: E731
    for line in lines:
        words_in = sorted(line.segments, key=lambda s: s.x0)
        merged = [words_in[0]]
        for seg in words_in[1:]:
            cut = NUMERIC.fullmatch(seg.text) and not NUMERIC.fullmatch(merged[-1].text) and at_column(seg)
            if not cut and seg.x0 - merged[-1].x1 < CELL_GAP * line.size:
                merged[-1] = Segment(join(merged[-1].text, seg.text), merged[-1].x0, seg.x1, merged[-1].top,
                                     parts(merged[-1]) + parts(seg))
            else:
                merged.append(seg)
        line.segments = merged
    return sorted(lines, key=lambda l: l.top)


def _is_value(segment: Segment) -> bool:
    return bool(NUMERIC.fullmatch(segment.text))


def is_anchor(line: Line) -> bool:
    """A table row with values: the line where a row's cells (and its label's first line) stand."""
    return line.is_row and any(_is_value(s) for s in line.segments[1:])


def _spans(segments: list[Segment], slack: float) -> list[tuple[float, float]]:
    """Columns as the x ranges their cells cover: cells that overlap are one column."""
    spans: list[list[float]] = []
    for seg in sorted(segments, key=lambda s: s.x0):
        if spans and seg.x0 <= spans[-1][1] + slack:
            spans[-1][1] = max(spans[-1][1], seg.x1)
        else:
            spans.append([seg.x0, seg.x1])
    return [tuple(s) for s in spans]


def _column(segment: Segment, spans) -> int | None:
    hits = [k for k, (a, b) in enumerate(spans) if segment.x0 <= b and segment.x1 >= a]
    return hits[0] if len(hits) == 1 else None


def _label_spans(segments: list[Segment]) -> list[list[float]]:
    """The label columns (a group's label beside its items'), from the narrowest cells up;
    a label spanning two columns (（一）予以公开) does not join them."""
    spans: list[list[float]] = []
    for seg in sorted(segments, key=lambda s: s.x1 - s.x0):
        hits = [sp for sp in spans if seg.x0 <= sp[1] and seg.x1 >= sp[0]]
        if len(hits) == 1:
            hits[0][0], hits[0][1] = min(hits[0][0], seg.x0), max(hits[0][1], seg.x1)
        elif not hits:
            spans.append([seg.x0, seg.x1])
    return sorted(spans)


def _label_column(segment: Segment, spans: list[list[float]]) -> int:
    return next((k for k, (a, b) in enumerate(spans) if segment.x0 <= b and segment.x1 >= a), 0)


def _header_cells(lines: list[Line]) -> list[dict]:
    """Header cells rebuilt column by column: a line standing under a cell's last line (its x
    range overlapping, at most WRAP apart) continues that cell — headers written upright
    (结/果/维/持) or wrapped (商业企/业) come out whole."""
    cells: list[dict] = []
    for line in lines:
        for seg in line.segments:
            cell = next((c for c in reversed(cells) if seg.x0 <= c["x1"] and seg.x1 >= c["x0"]
                         and 0 < seg.top - c["last"] <= WRAP * line.size), None)
            if cell is None:
                cells.append({"top": line.top, "last": seg.top, "x0": seg.x0, "x1": seg.x1, "text": seg.text})
            else:
                cell.update(last=seg.top, x0=min(cell["x0"], seg.x0), x1=max(cell["x1"], seg.x1),
                            text=cell["text"] + seg.text)
    return cells


def _blank_columns(header: list[dict], value_spans, labels_end: float) -> list[tuple[float, float]]:
    """Columns no row has a value in, known from the header alone — trusted only when the lowest
    header cells stand over the values (every value column under one), never from a guess."""
    overlaps = lambda c, a, b: c["x0"] <= b and c["x1"] >= a          # noqa: E731
    leaves = [c for c in header if c["x0"] > labels_end
              and not any(d["top"] > c["top"] and overlaps(d, c["x0"], c["x1"]) for d in header)]
    if not all(sum(overlaps(c, a, b) for c in leaves) == 1 for a, b in value_spans):
        return []
    return [(c["x0"], c["x1"]) for c in leaves if not any(overlaps(c, a, b) for a, b in value_spans)]


def _header_rows(cells: list[dict]) -> list[list[str]]:
    """The header cells as rows: cells that start at one height."""
    rows: list[list[dict]] = []
    for cell in sorted(cells, key=lambda c: (c["top"], c["x0"])):
        if rows and abs(rows[-1][0]["top"] - cell["top"]) <= 2:
            rows[-1].append(cell)
        else:
            rows.append([cell])
    return [[c["text"] for c in row] for row in rows]


def _bands(block: list[Line], anchors: list[int]) -> dict[int, list[Line]]:
    """Each anchor's lines: the lines between two anchors are split at their widest gap (the
    cell padding), or all go to the upper row when the gaps are even (labels aligned on top)."""
    bands = {a: [block[a]] for a in anchors}
    for n, a in enumerate(anchors):
        stop = anchors[n + 1] if n + 1 < len(anchors) else len(block)
        between = block[a + 1:stop]
        if not between:
            continue
        if n + 1 == len(anchors):           # the last row: its label's lines, not what follows
            taken = 0
            while taken < len(between) and between[taken].top - (between[taken - 1] if taken else block[a]).top \
                    <= WRAP * block[a].size:
                taken += 1
            bands[a] += between[:taken]
            bands.update({a + 1 + taken + k: [line] for k, line in enumerate(between[taken:])})
            continue
        # top to bottom (a first row's label lines above its values come after them in the
        # block); a gap over a page break says nothing
        seq = sorted([block[a], *between, block[stop]], key=lambda line: (line.page, line.top))
        gaps = {k: b.top - t.top for k, (t, b) in enumerate(zip(seq, seq[1:])) if b.page == t.page}
        widest = max(gaps, key=gaps.get, default=len(between))
        upper = {id(line) for line in seq[:widest + 1]}
        if gaps and gaps[widest] - min(gaps.values()) > 0.3 * block[a].size and id(block[stop]) not in upper:
            bands[a] += [line for line in between if id(line) in upper]
            bands[stop] = [line for line in between if id(line) not in upper] + bands[stop]
        else:
            bands[a] += between
    return bands


def table_rows(block: list[Line]) -> list[list[str]]:
    anchors = [i for i, line in enumerate(block) if is_anchor(line)]
    size = block[anchors[0]].size
    values = [s for i in anchors for s in block[i].segments if _is_value(s)]
    value_spans = _spans(values, 0.3 * size)
    label_right = value_spans[0][0] - 0.3 * size
    first = anchors[0]              # a first label's lines above its values (centred) are its own
    while first > 0 and not block[first - 1].is_row and block[first - 1].x1 <= label_right \
            and block[first].top - block[first - 1].top <= WRAP * size:
        first -= 1
    header = _header_cells(block[:first])
    blank = _blank_columns(header, value_spans,
                           max((s.x1 for i in anchors for s in block[i].segments if not _is_value(s)), default=-1.0))
    if blank:
        value_spans = sorted(value_spans + blank)
        label_right = value_spans[0][0] - 0.3 * size
    rows = _header_rows(header)
    block = block[first:]
    anchors = [i for i, line in enumerate(block) if is_anchor(line)]
    if anchors[0]:
        block = [block[anchors[0]]] + block[:anchors[0]] + block[anchors[0] + 1:]
        anchors = [i for i, line in enumerate(block) if is_anchor(line)]
    labels = [w for line in block for s in line.segments if s.x1 <= label_right for w in parts(s)]
    label_spans = _label_spans(labels)
    block, groups = _without_groups(block, label_right, label_spans)
    anchors = [i for i, line in enumerate(block) if is_anchor(line)]
    bands = sorted(_bands(block, anchors).items())
    placed = _place_groups(groups, [(a, lines) for a, lines in bands if a in anchors])
    for a, lines in bands:
        segments = [s for line in lines for s in line.segments]
        if a not in anchors:                # text after the table's last row (a caption)
            rows.append([line.text for line in lines])
            continue
        group_cells = [g["text"] for g in placed.get(a, [])]
        label_cells = ["" for _ in label_spans]
        value_cells = ["" for _ in value_spans]
        settled = True
        for seg in segments:
            if seg.x1 <= label_right:
                label_cells[_label_column(seg, label_spans)] += seg.text
            elif _is_value(seg) and _column(seg, value_spans) is not None and not value_cells[_column(seg, value_spans)]:
                value_cells[_column(seg, value_spans)] = seg.text
            else:
                settled = False
        if settled:
            rows.append(group_cells + [c for c in label_cells if c] + value_cells)
        else:                       # as it stands: the importer reads it as a run of values
            rows.append(group_cells + [s.text for s in segments])
    return rows


def _pieces(segment: Segment, spans: list[list[float]]) -> list[Segment]:
    """A label segment cut where its words fall in different label columns."""
    out: list[tuple[int, Segment]] = []
    for word in parts(segment):       # the column it covers most: a text's grid blurs the edges
        column = max(range(len(spans)), key=lambda k: min(word.x1, spans[k][1]) - max(word.x0, spans[k][0]))
        if out and out[-1][0] == column:
            prev = out[-1][1]
            word = Segment(join(prev.text, word.text), prev.x0, word.x1, prev.top, parts(prev) + [word])
            out[-1] = (column, word)
        else:
            out.append((column, word))
    return [piece for _, piece in out]


@cache
def _group_labels() -> tuple[str, ...]:
    """The labels of the form's row groups, every edition's (三、本年度办理结果, （三）不予公开 …)."""
    return tuple({compact(g) for e in all_editions() for t in e.tables.values()
                  for row in t.rows for g in row.groups})


def is_group(text: str) -> bool:
    """A group's label, whole or the part a page break leaves of it (“三、本” / “年度办理结果”),
    however it is spaced."""
    text = compact(text)
    return len(text) >= 2 and any(text in label for label in _group_labels())


def _without_groups(block: list[Line], label_right: float, spans: list[list[float]]):
    """The group labels of the form's layout (三、本年度办理结果, （三）不予公开: a cell merged
    across the rows of its items, its text centred beside them) taken out of the lines. Their
    lines interleave with the rows' wrapped labels and would cut the rows apart at the wrong
    line. A group's cell is the pieces of a label column left of the rows' own (the rightmost)
    one under the other, at most WRAP apart, and its text must be a group label of the form:
    anything else there (the second line of a wide label, “开申请数量”) stays the row's.
    Returns the lines left and the group cells."""
    if len(spans) < 2:
        return block, []
    own = spans[-1]
    cells: list[dict] = []
    split: list[list[Segment]] = []
    for line in block:
        segments = []
        for seg in line.segments:
            for piece in ([seg] if seg.x1 > label_right else _pieces(seg, spans)):
                segments.append(piece)
                if piece.x1 > label_right or (piece.x0 + piece.x1) / 2 >= own[0]:   # by its centre: a
                    continue                                    # text's grid makes words too wide
                column = _label_column(piece, spans)
                cell = next((c for c in cells if c["column"] == column and c["page"] == line.page
                             and 0 < piece.top - c["last"] <= WRAP * line.size), None)
                if cell is None:
                    cell = {"column": column, "page": line.page, "top": piece.top, "text": "", "pieces": []}
                    cells.append(cell)
                cell.update(last=piece.top, text=cell["text"] + piece.text)
                cell["pieces"].append(id(piece))
        split.append(segments)
    groups = [c for c in cells if is_group(c["text"])]
    taken = {piece for c in groups for piece in c["pieces"]}
    kept = []
    for line, segments in zip(block, split):
        segments = [s for s in segments if id(s) not in taken]
        if segments:
            kept.append(Line(line.page, line.top, line.bottom, line.size, sorted(segments, key=lambda s: s.x0)))
    return kept, groups


def _place_groups(groups: list[dict], bands: list[tuple[int, list[Line]]]) -> dict[int, list[dict]]:
    """Each group cell goes before the row beside its first line (or the next row below it), so
    it never stands between a row's label and its values."""
    placed: dict[int, list[dict]] = {}
    for cell in sorted(groups, key=lambda c: (c["page"], c["top"], c["column"])):
        for a, lines in bands:
            if (lines[-1].page, lines[-1].bottom) >= (cell["page"], cell["top"]):
                placed.setdefault(a, []).append(cell)
                break
    return placed


def blocks(lines: list[Line]):
    """("p", line) for running text, ("table", lines) for a table with its wrapped labels."""
    block: list[Line] = []
    for line in lines:
        if not isinstance(line, Line):          # a ruled table, read by its rules
            yield from _close(block)
            block = []
            yield "ruled", line
            continue
        if block:
            last = block[-1]
            anchored = any(is_anchor(l) for l in block)
            if anchored and line.page != last.page and line.text in _header_texts(block):
                continue                        # the header repeated on the next page
            values = [s.x0 for l in block if is_anchor(l) for s in l.segments if _is_value(s)]
            label_right = min(values) if values else [l for l in block if l.is_row][-1].segments[1].x0
            reach = (4 if line.is_row else 2.5) * line.size        # rows are padded; wrapped text is not
            near = (line.page == last.page and line.top - last.bottom <= reach) or \
                   (line.page != last.page and (line.is_row or line.x1 <= label_right))
            if line.is_row and not is_anchor(line) and anchored and line.x1 > label_right:
                near = False                    # a new header: the next table (or part) begins
            elif not line.is_row and anchored and line.x1 > label_right:
                near = False                    # text wider than the label column: not a label
            if near:
                block.append(line)
                continue
            yield from _close(block)
            block = []
        if line.is_row:
            block.append(line)
        else:
            yield "p", line
    yield from _close(block)


def _header_texts(block: list[Line]) -> set[str]:
    first = next(i for i, line in enumerate(block) if is_anchor(line))
    return {line.text for line in block[:first]}


def _close(block: list[Line]):
    if any(is_anchor(l) for l in block):
        yield "table", block
    else:                                       # rows without values: text set out in columns
        yield from (("p", line) for line in block)
