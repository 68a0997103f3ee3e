"""A CJK font for matplotlib, registered from a known file so no glyph is ever missing.

Registering the file with fontManager.addfont works for .ttc collections and for fonts installed
after matplotlib built its cache. Only licence-clean fonts are looked for (SIL OFL / Apache):
never SimHei or Microsoft YaHei. `make setup` installs Noto CJK (Debian fonts-noto-cjk) when the
machine has none of these.

The `nianbao` kernel runs startup.py before any cell, which calls cjk_for_every_figure: a chart
a staff member draws above the notebook's first import still gets the font, and a kernel that
draws nothing does not pay for matplotlib (it is not imported here until a cell imports it).
"""
from __future__ import annotations

import glob
import importlib.util
import sys
import warnings
from functools import cache

from ..errors import FontMissing

# (file pattern, family) in order of preference.
CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", "Noto Sans CJK SC"),
    ("/usr/share/fonts/**/NotoSansCJKsc-Regular.otf", "Noto Sans CJK SC"),
    ("/usr/share/fonts/**/NotoSansSC-*.[ot]tf", "Noto Sans SC"),
    ("/usr/share/fonts/**/SourceHanSansSC-Regular.otf", "Source Han Sans SC"),
    ("/usr/share/fonts/**/SourceHanSans*.ttc", "Source Han Sans SC"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "WenQuanYi Micro Hei"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "WenQuanYi Zen Hei"),
)


@cache
def use_cjk_font() -> str:
    """Register the first CJK font found and make it matplotlib's default; returns its family."""
    import matplotlib
    from matplotlib import font_manager
    for pattern, family in CANDIDATES:
        for path in sorted(glob.glob(pattern, recursive=True)):
            # Once per process: adding a font reads every face of the file and empties
            # matplotlib's font lookup cache; a notebook forked from a warm process that has
            # already added it only selects it (as a fresh kernel's first call would).
            if not any(entry.fname == path for entry in font_manager.fontManager.ttflist):
                font_manager.fontManager.addfont(path)
            matplotlib.rcParams["font.family"] = [family]
            matplotlib.rcParams["axes.unicode_minus"] = False   # not every CJK font has U+2212
            return family
    raise FontMissing("未找到中文字体（Noto Sans CJK），图表无法正确显示汉字。"
                      "请先运行 make setup，或安装 fonts-noto-cjk。")


def cjk_for_every_figure() -> None:
    """The CJK font as matplotlib's default: now when matplotlib is loaded, else right after a
    cell (or any code) first imports it. Without a CJK font nothing is raised here: the
    report's charts say what to install, a staff member's chart shows boxes and the missing
    glyph becomes a notebook.warnings finding."""
    if "matplotlib" in sys.modules:
        _select()
    elif not any(isinstance(finder, _AfterMatplotlib) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AfterMatplotlib())


class _AfterMatplotlib:
    """A meta path finder that finds nothing itself: when `matplotlib` is about to be imported
    it steps aside and hands the import a loader that selects the font once matplotlib's own
    module has run (before pyplot or a figure can read the font settings)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "matplotlib":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenFont(spec.loader)
        return spec

    def invalidate_caches(self) -> None:
        pass


class _ThenFont:
    """matplotlib's own loader, then the font; the module keeps the real loader."""

    def __init__(self, loader):
        self._loader = loader

    def __getattr__(self, name):         # get_resource_reader, is_package, …: the real loader's
        return getattr(self._loader, name)

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        try:
            self._loader.exec_module(module)
        finally:
            module.__loader__ = module.__spec__.loader = self._loader
        _select()


def _select() -> None:
    """use_cjk_font, never failing the code that imports matplotlib: a font that cannot be read
    becomes a warning (a notebook.warnings finding), no font at all is said by the charts."""
    try:
        use_cjk_font()
    except FontMissing:
        pass
    except Exception as exc:              # a damaged font file: matplotlib itself must still load
        warnings.warn(f"中文字体未能设置（{type(exc).__name__}: {exc}），图中汉字可能显示为方框", stacklevel=2)
