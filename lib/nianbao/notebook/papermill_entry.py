"""What papermill loads through its `papermill.engine` entry point, in every process that imports
papermill (the `papermill` command run by hand included): the translator that writes parameters
in plain Chinese, and the fork engine's name.

The engine itself (engine.py) is imported on first use, not here: engine.py imports papermill,
so an interpreter whose first import is engine.py would have papermill load its entry points
while engine.py is half-imported — and find no ForkEngine in it.
"""
from __future__ import annotations

from . import translator  # noqa: F401  (registers itself with papermill)


class ForkEngine:
    """engine.ForkEngine's stand-in in papermill's registry; engine.py puts itself there when
    imported, and each call here imports it."""

    @classmethod
    def execute_notebook(cls, nb, kernel_name, **kwargs):
        return _engine().execute_notebook(nb, kernel_name, **kwargs)

    @classmethod
    def nb_kernel_name(cls, nb, name=None):
        return _engine().nb_kernel_name(nb, name)

    @classmethod
    def nb_language(cls, nb, language=None):
        return _engine().nb_language(nb, language)


def _engine():
    from .engine import ForkEngine
    return ForkEngine
