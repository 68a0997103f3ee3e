"""A CJK font for matplotlib, registered from a known file so no glyph is ever missing.

Registering the file with fontManager.addfont works for .ttc collections and for fonts installed
after matplotlib built its cache. Only licence-clean fonts are looked for (SIL OFL / Apache):
never SimHei or Microsoft YaHei. `make setup` installs Noto CJK (Debian fonts-noto-cjk) when the
machine has none of these.
"""
from __future__ import annotations

import glob
from functools import cache

import matplotlib
from matplotlib import font_manager

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
