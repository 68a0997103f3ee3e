"""Consistency checks (勾稽关系): every rule of model/editions/README.md, run over one report.

The edition's arithmetic rules are data, evaluated by arithmetic.py. The other rules (across
years, against the prose, plausibility) are plain functions in the modules beside it,
registered in RULES (registry.py); `run_checks` and `check_file` are the entry points.
"""
from __future__ import annotations

# The entry points live in registry.py and are imported on first use: a process that needs only
# a light part of the package (the batch's client: copied, reviews, context) does not import the
# rules, and with them pandas.
ENTRY_POINTS = {"Rule": "registry", "RULES": "registry", "CONTEXT_RULES": "registry",
                "READER_RULES": "registry", "Coverage": "registry", "Checked": "registry",
                "coverage": "registry", "run_checks": "registry", "check_file": "registry",
                "context_beside": "registry", "handed_over": "registry", "Context": "context"}


def __getattr__(name: str):
    if name in ENTRY_POINTS:
        from importlib import import_module
        return getattr(import_module(f".{ENTRY_POINTS[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
