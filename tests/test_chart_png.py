"""Charts as the pages embed them (render/png.py): drawn once, cropped as savefig's tight box
crops them, sharp enough to print, and the same picture a reader saw from savefig."""
import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image, ImageFilter

from conftest import SEED
from nianbao.checks import check_file
from nianbao.render import charts
from nianbao.render.png import DPI, png

TEXT_BLOCK_INCHES = 156 / 25.4          # the A4 text block the print stylesheet and Word fill


@pytest.fixture(scope="module")
def seed_figures():
    report = check_file(SEED).report
    return {data.__name__: charts.bars(data(report), unit, colour(report))
            for data, unit, colour, *_ in charts.DEFAULTS}


def drawn(fig, **savefig):
    """The figure's PNG and how many times it was drawn."""
    draws = []
    cid = fig.canvas.mpl_connect("draw_event", lambda event: draws.append(event))
    data = png(fig) if not savefig else _savefig(fig, **savefig)
    fig.canvas.mpl_disconnect(cid)
    return Image.open(io.BytesIO(data)), len(draws)


def _savefig(fig, **options):
    buf = io.BytesIO()
    fig.savefig(buf, format="png", **options)
    return buf.getvalue()


def ink(image: Image.Image) -> tuple[int, int, int, int]:
    """The box of everything not white."""
    pixels = np.asarray(image.convert("L"))
    rows, cols = np.flatnonzero((pixels < 250).any(axis=1)), np.flatnonzero((pixels < 250).any(axis=0))
    return cols[0], rows[0], cols[-1], rows[-1]


def apart(one: Image.Image, other: Image.Image, block: int = 16) -> float:
    """How far apart two pictures are where they differ most: the largest mean grey-level
    difference of any 16-pixel block, both slightly blurred, laid on each other at the best
    shift of up to 2 pixels. Two drawings of one chart: 11-15; one character of a label
    changed: 48."""
    a, b = (np.asarray(i.convert("L").filter(ImageFilter.GaussianBlur(2)), dtype=float) for i in (one, other))
    h = (min(a.shape[0], b.shape[0]) - 4) // block * block
    w = (min(a.shape[1], b.shape[1]) - 4) // block * block
    return min(np.abs(a[2:2 + h, 2:2 + w] - b[2 + dy:2 + dy + h, 2 + dx:2 + dx + w])
               .reshape(h // block, block, w // block, block).mean(axis=(1, 3)).max()
               for dy in range(-2, 3) for dx in range(-2, 3))


@pytest.mark.parametrize("name", ["applicants", "outcomes", "proactive"])
def test_a_seed_chart_is_drawn_once_and_looks_as_savefig_tight_drew_it(seed_figures, name):
    fig = seed_figures[name]
    new, new_draws = drawn(fig)
    old, _ = drawn(fig, dpi=DPI, bbox_inches="tight")
    assert new_draws == 1
    # the same crop (±1 pixel of rounding) and the ink in the same place; the two drawings differ
    # by a fraction of a pixel (a text edge may fall one pixel over), so the pictures are laid on
    # each other as well as they go and compared slightly blurred, as an eye sees print
    assert abs(new.width - old.width) <= 1 and abs(new.height - old.height) <= 1
    assert all(abs(a - b) <= 1 for a, b in zip(ink(new), ink(old)))
    assert apart(new, old) < 25
    # every label inside the picture, with the pad of savefig's around it
    left, top, right, bottom = ink(new)
    assert min(left, top, new.width - 1 - right, new.height - 1 - bottom) >= 0.08 * DPI
    # print quality: at least 200 dots per inch once scaled to the text block
    assert new.width / TEXT_BLOCK_INCHES >= 200 and round(new.info["dpi"][0]) == DPI


def test_the_comparison_tells_a_changed_label_apart(seed_figures):
    report = check_file(SEED).report
    changed = charts.bars(charts.applicants(report).rename(index={"其他": "其它"}))
    assert apart(drawn(seed_figures["applicants"])[0], drawn(changed)[0]) >= 25


def test_an_opaque_chart_drops_its_alpha_channel_and_a_see_through_one_keeps_it(seed_figures):
    bars, _ = drawn(seed_figures["proactive"])
    assert bars.mode == "RGB"
    fig = Figure(figsize=(3, 2))
    fig.patch.set_alpha(0)
    fig.subplots().plot([0, 1], [1, 0])
    clear, _ = drawn(fig)
    assert clear.mode == "RGBA" and clear.getpixel((0, 0))[3] == 0


def test_a_label_past_the_canvas_is_not_cut_off():
    """A figure whose label reaches past its canvas is saved the savefig way (drawn again, twice):
    the picture holds the whole label."""
    fig = Figure(figsize=(2, 1.5))
    ax = fig.subplots()
    ax.barh([0, 1], [3, 5])
    ax.set_yticks([0, 1], ["一个很长很长很长很长的标签", "短"])
    charts.use_cjk_font()
    new, draws = drawn(fig)
    old, _ = drawn(fig, dpi=DPI, bbox_inches="tight")
    assert draws == 3                   # the one that showed the spill, then savefig's two
    assert (new.width, new.height) == (old.width, old.height)
    assert new.width > 2 * DPI              # wider than the canvas: the label is all there


def test_the_drawing_is_let_go_as_soon_as_the_png_is_made():
    """The texts of a drawn figure kept its renderer, and with it the drawing's buffer (megabytes)
    until the garbage collector broke the figure's cycles: each chart of a notebook held its own."""
    import gc

    from matplotlib.backends.backend_agg import RendererAgg

    def renderers():
        return sum(isinstance(o, RendererAgg) for o in gc.get_objects())
    report = check_file(SEED).report
    fig = charts.bars(charts.proactive(report))
    before = renderers()
    png(fig)                               # the figure lives on (a notebook's variable holds it)
    assert renderers() == before
