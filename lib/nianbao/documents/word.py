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
from xml.sax.saxutils import escape

from lxml.html import HtmlElement
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from .blocks import aligned_left, classes, content, declared_widths, grid, header_rows, kind, page_title, \
    plain_text, rows, walk

BODY, HEITI, KAITI, TITLE, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"
TEXT_WIDTH = Cm(15.6)          # 210 mm − 28 mm − 26 mm
TABLE_PT = 10.0                # the tables' font size, as on the page (em widths are of it)
LINE = Pt(29)                  # 22 lines on the 225 mm text block (GB/T 9704)
RED = RGBColor(0xB2, 0x22, 0x22)
# a table: the Word style Table Grid, centred, fixed column widths, cells 2 pt in from their borders
TABLE_PROPERTIES = ('<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
                    '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="40" w:type="dxa"/>'
                    '<w:right w:w="40" w:type="dxa"/></w:tblCellMar><w:tblLook w:firstColumn="1" w:firstRow="1" '
                    'w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>')
HEADER_ROW = '<w:tblHeader w:val="true"/>'          # repeated on every page the table crosses
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
RESTART = '<w:vMerge w:val="restart"/>'             # a cell spanning rows: its first row


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

def _widths(table: HtmlElement, count: int) -> list[int]:
    """Column widths (EMU): the page's <colgroup> (em of the table font), the free columns
    sharing what is left; without one, equal columns."""
    # + 3 pt: Word draws the borders inside the width, the browser outside it
    cols = [Pt(em * TABLE_PT + 3) if em is not None else None for em in declared_widths(table)]
    if len(cols) != count:
        return [TEXT_WIDTH // count] * count
    free = [i for i, w in enumerate(cols) if w is None]
    rest = max(TEXT_WIDTH - sum(w for w in cols if w is not None), Cm(1) * len(free))
    return [w if w is not None else rest // len(free) for w in cols]


def _text(text: str) -> str:
    return f"<w:t>{escape(text)}</w:t>" if text else ""         # as python-docx's run: none when empty


def _width(emu: int) -> str:
    return f'<w:tcW w:type="dxa" w:w="{Emu(emu).twips}"/>'


def _table(doc, table: HtmlElement) -> None:
    """The table as Word XML written at once (python-docx's cell API looks through the table on
    every call: cell by cell, it was most of the Word file's cost). One <w:tc> per HTML cell and
    per row a cell continues into (gridSpan, vMerge); header rows repeated on every page the table
    crosses; no row split across pages; cells 2 pt in from their borders (the page's 2 px)."""
    placed = grid(rows(table))
    columns = max(c + cs for _, c, _, cs, _ in placed)
    widths = _widths(table, columns)                        # EMU
    cells: dict[tuple[int, int], tuple[int, str]] = {}      # (row, column) → (colspan, its <w:tc>)
    for r, c, rs, cs, cell in placed:
        spans = _width(sum(widths[c:c + cs])) + (f'<w:gridSpan w:val="{cs}"/>' if cs > 1 else "")
        font = HEITI if "caption" in classes(cell.getparent()) else BODY
        half_points = 18 if "corner" in classes(cell) else round(2 * TABLE_PT)
        cells[(r, c)] = (cs, f'<w:tc><w:tcPr>{spans}{RESTART if rs > 1 else ""}<w:vAlign w:val="center"/></w:tcPr>'
                             f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/>'
                             f'<w:jc w:val="{"left" if aligned_left(cell, table) else "center"}"/></w:pPr>'
                             f'<w:r><w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{font}"/>'
                             f'<w:sz w:val="{half_points}"/></w:rPr>{_text(plain_text(cell))}</w:r></w:p></w:tc>')
        for below in range(r + 1, r + rs):
            cells[(below, c)] = (cs, f"<w:tc><w:tcPr>{spans}<w:vMerge/></w:tcPr><w:p/></w:tc>")
    repeated = header_rows(table)
    xml = [f'<w:tbl {nsdecls("w")}>{TABLE_PROPERTIES}<w:tblGrid>',
           *(f'<w:gridCol w:w="{Emu(w).twips}"/>' for w in widths), "</w:tblGrid>"]
    for r in range(max(r + rs for r, _, rs, _, _ in placed)):
        xml.append(f'<w:tr><w:trPr><w:cantSplit w:val="true"/>{HEADER_ROW if r < repeated else ""}</w:trPr>')
        c = 0
        while c < columns:          # a place no cell covers is an empty cell, as a browser leaves it
            cs, tc = cells.get((r, c), (1, f"<w:tc><w:tcPr>{_width(widths[c])}</w:tcPr><w:p/></w:tc>"))
            xml.append(tc)
            c += cs
        xml.append("</w:tr>")
    doc.element.body.sectPr.addprevious(parse_xml("".join(xml) + "</w:tbl>"))
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


# ---- figures ----

def _figure(doc, figure: HtmlElement) -> None:
    """A chart with its notes and caption, or an image standing alone (a staff member's chart)."""
    img = figure if figure.tag == "img" else figure.find(".//img")
    src = img.get("src", "") if img is not None else ""
    if src.startswith("data:image/png;base64,"):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.keep_with_next = True
        picture = para.add_run().add_picture(io.BytesIO(base64.b64decode(src.split(",", 1)[1])), width=TEXT_WIDTH)
        # its alternative text (a chart's numbers) for a screen reader, as the page's alt
        picture._inline.docPr.set("descr", img.get("alt") or "图片")
    for note in figure.iter("p"):
        _paragraph(doc, plain_text(note), size=12, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER, keep=True)
    caption = figure.find(".//figcaption")
    if caption is not None:
        _paragraph(doc, plain_text(caption), size=12, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER)


# ---- the page ----

def _walk(doc, node: HtmlElement) -> None:
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
    _unused_parts_dropped(doc)
    _page_setup(doc)
    doc.core_properties.title = title or page_title(html)
    doc.core_properties.author = doc.core_properties.last_modified_by = ""
    _walk(doc, content(html))
    return _saved(doc)


def _unused_parts_dropped(doc) -> None:
    """Leaves out what python-docx's default template carries and a report has no use for: a
    picture of an empty page (a file browser's preview of every report), Word 2010's second copy
    of the styles and a sample bibliography store — half of what the file's zip compressed."""
    for part, unused in ((doc.part.package, RT.THUMBNAIL), (doc.part, STYLES_WITH_EFFECTS), (doc.part, RT.CUSTOM_XML)):
        for rId in [rId for rId, rel in part.rels.items() if rel.reltype == unused]:
            del part.rels[rId]


class _Undated:
    """Takes a package's parts as python-docx's own zip writer does, but dates every entry
    1980-01-01 instead of the time of writing — the same page gives the same bytes, as its PDF and
    pages do, and a rerun changes nothing — and stores pictures as they are (a PNG is compressed
    already: deflating it again cost more than all of the XML)."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self.archive = archive

    def write(self, pack_uri, blob: bytes) -> None:
        stored = pack_uri.ext.lower() in ("png", "jpeg", "jpg", "gif")
        self.archive.writestr(zipfile.ZipInfo(pack_uri.membername, date_time=(1980, 1, 1, 0, 0, 0)), blob,
                              compress_type=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED)


def _saved(doc) -> bytes:
    """The .docx's bytes: Document.save's steps (PackageWriter.write's), each part written once
    into an undated zip (saving, then writing the zip again undated, compressed everything twice)."""
    package = doc.part.package
    parts = package.parts
    for part in parts:
        part.before_marshal()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        writer = _Undated(archive)
        PackageWriter._write_content_types_stream(writer, parts)
        PackageWriter._write_pkg_rels(writer, package.rels)
        PackageWriter._write_parts(writer, parts)
    return out.getvalue()
