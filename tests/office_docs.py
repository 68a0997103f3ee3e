"""Word files as offices make them, for the import tests: python-docx writes the report with
real Word tables (merged cells as in the official form); LibreOffice prints them to PDF.

The tables are laid out from nianbao's own HTML of the form (render/tables.py), cell for cell:
rowspan and colspan become merged Word cells. Options make the traps of real files: a narrow
label column (labels wrap over lines), a long § 一 (a table runs over a page break), a title
too long for one line, a running header and page numbers, header rows repeated on every page a
table continues on; blanks come from the report.
"""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

from bs4 import BeautifulSoup
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from nianbao.render.tables import table_html


def _grid(html: str) -> list[list[tuple[int, int, int, int, str]]]:
    """(row, column, rowspan, colspan, text) of every cell of an HTML table, as placed in its grid."""
    taken: set[tuple[int, int]] = set()
    cells = []
    for r, tr in enumerate(BeautifulSoup(html, "html.parser").select("tr")):
        c = 0
        for td in tr.find_all(["td", "th"]):
            while (r, c) in taken:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            cells.append((r, c, rs, cs, td.get_text()))
            c += cs
    return cells


def glyphs_png(text: str, path: Path, pt: float = 10.5) -> Path:
    """The characters drawn as a picture: on the page as the text around them, in no text layer
    (as WPS writes glyphs its font subset cannot map back to characters)."""
    from PIL import Image, ImageDraw, ImageFont
    scale = 8                                         # pixels per point
    font = ImageFont.truetype("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", int(pt * scale))
    left, top, right, bottom = font.getbbox(text)
    image = Image.new("L", (right, int(pt * scale * 1.3)), 255)
    ImageDraw.Draw(image).text((0, int(pt * scale * 0.15)), text, font=font, fill=0)
    image.save(path)
    return path


def _fill_cell(cell, text: str, pictures: dict[str, Path]) -> None:
    """The cell's text; characters with a picture in `pictures` are that picture."""
    if not any(chars in text for chars in pictures):
        cell.text = text
        return
    paragraph = cell.paragraphs[0]
    pattern = "(" + "|".join(map(re.escape, pictures)) + ")"
    for piece in re.split(pattern, text):
        if piece in pictures:
            paragraph.add_run().add_picture(str(pictures[piece]), height=Pt(10.5 * 1.3))
        elif piece:
            paragraph.add_run(piece)


def _word_table(document, html: str, label_cm: float | None, width_cm: float, ruled: bool = True,
                repeat_header: bool = False, pictures: dict[str, Path] | None = None) -> None:
    cells = _grid(html)
    rows = max(r + rs for r, _, rs, _, _ in cells)
    cols = max(c + cs for _, c, _, cs, _ in cells)
    table = document.add_table(rows=rows, cols=cols)
    if ruled:
        table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    label_columns = {c for _, c, _, _, text in cells if text and not text.strip().replace(".", "").isdigit()
                     and c < 2 and cols > 4}
    first = label_cm if label_cm else width_cm / cols
    for c in range(cols):
        width = Cm(first) if c in label_columns or c == 0 else Cm((width_cm - first * len(label_columns | {0}))
                                                                   / max(1, cols - len(label_columns | {0})))
        for row in table.rows:
            row.cells[c].width = width
    for r, c, rs, cs, text in cells:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        _fill_cell(cell, text, pictures or {})
    if repeat_header:               # the header rows again on every page the table continues on
        first_values = min(r for r, _, _, _, text in cells if text.strip().replace(".", "").isdigit())
        for row in table.rows[:first_values]:
            mark = OxmlElement("w:tblHeader")
            mark.set(qn("w:val"), "true")
            row._tr.get_or_add_trPr().append(mark)


def _furniture(document, header: str) -> None:
    """A running header and a footer “- N -” with Word's PAGE field, on every page."""
    section = document.sections[0]
    section.header.paragraphs[0].text = header
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    footer.add_run("- ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    footer.add_run(" -")


def report_docx(report, path: Path, *, label_cm: float | None = None, overview_times: int = 1,
                title: str | None = None, title_pt: float = 10.5, header: str | None = None,
                ruled: bool = True, repeat_header: bool = False, tables: dict | None = None,
                signed: str = "2021年1月28日", pictures: dict[str, Path] | None = None,
                title_lines: tuple[str, ...] = ()) -> Path:
    """`tables`: {table id: HTML} in place of the form's (a table as an office altered it);
    `pictures`: {characters: PNG} drawn in the tables' cells as pictures (glyphs_png);
    `title_lines`: lines above the title (e.g. “正文”)."""
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(10.5)
    style.font.name = "Noto Serif CJK SC"
    if header:
        _furniture(document, header)
    for line in title_lines:
        document.add_paragraph(line)
    heading = document.add_paragraph()
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    heading.add_run(title or report.title).font.size = Pt(title_pt)
    document.add_paragraph("一、总体情况")
    for _ in range(overview_times):
        for line in report.narrative["overview"].splitlines():
            document.add_paragraph(line)
    for tid in ("proactive", "requests", "appeals"):
        document.add_paragraph(report.edition.tables[tid].title)
        html = (tables or {}).get(tid) or table_html(report, tid)
        _word_table(document, html, label_cm, 16.0, ruled, repeat_header, pictures)
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph("（一）存在问题")
    for line in report.narrative["problems"].splitlines():
        document.add_paragraph(line)
    document.add_paragraph("（二）改进措施")
    for line in report.narrative["improvements"].splitlines():
        document.add_paragraph(line)
    document.add_paragraph("六、其他需要报告的事项")
    document.add_paragraph(report.narrative["other"] or "无。")
    document.add_paragraph(report.unit)
    document.add_paragraph(signed)
    document.save(str(path))
    return path


def soffice(source: Path, target: str, outdir: Path) -> Path:
    """LibreOffice converts (`docx:MS Word 2007 XML`, `pdf`, `doc`) with a profile of its own."""
    profile = outdir.resolve() / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                    "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=180)
    return outdir / f"{source.stem}.{target.split(':')[0]}"
