"""Parameters as plain Python literals: Chinese stays Chinese in an executed notebook
(papermill's own translator writes \\uXXXX escapes). Registered for Python with papermill when
imported: by runner.py, and by papermill itself, which loads engine.py (and so this module)
through the `papermill.engine` entry point — so `papermill` run by hand writes them too."""
from __future__ import annotations

from papermill.translators import PythonTranslator, papermill_translators


class ReadablePython(PythonTranslator):

    @classmethod
    def translate_str(cls, val):
        return repr(val)


papermill_translators.register("python", ReadablePython)
