"""Run by the `nianbao` kernel before any cell: its kernel spec names this file as PYTHONSTARTUP
(Makefile), and the fork engine does the same when it builds its shell (notebook/inprocess.py).
Every chart of the notebook draws Chinese, wherever its cell stands (render/fonts.py); matplotlib
is imported only when a cell imports it. Run in the notebook's namespace: it leaves no name there.
"""
from nianbao.render.fonts import cjk_for_every_figure as _cjk_for_every_figure

_cjk_for_every_figure()
del _cjk_for_every_figure
