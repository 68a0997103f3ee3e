"""The public page as a Word document (.docx) in the official layout, made from the page's HTML:
the page is the one rendering of the report (its prose is edited in the notebook), so the Word
file says exactly what the page says.

Headings, paragraphs, the form's tables (rowspan/colspan → real merged Word cells, header rows
repeated on every page), the charts (their embedded PNG) and captions; A4 with the margins of
GB/T 9704, fonts named as offices have them (仿宋_GB2312 body, 黑体 and 楷体_GB2312 headings,
方正小标宋简体 title), the page number “— N —” in the footer on the outer side.
"""
from __future__ import annotations

import base64
import io
import zipfile
from copy import deepcopy
from functools import cache

from bs4 import Tag
from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .blocks import aligned_left, content, declared_widths, grid, header_rows, kind, page_title, plain_text, walk

BODY, HEITI, KAITI, TITLE, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"
TEXT_WIDTH = Cm(15.6)          # 210 mm − 28 mm − 26 mm
TABLE_PT = 10.0                # the tables' font size, as on the page (em widths are of it)
LINE = Pt(29)                  # 22 lines on the 225 mm text block (GB/T 9704)
RED = RGBColor(0xB2, 0x22, 0x22)


def _font(run, east_asian: str, size: float | None = None, bold: bool | None = None) -> None:
    """The run's fonts (a new run: it has no properties yet), a copy of its kind's properties."""
    run._r.insert(0, deepcopy(_run_properties(east_asian, size, bold)))


# python-docx's setters look for where each property goes in the schema's order on every call:
# set on every run and paragraph, they were most of the Word file's cost. Each kind of run and
# paragraph is set once by them, here, and its properties copied (the same XML).

@cache
def _run_properties(east_asian: str, size: float | None, bold: bool | None):
    run = Run(OxmlElement("w:r"), None)
    run.font.name = LATIN
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    if size is not None:
        run.font.size = Pt(size)
    if bold is not None:
        run.font.bold = bold
    return run._r.rPr


@cache
def _paragraph_properties(align, first_line_indent: Pt | None, keep: bool):
    fmt = Paragraph(OxmlElement("w:p"), None).paragraph_format
    fmt.alignment = align
    fmt.first_line_indent = first_line_indent
    fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, LINE
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.keep_with_next = keep
    fmt.widow_control = True
    return fmt._element.pPr


@cache
def _cell_properties(align):
    fmt = Paragraph(OxmlElement("w:p"), None).paragraph_format
    fmt.alignment = align
    fmt.space_before = fmt.space_after = Pt(0)
    return fmt._element.pPr


def _paragraph(doc, text: str, font: str = BODY, size: float = 16, bold: bool = False,
               indent: bool = True, align=WD_ALIGN_PARAGRAPH.JUSTIFY, keep: bool = False):
    para = doc.add_paragraph()
    para._p.insert(0, deepcopy(_paragraph_properties(align, Pt(2 * size) if indent else None, keep)))
    _font(para.add_run(text), font, size, bold)
    return para


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.2)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY)
    # the document's language (spelling, reading aloud): Chinese as written in China
    language = OxmlElement("w:lang")
    for kind in ("w:val", "w:eastAsia"):
        language.set(qn(kind), "zh-CN")
    normal.element.get_or_add_rPr().append(language)
    doc.core_properties.language = "zh-CN"


def _page_number(para, align) -> None:
    """“— N —” in 4号 宋体, one character in from the outer edge of the text block."""
    para.alignment = align
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        para.paragraph_format.right_indent = Pt(14)
    else:
        para.paragraph_format.left_indent = Pt(14)
    _font(para.add_run("— "), SONG, 14)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = para.add_run("1")
    _font(run, SONG, 14)
    run._element.getparent().remove(run._element)
    field.append(run._element)
    para._p.append(field)
    _font(para.add_run(" —"), SONG, 14)


# ---- tables ----

def _widths(table: Tag, count: int) -> list[int]:
    """Column widths (EMU): the page's <colgroup> (em of the table font), the free columns
    sharing what is left; without one, equal columns."""
    # + 3 pt: Word draws the borders inside the width, the browser outside it
    cols = [Pt(em * TABLE_PT + 3) if em is not None else None for em in declared_widths(table)]
    if len(cols) != count:
        return [TEXT_WIDTH // count] * count
    free = [i for i, w in enumerate(cols) if w is None]
    rest = max(TEXT_WIDTH - sum(w for w in cols if w is not None), Cm(1) * len(free))
    return [w if w is not None else rest // len(free) for w in cols]


def _row_flag(row, name: str) -> None:
    flag = OxmlElement(name)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


def _merged_rows(word, placed, widths: list[int]) -> dict[tuple[int, int], _Cell]:
    """Lays the grid's merges into the Word table's XML in one pass (python-docx's merge()
    re-reads the whole table per call): one <w:tc> per origin and per row a cell continues
    into, with gridSpan and vMerge. Returns the Word cell of each HTML cell's origin."""
    cover: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    for r, c, rs, cs, _ in placed:
        for i in range(rs):
            cover[(r + i, c)] = (r, c, rs, cs)
    origins = {}
    for r, row in enumerate(word.rows):
        tcs = list(row._tr.tc_lst)
        c = 0
        while c < len(tcs):
            r0, c0, rs, cs = cover.get((r, c), (r, c, 1, 1))
            tc = tcs[c]
            tc.width = sum(widths[c:c + cs])
            if cs > 1:
                tc.grid_span = cs
                for extra in tcs[c + 1:c + cs]:
                    row._tr.remove(extra)
            if rs > 1:
                tc.vMerge = "restart" if r == r0 else "continue"
            if r == r0:
                origins[(r, c)] = _Cell(tc, word)
            c += cs
    return origins


def _table(doc, table: Tag) -> None:
    repeated = header_rows(table)
    placed = grid(table.find_all("tr"))
    width = max(c + cs for _, c, _, cs, _ in placed)
    height = max(r + rs for r, _, rs, _, _ in placed)
    word = doc.add_table(rows=height, cols=width)
    word.style = "Table Grid"
    word.alignment = WD_TABLE_ALIGNMENT.CENTER
    word.autofit = False
    widths = _widths(table, width)
    for column, w in zip(word.columns, widths):
        column.width = w
    margins = OxmlElement("w:tblCellMar")            # 2 pt each side, as the page's 2 px
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), "40")
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    word._tbl.tblPr.append(margins)
    for r, row in enumerate(word.rows):
        _row_flag(row, "w:cantSplit")                 # no row split across pages
        if r < repeated:
            _row_flag(row, "w:tblHeader")             # repeated on every page the table crosses
    origins = _merged_rows(word, placed, widths)
    for r, c, rs, cs, cell in placed:
        target = origins[(r, c)]
        target.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        para = target.paragraphs[0]
        para._p.insert(0, deepcopy(_cell_properties(WD_ALIGN_PARAGRAPH.LEFT if aligned_left(cell)
                                                    else WD_ALIGN_PARAGRAPH.CENTER)))
        caption = "caption" in (cell.parent.get("class") or [])
        _font(para.add_run(plain_text(cell)), HEITI if caption else BODY,
              9 if "corner" in (cell.get("class") or []) else TABLE_PT)
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


# ---- figures ----

def _figure(doc, figure: Tag) -> None:
    """A chart with its notes and caption, or an image standing alone (a staff member's chart)."""
    img = figure if figure.name == "img" else figure.find("img")
    src = img.get("src", "") if img else ""
    if src.startswith("data:image/png;base64,"):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.keep_with_next = True
        picture = para.add_run().add_picture(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), width=TEXT_WIDTH)
        # its alternative text (a chart's numbers) for a screen reader, as the page's alt
        picture._inline.docPr.set("descr", img.get("alt") or "图片")
    for note in figure.find_all("p"):
        _paragraph(doc, plain_text(note), size=12, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    caption = figure.find("figcaption")
    if caption:
        _paragraph(doc, plain_text(caption), size=12, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)


# ---- the page ----

def _walk(doc, node: Tag) -> None:
    for block in walk(node):
        look = "p" if isinstance(block, str) else kind(block)
        text = block if isinstance(block, str) else plain_text(block)
        if look == "table":
            _table(doc, block)
        elif look == "figure":
            _figure(doc, block)
        elif not text:
            continue
        elif look == "title":
            _paragraph(doc, text, TITLE, 22, bold=True, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
            doc.add_paragraph()
        elif look in ("h2", "h3"):
            _paragraph(doc, text, HEITI if look == "h2" else KAITI, keep=True)
        elif look == "banner":
            para = _paragraph(doc, text, HEITI, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)
            para.runs[0].font.color.rgb = RED
        elif look == "signature":
            para = _paragraph(doc, text, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
            para.paragraph_format.right_indent = Pt(32)
        else:
            _paragraph(doc, text)


def docx_bytes(html: str, title: str | None = None) -> bytes:
    """The Word document of one exported page (meant for the public page)."""
    doc = Document()
    _page_setup(doc)
    doc.core_properties.title = title or page_title(html)
    doc.core_properties.author = doc.core_properties.last_modified_by = ""
    _walk(doc, content(html))
    out = io.BytesIO()
    doc.save(out)
    return _undated(out.getvalue())


def _undated(docx: bytes) -> bytes:
    """The same file with its zip entries dated 1980-01-01 instead of the time of writing, so that
    the same page gives the same bytes (as its PDF and pages do) and a rerun changes nothing."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(docx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            target.writestr(zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0)),
                            source.read(entry), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()
