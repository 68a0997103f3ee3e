"""The public page as a PDF for printing, sealing and filing: WeasyPrint lays out the page's own
HTML with its paged-media stylesheet (print.css): A4, official margins, “— N —” page numbers,
table headers repeated, fonts embedded (subset) so it prints the same on any machine.

The page is self-contained; the fetcher refuses anything but the page's own data: URLs, so
making a PDF never touches the network or the disk.
"""
from __future__ import annotations

from functools import cache


@cache
def _inline_only():
    """Only data: URLs (the page's embedded charts); anything else fails the PDF, not silently."""
    from weasyprint.urls import URLFetcher
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


@cache
def _fonts():
    """One font configuration per process: fontconfig's view of the installed fonts."""
    from weasyprint.text.fonts import FontConfiguration
    return FontConfiguration()


def pdf_bytes(html: str, title: str | None = None) -> bytes:
    """The PDF of one exported page (public or review)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError
    try:
        document = HTML(string=html, url_fetcher=_inline_only()).render(font_config=_fonts())
    except FatalURLFetchingError as exc:      # a BaseException in WeasyPrint: made an ordinary error
        url = str(exc).removeprefix("Error fetching ").strip('"')
        raise ValueError(f"页面引用了外部资源 {url[:120]}，报告不从网络或磁盘读取任何内容") from None
    if title:
        document.metadata.title = title
    return document.write_pdf()
