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
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.pkgwriter import PackageWriter
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Emu, Pt

from .blocks import blocks, page_title, printable

BODY, HEITI, KAITI, TITLE, SONG = "仿宋_GB2312", "黑体", "楷体_GB2312", "方正小标宋简体", "宋体"
LATIN = "Times New Roman"
TEXT_WIDTH = Cm(15.6)          # 210 mm − 28 mm − 26 mm
TABLE_PT = 10.0                # the tables' font size, as on the page (em widths are of it)
LINE = Pt(29)                  # 22 lines on the 225 mm text block (GB/T 9704)
RED = "B22222"
# a table: the Word style Table Grid, centred, fixed column widths, cells 2 pt in from their borders
TABLE_PROPERTIES = ('<w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:type="auto" w:w="0"/><w:jc w:val="center"/>'
                    '<w:tblLayout w:type="fixed"/><w:tblCellMar><w:left w:w="40" w:type="dxa"/>'
                    '<w:right w:w="40" w:type="dxa"/></w:tblCellMar><w:tblLook w:firstColumn="1" w:firstRow="1" '
                    'w:lastColumn="0" w:lastRow="0" w:noHBand="0" w:noVBand="1" w:val="04A0"/></w:tblPr>')
HEADER_ROW = '<w:tblHeader w:val="true"/>'          # repeated on every page the table crosses
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"
RESTART = '<w:vMerge w:val="restart"/>'             # a cell spanning rows: its first row


# The report's own XML is written as text (escaped) and parsed once per block: python-docx's
# setters look through the schema's order on every call, and set run by run and cell by cell they
# were most of the Word file's cost. python-docx makes the package, the page and the pictures.

def _run(text: str, font: str, size: float, bold: bool | None = None, color: str = "") -> str:
    """A run of text in a font (Latin letters and digits in Times New Roman), size in points."""
    weight = "" if bold is None else "<w:b/>" if bold else '<w:b w:val="0"/>'
    color = f'<w:color w:val="{color}"/>' if color else ""
    return (f'<w:r><w:rPr><w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{font}"/>{weight}{color}'
            f'<w:sz w:val="{round(2 * size)}"/></w:rPr>{_text(text)}</w:r>')


def _text(text: str) -> str:
    """As python-docx writes a run's text: none when empty, spaces at its ends kept."""
    kept = ' xml:space="preserve"' if text != text.strip() else ""
    return f"<w:t{kept}>{escape(text)}</w:t>" if text else ""


def _paragraph(doc, text: str, font: str = BODY, size: float = 16, bold: bool = False, indent: bool = True,
               align: str = "both", keep: bool = False, right: int = 0, color: str = "") -> None:
    """A paragraph of the report: 29 pt exact line spacing, no space around it, no widow or orphan,
    a 2-character first-line indent unless told not to, `right` points in from the right; kept
    with the next one (headings)."""
    kept = "<w:keepNext/>" if keep else '<w:keepNext w:val="0"/>'
    inset = (f' w:right="{Pt(right).twips}"' if right else "") + (f' w:firstLine="{Pt(2 * size).twips}"' if indent else "")
    _append(doc, f'<w:p {nsdecls("w")}><w:pPr>{kept}<w:widowControl/><w:spacing w:lineRule="exact" '
                 f'w:line="{LINE.twips}" w:before="0" w:after="0"/>{f"<w:ind{inset}/>" if inset else ""}'
                 f'<w:jc w:val="{align}"/></w:pPr>{_run(text, font, size, bold, color)}</w:p>')


def _append(doc, xml: str) -> None:
    doc.element.body.sectPr.addprevious(parse_xml(xml))


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    section.footer_distance = Cm(2.2)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], "right")
    _page_number(section.even_page_footer.paragraphs[0], "left")
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN, Pt(16)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), BODY)
    # the document's language (spelling, reading aloud): Chinese as written in China
    language = OxmlElement("w:lang")
    for kind in ("w:val", "w:eastAsia"):
        language.set(qn(kind), "zh-CN")
    normal.element.get_or_add_rPr().append(language)
    doc.core_properties.language = "zh-CN"


def _page_number(para, side: str) -> None:
    """“— N —” in 4号 宋体, one character in from the outer edge of the text block."""
    number = parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="Footer"/><w:ind w:{side}="{Pt(14).twips}"/>'
                       f'<w:jc w:val="{side}"/></w:pPr>{_run("— ", SONG, 14)}<w:fldSimple w:instr="PAGE">'
                       f'{_run("1", SONG, 14)}</w:fldSimple>{_run(" —", SONG, 14)}</w:p>')
    para._p.addprevious(number)
    para._p.getparent().remove(para._p)


# ---- tables ----

def _widths(declared: list[float | None], count: int) -> list[int]:
    """Column widths (EMU): the page's <colgroup> (em of the table font), the free columns
    sharing what is left; without one, equal columns."""
    # + 3 pt: Word draws the borders inside the width, the browser outside it
    cols = [Pt(em * TABLE_PT + 3) if em is not None else None for em in declared]
    if len(cols) != count:
        return [TEXT_WIDTH // count] * count
    free = [i for i, w in enumerate(cols) if w is None]
    rest = max(TEXT_WIDTH - sum(w for w in cols if w is not None), Cm(1) * len(free))
    return [w if w is not None else rest // len(free) for w in cols]


def _width(emu: int) -> str:
    return f'<w:tcW w:type="dxa" w:w="{Emu(emu).twips}"/>'


def _table(doc, table: dict) -> None:
    """The table as Word XML: one <w:tc> per HTML cell and per row a cell continues into (gridSpan,
    vMerge); header rows repeated on every page the table crosses; no row split across pages;
    cells 2 pt in from their borders (the page's 2 px)."""
    widths = _widths(table["widths"], table["columns"])      # EMU
    cells: dict[tuple[int, int], tuple[int, str]] = {}      # (row, column) → (colspan, its <w:tc>)
    for cell in table["cells"]:
        r, c, rs, cs = cell["r"], cell["c"], cell["rs"], cell["cs"]
        spans = _width(sum(widths[c:c + cs])) + (f'<w:gridSpan w:val="{cs}"/>' if cs > 1 else "")
        text = _run(cell["text"], HEITI if cell["caption"] else BODY, 9 if cell["corner"] else TABLE_PT)
        cells[(r, c)] = (cs, f'<w:tc><w:tcPr>{spans}{RESTART if rs > 1 else ""}<w:vAlign w:val="center"/></w:tcPr>'
                             f'<w:p><w:pPr><w:spacing w:before="0" w:after="0"/>'
                             f'<w:jc w:val="{"left" if cell["left"] else "center"}"/></w:pPr>{text}</w:p></w:tc>')
        for below in range(r + 1, r + rs):
            cells[(below, c)] = (cs, f"<w:tc><w:tcPr>{spans}<w:vMerge/></w:tcPr><w:p/></w:tc>")
    xml = [f'<w:tbl {nsdecls("w")}>{TABLE_PROPERTIES}<w:tblGrid>',
           *(f'<w:gridCol w:w="{Emu(w).twips}"/>' for w in widths), "</w:tblGrid>"]
    for r in range(table["rows"]):
        xml.append(f'<w:tr><w:trPr><w:cantSplit w:val="true"/>{HEADER_ROW if r < table["header"] else ""}</w:trPr>')
        c = 0
        while c < table["columns"]:          # a place no cell covers is an empty cell, as a browser leaves it
            cs, tc = cells.get((r, c), (1, f"<w:tc><w:tcPr>{_width(widths[c])}</w:tcPr><w:p/></w:tc>"))
            xml.append(tc)
            c += cs
        xml.append("</w:tr>")
    _append(doc, "".join(xml) + "</w:tbl>")
    doc.add_paragraph().paragraph_format.space_after = Pt(0)


# ---- figures ----

def _figure(doc, figure: dict) -> None:
    """A chart with its notes and caption, or an image standing alone (a staff member's chart)."""
    if (figure["src"] or "").startswith("data:image/png;base64,"):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        para.paragraph_format.keep_with_next = True
        png = base64.b64decode(figure["src"].split(",", 1)[1])
        picture = para.add_run().add_picture(io.BytesIO(png), width=TEXT_WIDTH)
        # its alternative text (a chart's numbers) for a screen reader, as the page's alt
        picture._inline.docPr.set("descr", figure["alt"])
    for note in figure["notes"]:
        _paragraph(doc, note, size=12, indent=False, align="center", keep=True)
    if figure["caption"] is not None:
        _paragraph(doc, figure["caption"], size=12, indent=False, align="center")


# ---- the page ----

def _write(doc, blocks: tuple[dict, ...]) -> None:
    for block in blocks:
        look = block["kind"]
        if look == "table":
            _table(doc, block)
        elif look == "figure":
            _figure(doc, block)
        elif look == "title":
            _paragraph(doc, block["text"], TITLE, 22, bold=True, indent=False, align="center", keep=True)
            doc.add_paragraph()
        elif look in ("h2", "h3"):
            _paragraph(doc, block["text"], HEITI if look == "h2" else KAITI, keep=True)
        elif look == "banner":
            _paragraph(doc, block["text"], HEITI, indent=False, align="center", color=RED)
        elif look == "signature":
            _paragraph(doc, block["text"], indent=False, align="right", right=32)
        else:
            _paragraph(doc, block["text"])


def docx_bytes(html: str, title: str | None = None) -> bytes:
    """The Word document of one exported page (meant for the public page)."""
    doc = Document()
    _unused_parts_dropped(doc)
    _page_setup(doc)
    doc.core_properties.title = printable(title or "") or page_title(html)
    doc.core_properties.author = doc.core_properties.last_modified_by = ""
    _write(doc, blocks(html))
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
