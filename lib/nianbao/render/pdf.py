"""The public page as a PDF for printing, sealing and filing: WeasyPrint lays out the page's own
HTML with its paged-media stylesheet (print.css): A4, official margins, “— N —” page numbers,
table headers repeated, fonts embedded (subset) so it prints the same on any machine.

The page is self-contained; the fetcher refuses anything but the page's own data: URLs, so
making a PDF never touches the network or the disk.
"""
from __future__ import annotations

import base64
import io
import re
import struct
from functools import cache

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EMBEDDED = re.compile(r'(?<= src=")data:(image/[a-z+]+);base64,([A-Za-z0-9+/=]+)(?=")')
HANDED = "nianbao-embedded:"     # an embedded image's place in the page while WeasyPrint reads it


def _hand_over(html: str) -> tuple[str, dict[str, tuple[str, bytes]]]:
    """The page with each embedded image (`src="data:…;base64,…"`) replaced by a short name, and
    the images by name: WeasyPrint's HTML parser then reads 20 KB, not the charts' 370 KB of
    base64 (half of its parsing time), and the fetcher hands each image over decoded."""
    images = {}

    def name(match: re.Match) -> str:
        key = f"{HANDED}{len(images)}"
        images[key] = (match[1], base64.b64decode(match[2]))
        return key
    return EMBEDDED.sub(name, html), images


def _fetcher(images: dict[str, tuple[str, bytes]]):
    """The page's own images and data: URLs; anything else fails the PDF, not silently."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class PageOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url in images:
                kind, data = images[url]
                return URLFetcherResponse(url, data, {"Content-Type": kind})
            return super().fetch(url, headers)
    return PageOnly(allowed_protocols={"data"}, fail_on_errors=True)


@cache
def _fonts():
    """One font configuration per process: fontconfig's view of the installed fonts."""
    from weasyprint.text.fonts import FontConfiguration
    return FontConfiguration()


def plain_idat(png: bytes) -> bytes | None:
    """The compressed pixel rows of an 8-bit, non-interlaced RGB or grey PNG — exactly the
    stream a PDF image with /FlateDecode and a PNG predictor holds — or None for any other PNG."""
    if not png.startswith(PNG_SIGNATURE):
        return None
    at, idat = len(PNG_SIGNATURE), []
    while at + 8 <= len(png):
        length, kind = struct.unpack_from(">I4s", png, at)
        body = png[at + 8:at + 8 + length]
        if kind == b"IHDR":
            depth, colour, _, _, interlace = struct.unpack_from(">5B", body, 8)
            if depth != 8 or colour not in (0, 2) or interlace:
                return None
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
        at += 12 + length
    return b"".join(idat) or None


@cache
def _keep_png_streams() -> None:
    """WeasyPrint decodes every PNG and compresses its pixels again only to take the IDAT data
    of the result (≈ 25 ms a 220 dpi chart, most of a chart's cost in the PDF). The charts are
    8-bit RGB PNGs whose own IDAT data is that stream already: it is kept. Any other image
    (alpha, palette, 16-bit, interlaced, converted) goes WeasyPrint's way. A process-wide change
    to WeasyPrint (70), made once; a WeasyPrint without this step is left as it is."""
    from weasyprint.images import RasterImage
    encode = getattr(RasterImage, "_get_png_data", None)
    if encode is None:
        return

    def png_data(pillow_image):
        source = getattr(pillow_image, "fp", None)       # an image opened from bytes, not converted
        if pillow_image.format == "PNG" and isinstance(source, io.BytesIO):
            kept = plain_idat(source.getvalue())
            if kept is not None:
                return kept
        return encode(pillow_image)

    RasterImage._get_png_data = staticmethod(png_data)


def pdf_bytes(html: str, title: str | None = None) -> bytes:
    """The PDF of one exported page (public or review)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError
    _keep_png_streams()
    page, images = _hand_over(html)
    try:
        document = HTML(string=page, url_fetcher=_fetcher(images)).render(font_config=_fonts())
    except FatalURLFetchingError as exc:      # a BaseException in WeasyPrint: made an ordinary error
        url = str(exc).removeprefix("Error fetching ").strip('"')
        raise ValueError(f"页面引用了外部资源 {url[:120]}，报告不从网络或磁盘读取任何内容") from None
    if title:
        document.metadata.title = title
    return document.write_pdf()
