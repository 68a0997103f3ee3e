"""A matplotlib figure as the PNG a page embeds: print quality (DPI), cropped to what is drawn
plus matplotlib's pad, as `savefig(bbox_inches="tight")` crops it — but drawn once.

Why not savefig: with bbox_inches="tight" matplotlib lays the figure out twice (once to find the
box, once to draw it), and the PNG encoder then deflates RGBA at zlib's level 6. Here the figure
is drawn once at DPI, the tight box is read off that very drawing, and the pixels inside it are
cut out; an opaque figure (every chart: a white background) is stored without its alpha channel,
deflated at level 3: half the encoding time for a few per cent more bytes, every pixel kept.
(A 256-colour palette would be smaller still, but PIL's quantizers move white and the bar
colours by a few levels: not the picture a reader saw.)

A figure whose drawing spills over its canvas (a label or legend outside it) cannot be cut out
of a drawing that lacks those parts: it is saved the way savefig does it, drawn twice.
"""
from __future__ import annotations

import io

import numpy as np
from matplotlib import rcParams
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

DPI = 220              # ≥ 200 dpi once a chart (cropped tight) is scaled to the 156 mm text block
ZLIB_LEVEL = 3         # the fastest levels deflate a chart almost as small as the default 6


def png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, cropped tight, drawn once when its drawing fits its canvas."""
    pixels = _drawn_tight(fig, dpi)
    if pixels is None:
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, metadata={"Software": None}, bbox_inches="tight")
        return buf.getvalue()
    return encode(pixels, dpi)


def _drawn_tight(fig: Figure, dpi: int) -> np.ndarray | None:
    """The figure drawn at `dpi` and cut to its padded tight box (RGBA rows), or None when that
    box reaches past the canvas."""
    # A pyplot figure under the inline backend already has an Agg canvas: keep it (and its
    # manager). A bare Figure gets one for this drawing and its own back afterwards, so the
    # drawing's buffer (tens of MB for a tall chart) goes as soon as its pixels are encoded,
    # not when the garbage collector happens to break the figure's reference cycles.
    kept_canvas, kept_dpi = fig.canvas, fig.dpi
    canvas = kept_canvas if isinstance(kept_canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    fig.dpi = dpi
    try:
        canvas.draw()
        renderer = canvas.get_renderer()
        box = fig.get_tightbbox(renderer).padded(rcParams["savefig.pad_inches"])
        pixels = np.asarray(renderer.buffer_rgba())
    finally:
        fig.dpi = kept_dpi
        if canvas is not kept_canvas:
            fig.set_canvas(kept_canvas)
    height, width = pixels.shape[:2]
    left, right = round(box.x0 * dpi), round(box.x1 * dpi)
    top, bottom = height - round(box.y1 * dpi), height - round(box.y0 * dpi)
    if left < 0 or top < 0 or right > width or bottom > height:
        return None
    return pixels[top:bottom, left:right]


def encode(pixels: np.ndarray, dpi: int = DPI) -> bytes:
    """RGBA pixels as PNG, the alpha channel kept only where something is see-through."""
    image = Image.fromarray(np.ascontiguousarray(pixels), "RGBA")
    if image.getextrema()[3][0] == 255:          # opaque everywhere (a figure's own background)
        image = image.convert("RGB")
    buf = io.BytesIO()
    image.save(buf, format="png", dpi=(dpi, dpi), compress_level=ZLIB_LEVEL)
    return buf.getvalue()
