"""Word reports (.docx, and .doc through LibreOffice) → the HTML the importer reads.

The document body is walked in order: paragraphs become <p>, tables <table>. A table is read
by its grid (python-docx gives one cell per grid column of a row); a merged cell is written
once, where it starts — as an HTML page writes it with colspan/rowspan — so page_text sees the
same row-and-cell structure whatever program made the file (Word, WPS, LibreOffice, files in
compatibility mode). Page headers and footers live in other parts of the file and are not read.
"""
from __future__ import annotations

import html
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import DataFileError, Problem, UnreadableDocument
from ..io.inflate import ZipLimits, unzipped
from ..io.source import DOCUMENT_LIMIT, MB, read_bytes

SOFFICE_TIMEOUT = 120          # seconds for LibreOffice to convert one .doc
# A report's document.xml is 50 KB–1 MB (Word writes more markup than LibreOffice); the largest
# parts of real files are pictures of a few MB, and python-docx holds every part in memory and
# parses each XML part whole (lxml: ~100 bytes an element). It then reads the body's elements
# at 20–80 µs each, so their number is bounded too: a 20-page report written by Word has ~15,000
# (paragraphs, runs of text, table cells and their properties), 16 MB of `<w:p/>` would be
# 2.8 million. Measured at these bounds: see docs/reliability.md.
LIMITS = ZipLimits(kind="Word 文档", part=16 * MB, total=64 * MB, parts=2000,
                   advice="请用 Word 或 WPS 打开后“另存为”.docx 再导入（图片过多、过大时请先压缩图片）")
ELEMENTS_LIMIT = 100_000


def _cell_text(cell) -> str:
    return "\n".join(p.text for p in cell.paragraphs)


def _table_html(table) -> str:
    """Rows of the grid; a merged cell once, in the first row and column it covers."""
    seen: set = set()            # the cells themselves (lxml elements), not id()s that GC may reuse
    rows = []
    for row in table.rows:
        cells = []
        for cell in row.cells:
            if cell._tc in seen:
                continue
            seen.add(cell._tc)
            cells.append(f"<td>{html.escape(_cell_text(cell))}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>" + "".join(rows) + "</table>"


def _body_blocks(element):
    """Paragraphs and tables in reading order, also those inside content controls (w:sdt),
    which WPS and Word templates put around parts of a document."""
    for child in element.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag in ("p", "tbl"):
            yield child
        elif tag == "sdt":
            for content in child.iterchildren():
                if content.tag.endswith("}sdtContent"):
                    yield from _body_blocks(content)


def docx_html(path: Path, data: bytes) -> str:
    """`data`, the bytes of the Word file `path` (the name the user gave), as HTML."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    archive = unzipped(path, data, LIMITS)
    try:
        document = Document(archive or io.BytesIO(data))
    except Exception as exc:  # python-docx only parses here: whatever it raises, the file is the cause
        raise UnreadableDocument(f"无法作为 Word 文档（.docx）打开：{type(exc).__name__}") from None
    body = document.element.body
    if sum(1 for _ in body.iter()) > ELEMENTS_LIMIT:    # lxml counts fast; python-docx reads slowly
        raise DataFileError([Problem(path, None, None, f"Word 文档的正文过长（段落、表格单元格和文字片段等"
                                     f"超过 {ELEMENTS_LIMIT} 个），不像是一份年度报告；请检查是否选错了文件")])
    parts = []
    title = (document.core_properties.title or "").strip()
    if title:
        parts.append(f"<head><title>{html.escape(title)}</title></head>")
    for child in _body_blocks(body):
        if child.tag.endswith("}p"):
            parts.append(f"<p>{html.escape(Paragraph(child, document).text)}</p>")
        else:
            parts.append(_table_html(Table(child, document)))
    # <html> tells page_text this is markup, whatever the first paragraphs say
    return "<html>" + "\n".join(parts) + "</html>"


def doc_html(path: Path) -> str:
    """An old binary .doc: converted to .docx by LibreOffice when it is installed."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise UnreadableDocument("这是旧版 Word 文档（.doc），请用 Word 或 WPS“另存为”.docx 后再导入"
                                 "（或安装 LibreOffice，nianbao 会自动转换）")
    with tempfile.TemporaryDirectory() as tmp:
        profile = Path(tmp) / "profile"             # its own profile: never blocked by an open LibreOffice
        try:
            subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                            "--convert-to", "docx", "--outdir", tmp, str(path)],
                           capture_output=True, timeout=SOFFICE_TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise UnreadableDocument("LibreOffice 转换这个 .doc 文件超时") from None
        converted = Path(tmp) / (path.stem + ".docx")
        if not converted.is_file():
            raise UnreadableDocument("LibreOffice 无法转换这个 .doc 文件（文件可能已损坏或加密）")
        return docx_html(path, read_bytes(converted, DOCUMENT_LIMIT))
