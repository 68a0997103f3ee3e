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

CELL_GAP = 0.9                 # a gap of this many character heights separates two cells
NUMERIC = re.compile(r"[\d.,，%％\-－−+增减()（）/／—无元万\s]+")
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


@dataclass
class Segment:
    """Words standing together on one line: a cell of a table row, or a line of text."""
    text: str
    x0: float
    x1: float


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
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, extra_attrs=["size"])
    if not words:
        return []
    lines: list[Line] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        line = next((l for l in lines if abs(l.top - word["top"]) <= 2 + word["size"] * 0.2), None)
        if line is None:
            line = Line(number, word["top"], word["bottom"], word["size"])
            lines.append(line)
        line.segments.append(Segment(word["text"], word["x0"], word["x1"]))
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
                merged[-1] = Segment(join(merged[-1].text, seg.text), merged[-1].x0, seg.x1)
            else:
                merged.append(seg)
        line.segments = merged
    return sorted(lines, key=lambda l: l.top)


def _is_value(segment: Segment) -> bool:
    return bool(NUMERIC.fullmatch(segment.text))


def _is_anchor(line: Line) -> bool:
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


def _header_rows(lines: list[Line]) -> list[list[str]]:
    """Header lines; a line whose every cell stands under one of the line above is its wrap."""
    rows: list[tuple[Line, list[Segment]]] = []
    for line in lines:
        if rows:
            above, cells = rows[-1]
            centre = lambda s: (s.x0 + s.x1) / 2          # noqa: E731
            match = [min(range(len(cells)), key=lambda k: abs(centre(cells[k]) - centre(s))) for s in line.segments]
            close = all(abs(centre(cells[k]) - centre(s)) <= line.size for k, s in zip(match, line.segments))
            if close and len(set(match)) == len(match) and line.top - above.bottom <= 0.8 * line.size:
                for k, s in zip(match, line.segments):
                    cells[k] = Segment(cells[k].text + s.text, min(cells[k].x0, s.x0), max(cells[k].x1, s.x1))
                rows[-1] = (line, cells)
                continue
        rows.append((line, list(line.segments)))
    return [[s.text for s in cells] for _, cells in rows]


def _bands(block: list[Line], anchors: list[int]) -> dict[int, list[Line]]:
    """Each anchor's lines: the lines between two anchors are split at their widest gap (the
    cell padding), or all go to the upper row when the gaps are even (labels aligned on top)."""
    bands = {a: [block[a]] for a in anchors}
    for n, a in enumerate(anchors):
        stop = anchors[n + 1] if n + 1 < len(anchors) else len(block)
        between = block[a + 1:stop]
        if not between:
            continue
        if n + 1 == len(anchors):
            bands[a] += between
            continue
        tops = [block[a].top] + [l.top for l in between] + [block[stop].top]
        gaps = [b - t if b > t else 0 for t, b in zip(tops, tops[1:])]
        widest = max(range(len(gaps)), key=lambda k: gaps[k])
        if gaps[widest] - min(gaps) > 0.3 * block[a].size and widest < len(between):
            bands[a] += between[:widest]
            bands[stop] = between[widest:] + bands[stop]
        else:
            bands[a] += between
    return bands


def table_rows(block: list[Line]) -> list[list[str]]:
    anchors = [i for i, line in enumerate(block) if _is_anchor(line)]
    size = block[anchors[0]].size
    values = [s for i in anchors for s in block[i].segments if _is_value(s)]
    value_spans = _spans(values, 0.3 * size)
    label_right = value_spans[0][0] - 0.3 * size
    first = anchors[0]              # a first label's lines above its values (centred) are its own
    while first > 0 and not block[first - 1].is_row and block[first - 1].x1 <= label_right:
        first -= 1
    rows = _header_rows(block[:first])
    block = block[first:]
    anchors = [i for i, line in enumerate(block) if _is_anchor(line)]
    if anchors[0]:
        block = [block[anchors[0]]] + block[:anchors[0]] + block[anchors[0] + 1:]
        anchors = [i for i, line in enumerate(block) if _is_anchor(line)]
    labels = [s for line in block for s in line.segments if s.x1 <= label_right]
    label_spans = _label_spans(labels)
    for a, lines in _bands(block, anchors).items():
        segments = [s for line in lines for s in line.segments]
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
            rows.append([c for c in label_cells if c] + value_cells)
        else:                       # as it stands: the importer reads it as a run of values
            rows.append([s.text for s in segments])
    return rows


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
            anchored = any(_is_anchor(l) for l in block)
            values = [s.x0 for l in block if _is_anchor(l) for s in l.segments if _is_value(s)]
            label_right = min(values) if values else [l for l in block if l.is_row][-1].segments[1].x0
            reach = (4 if line.is_row else 2.5) * line.size        # rows are padded; wrapped text is not
            near = (line.page == last.page and line.top - last.bottom <= reach) or \
                   (line.page != last.page and (line.is_row or line.x1 <= label_right))
            if line.is_row and not _is_anchor(line) and anchored and line.x1 > label_right:
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


def _close(block: list[Line]):
    if any(_is_anchor(l) for l in block):
        yield "table", block
    else:                                       # rows without values: text set out in columns
        yield from (("p", line) for line in block)
