"""What a report shows: the official tables, charts, prose and the notebook's section helpers,
and the export of an executed notebook to the review and public pages.

Importing it makes a CJK font matplotlib's default (fonts.py), so that every figure of the
notebook — pyplot included, drawn before or after the report's own charts — has its glyphs.
"""
from contextlib import suppress

from ..errors import FontMissing
from .fonts import use_cjk_font

with suppress(FontMissing):     # without a CJK font, the charts themselves say what to install
    use_cjk_font()
