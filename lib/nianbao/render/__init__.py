"""What a report shows: the official tables, charts, prose and the notebook's section helpers,
and the export of an executed notebook to the review and public pages.

Importing it makes a CJK font matplotlib's default (fonts.py), so that every figure of the
notebook — pyplot included, drawn before or after the report's own charts — has its glyphs
(matplotlib itself is not imported here: the font is selected when it is).
"""
from .fonts import cjk_for_every_figure

cjk_for_every_figure()
