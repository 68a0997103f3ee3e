"""What reading one PDF may cost, checked before pdfplumber lays out any page.

pdfplumber makes an object of ~2 KB for every character and every drawn line of a page, and
lays out about 30,000 characters a second: a page content stream of 1 MB of text (which
inflates from 1 KB) takes it 20 s and 1 GB. So the pages are first run through pdfminer's
interpreter with a device that only counts — the characters shown, the paths drawn, the bytes of
content interpreted (a form drawn a thousand times counts a thousand times) — and a PDF past
the bounds is refused before it is laid out. The counting pass shares the document, its decoded
streams and its fonts with pdfplumber's reading; every stream it inflates is bounded by
inflate.bounded_streams, which the caller has in force.

A report has 5–30 pages, 5,000–20,000 characters, 100–1,500 drawn paths (the tables' rules)
and 100 KB–1 MB of content: the bounds leave a margin of 2.5 and more, and keep the worst PDF
within them under 10 s of CPU time (docs/reliability.md).
"""
from __future__ import annotations

from ..errors import TooLarge
from ..io.inflate import inflated_past
from ..io.source import MB

CONTENT_LIMIT = 4 * MB         # page descriptions interpreted, all pages, forms as often as drawn
CHARACTERS_LIMIT = 50_000      # characters shown, all pages
PATHS_LIMIT = 6_000            # lines, rectangles and curves drawn, all pages
PAGES_LIMIT = 500              # pages (an empty page costs pdfplumber a few milliseconds)


def check_pages(pdf) -> None:
    """Count what pdfplumber's `pdf` holds, page by page; TooLarge past a bound."""
    from pdfminer.pdfdevice import PDFDevice
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdftypes import stream_value

    class Tally(PDFDevice):
        characters = paths = content = 0
        page = 0

        def render_string(self, textstate, seq, ncs, graphicstate):
            font = textstate.font
            for item in seq:
                if isinstance(item, bytes):
                    self.characters += len(font.decode(item)) if font is not None else len(item)
            if self.characters > CHARACTERS_LIMIT:
                raise TooLarge(f"PDF 中的文字（到第{self.page}页）超过 {CHARACTERS_LIMIT} 个")

        def paint_path(self, graphicstate, stroke, fill, evenodd, path):
            self.paths += 1
            if self.paths > PATHS_LIMIT:
                raise TooLarge(f"PDF 中画出的线条和图形（到第{self.page}页）超过 {PATHS_LIMIT} 个")

    class Counting(PDFPageInterpreter):
        def execute(self, streams):            # a page's contents, or a form each time it is drawn
            tally.content += sum(len(stream_value(s).get_data()) for s in streams)
            if tally.content > CONTENT_LIMIT:
                raise inflated_past(f"PDF 的页面内容（到第{tally.page}页）", CONTENT_LIMIT)
            super().execute(streams)

    tally = Tally(pdf.rsrcmgr)
    interpreter = Counting(pdf.rsrcmgr, tally)
    for number, page in enumerate(PDFPage.create_pages(pdf.doc), 1):   # before pdfplumber lists them all
        tally.page = number
        if number > PAGES_LIMIT:
            raise TooLarge(f"PDF 超过 {PAGES_LIMIT} 页")
        try:
            interpreter.process_page(page)
        except TooLarge:
            raise
        except Exception:      # what the pass cannot read, pdfplumber's reading reports in its words
            continue
