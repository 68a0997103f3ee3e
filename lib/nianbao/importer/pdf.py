"""Text PDFs → the HTML the importer reads (no OCR: a scan without a text layer is refused).

A printed report keeps no structure, only words and their positions. Tables drawn with rules
(the official form usually is) are read by pdfplumber from the rules: cells, merged cells and
labels wrapping inside a cell come out as they are; tables without rules are rebuilt from the
words' positions by pdf_layout.py. Page numbers and headers or footers repeated on several pages
are dropped; the pages are read as one flow, so a table that runs over a page break is one
table, and a row the break cut in two is joined again.
"""
from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataFileError, Problem, TooLarge, UnreadableDocument
from ..io.inflate import bounded_streams
from ..io.source import MB
from .page import compact
from .pdf_layout import Line, blocks, is_anchor, is_group, join, page_lines, table_rows
from .pdf_limits import check_pages
from .reflow import CLOSING

VALUE = re.compile(r"[-－−+(（]?\d[\d.,]*[)）]?\s*(?:万元|元)?")
MARGIN = 0.09                  # top and bottom share of a page where headers and footers stand
# What pdfminer may inflate of one PDF (io/inflate.py): a page's content stream is 5–60 KB, an
# embedded font subset 50–500 KB, a whole CJK font 10–20 MB; the decoded streams stay in memory
# while the PDF is read. Images are not inflated by the importer (it reads text only).
STREAM_LIMIT = 32 * MB         # any one stream, decoded
STREAMS_LIMIT = 96 * MB        # all the streams of the document, decoded
PAGE_NUMBER = re.compile(r"[-—–－\s]*(?:第\s*)?\d{1,4}\s*(?:页)?\s*(?:(?:/|共)\s*\d{1,4}\s*页?)?[-—–－\s]*")


@dataclass
class Ruled:
    """A table drawn with rules: pdfplumber finds its cells from the lines (None: merged away)."""
    page: int
    top: float
    bottom: float
    rows: list[list[str | None]]
    is_row = False


def _ruled(page, number: int) -> tuple[list[Ruled], object]:
    """The page's ruled tables, and the page without them (whose words are read as lines)."""
    tables = page.find_tables()
    cut = _cut_bottoms(page, tables)
    if cut:
        tables = page.find_tables({"explicit_horizontal_lines": cut})
    boxes = [t.bbox for t in tables]

    def outside(obj) -> bool:               # by its centre: a heading may touch a table's rule
        x, y = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
        return not any(x0 <= x <= x1 and top <= y <= bottom for x0, top, x1, bottom in boxes)
    rest = page.filter(outside) if boxes else page
    return [Ruled(number, t.bbox[1], t.bbox[3], _cells(t)) for t in tables], rest


def _cut_bottoms(page, tables) -> list[float]:
    """Where tables cut by the page's end stop. A printer that draws no rule under a row a page
    break cuts (WeasyPrint, browsers) leaves the column rules running on below the table's last
    rule: without a rule there, the cut row (its label's first lines, its values) is lost."""
    out = []
    for table in tables:
        x0, _, x1, bottom = table.bbox
        below = [e["bottom"] for e in page.edges if e["orientation"] == "v" and x0 - 1 <= e["x0"] <= x1 + 1
                 and e["top"] <= bottom + 1 and e["bottom"] > bottom + 2]
        if len(below) >= 2:
            out.append(max(below))
    return out


def _cells(table) -> list[list[str | None]]:
    """The table's rows of cell texts, each character in the smallest cell holding it.

    pdfplumber's own extract() puts a character in every cell whose box holds it, and a merged
    cell's box can hold other cells: when a rowspan label is cut by a page break, its bottom rule
    is missing there, so pdfplumber closes the cell at the next corner it finds, the table's right
    edge, and the label (“三、本年度办理结果”) would read the values of the rows beside it too."""
    from pdfplumber.utils import extract_text

    def holds(box, char) -> bool:
        x, y = (char["x0"] + char["x1"]) / 2, (char["top"] + char["bottom"]) / 2
        return box[0] <= x < box[2] and box[1] <= y < box[3]
    boxes = [cell for row in table.rows for cell in row.cells if cell is not None]
    owned: dict[tuple, list] = {box: [] for box in boxes}
    for char in table.page.chars:
        holding = [box for box in boxes if holds(box, char)]
        if holding:
            owned[min(holding, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]))].append(char)
    return [[None if cell is None else (extract_text(owned[cell]) if owned[cell] else "")
             for cell in row.cells] for row in table.rows]


def _continue_rows(items: list) -> None:
    """A table continued on the next page: the header rows it repeats there are dropped, and a
    row the page break cut in two (its second half: the label's rest, no value) is joined."""
    heads: dict[int, list] = {}
    for before, after in _page_pairs(items):
        head = heads.get(id(before), before.rows)
        heads[id(after)] = head
        repeated = 0
        while repeated < min(len(head), len(after.rows)) and _texts(after.rows[repeated]) == _texts(head[repeated]) \
                and not any(_is_value(c) for c in head[repeated]):
            repeated += 1
        del after.rows[:repeated]
        if not after.rows:
            continue
        last, first = before.rows[-1], after.rows[0]
        values = [i for i, c in enumerate(last) if _is_value(c)]
        labelled = not values or any(last[i] for i in range(values[0]))
        # a digit in the rest: values, or an item's number (“4.无正当理由…”), which is the whole
        # label of a row left none, never the rest of a label
        if any(re.search(r"\d", c or "") for c in first) and (labelled or any(_is_value(c) for c in first)):
            continue
        # only the label's rest, nothing where the row has values (a header has some)
        if len(last) == len(first) and not any(first[i] for i in values):
            before.rows[-1] = [(a or "") + (b or "") if (a or b) else a for a, b in zip(last, first)]
            after.rows.pop(0)
        elif len(last) != len(first) and values and 0 < len(_texts(first)) <= values[0]:
            # the page's grid differs (a group's column starts there): the rest joins the row's
            # own label, its last text before its values; the label's place when the page
            # break left the row none (its values at the page's foot, its label after the break)
            label = max((i for i in range(values[0]) if last[i]), default=values[0] - 1)
            last[label] = (last[label] or "") + "".join(_texts(first))
            after.rows.pop(0)


def _page_pairs(items: list):
    """(a ruled table, the ruled table that starts the next page) when nothing stands between
    them but the rest of a group's label the break cut (“三、本年度办” / “理结果”: the group's
    cell is not needed to read the rows)."""
    ruled = [k for k, item in enumerate(items) if isinstance(item, Ruled)]
    for k, n in zip(ruled, ruled[1:]):
        between = items[k + 1:n]
        if items[n].page == items[k].page + 1 and all(is_group(line.text) for line in between):
            yield items[k], items[n]


def _is_value(cell: str | None) -> bool:
    return bool(VALUE.fullmatch((cell or "").strip()))


def _texts(row: list[str | None]) -> list[str]:
    """A row's texts, whatever the grid: merged cells and spaces left out."""
    return [compact(c) for c in row if c and c.strip()]


def _furniture(pages: list[tuple[object, list[Line]]]) -> set[int]:
    """ids of the lines that are page numbers, or headers/footers repeated on several pages. A
    table row's values are neither, even where two pages end with a row of the same shape
    (“0 0 0 0 0 0 0”: a `-layout` grid's page ends at its last line)."""
    repeated = Counter()
    for page, lines in pages:
        for line in lines:
            if _in_margin(page, line):
                repeated[re.sub(r"\d+", "#", line.text)] += 1
    out = set()
    for page, lines in pages:
        for line in lines:
            if not _in_margin(page, line):
                continue
            if PAGE_NUMBER.fullmatch(line.text) or (len(pages) > 1 and not is_anchor(line)
                                                    and repeated[re.sub(r"\d+", "#", line.text)] > 1):
                out.add(id(line))
    return out


def _in_margin(page, line: Line) -> bool:
    return line.bottom < page.height * MARGIN or line.top > page.height * (1 - MARGIN)


def _html(lines: list[Line]) -> str:
    parts: list[str] = []
    paragraph: list[str] = []
    text_lines = [l for l in lines if isinstance(l, Line) and not l.is_row]
    left = min(l.x0 for l in text_lines) if text_lines else 0
    right = max(l.x1 for l in text_lines) if text_lines else 0

    def flush():
        if paragraph:
            parts.append(f"<p>{html.escape(''.join(paragraph))}</p>")
            paragraph.clear()

    previous = None
    for kind, item in blocks(lines):
        if kind in ("table", "ruled"):
            flush()
            cells = table_rows(item) if kind == "table" else [[c for c in row if c is not None] for row in item.rows]
            rows = ("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in cells)
            parts.append("<table>" + "".join(rows) + "</table>")
            previous = None
            continue
        line = item
        # punctuation no line starts with (a hanging “、” on a line of its own) continues the paragraph
        hanging = previous is not None and not previous.is_row and not line.is_row and line.text[:1] in CLOSING
        starts_new = not hanging and (
            previous is None or line.is_row or previous.is_row or line.x0 > left + line.size
            or previous.x1 < right - 2 * line.size
            or (line.page == previous.page and line.top - previous.bottom > 1.2 * line.size))
        if starts_new:
            flush()
        paragraph.append(line.text if not paragraph else join(paragraph[-1][-1:], line.text)[1:])
        previous = line
    flush()
    return "<html><body>" + "\n".join(parts) + "</body></html>"


def flow_html(pages: list[tuple[object, list[Line]]], ruled: list[list[Ruled]]) -> str:
    """The pages' lines and ruled tables as one flow, in HTML, without the page furniture."""
    furniture = _furniture(pages)
    items = []
    for (_, lines), tables in zip(pages, ruled):
        kept = [line for line in lines if id(line) not in furniture]
        items += sorted(kept + tables, key=lambda item: item.top)
    _continue_rows(items)
    return _html(items)


def pdf_html(path: Path) -> str:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psexceptions import PSException
    from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

    try:
        with bounded_streams(STREAM_LIMIT, STREAMS_LIMIT), pdfplumber.open(str(path)) as pdf:
            check_pages(pdf)
            pages, ruled = [], []
            for i, page in enumerate(pdf.pages):
                tables, rest = _ruled(page, i)
                pages.append((page, page_lines(rest, i)))
                ruled.append(tables)
                page.close()            # its characters and lines: what is kept is read from them
            title = (pdf.metadata.get("Title") or "") if isinstance(pdf.metadata, dict) else ""
    except TooLarge as exc:
        raise _too_large(path, exc) from None
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise UnreadableDocument("这个 PDF 已加密，请提供未加密的文件") from None
    except (PdfminerException, MalformedPDFException, PDFSyntaxError, PSException) as exc:
        cause = exc.args[0] if exc.args else None      # pdfplumber wraps what pdfminer raised
        if isinstance(cause, TooLarge):
            raise _too_large(path, cause) from None
        raise UnreadableDocument(f"无法作为 PDF 文件打开（文件可能已损坏：{type(exc).__name__}）") from None
    if not any(lines for _, lines in pages) and not any(ruled):
        raise UnreadableDocument("这个 PDF 没有文字层（可能是扫描件或图片），nianbao 不做文字识别；"
                                 "请使用原始的 Word 文件或网页导入")
    body = flow_html(pages, ruled)
    if title.strip():
        body = body.replace("<html>", f"<html><head><title>{html.escape(title.strip())}</title></head>", 1)
    return body


def _too_large(path: Path, exc: TooLarge) -> DataFileError:
    return DataFileError([Problem(path, None, None, f"{exc}，不像是一份年度报告（可能已损坏或是恶意构造的文件）；"
                                  "请用原始的 Word 文件导入，或重新导出 PDF")])
