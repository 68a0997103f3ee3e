"""What the notebook shows: the official tables, charts, prose and the section helpers, the
review page's look in JupyterLab.

Importing it makes a CJK font matplotlib's default (fonts.py), so that every figure of the
notebook — pyplot included, drawn before or after the report's own charts — has its glyphs
(matplotlib itself is not imported here: the font is selected when it is).
"""
from .fonts import cjk_for_every_figure

cjk_for_every_figure()
