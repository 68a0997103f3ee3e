"""Nothing broken is published silently: warnings, stderr output and errors left in the outputs
of an executed township notebook become `notebook.warnings` findings (severity error), named by
the section of the report where they appeared, and join the findings panel of the review page.

The panel's output carries its findings as plain records (sections.findings_panel), so the panel
can be written again with these added, from the executed notebook alone — by `nianbao run` and
by `nianbao export` alike.
"""
from __future__ import annotations

import copy
import re

import nbformat

from ..model.findings import ERROR, Finding
from ..render.panel import panel_html

RULE = "notebook.warnings"
ANSI = re.compile(r"\x1b\[[0-9;]*m")
MISSING_GLYPH = re.compile(r"Glyph \d+ .*missing from (?:current )?font|missing from font\(s\)")
WIDTH = 240


def _section(heading_cell_source: str) -> str:
    first = heading_cell_source.strip().splitlines()[0] if heading_cell_source.strip() else ""
    return first.lstrip("#").strip()


def _problem_text(cell) -> str:
    """What went wrong in a cell: its stderr and error outputs, one line per distinct message."""
    lines: list[str] = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream" and out.name == "stderr":
            text = ANSI.sub("", out.text)
        elif out.output_type == "error":
            text = f"{out.ename}: {out.evalue}"
        else:
            continue
        for line in text.splitlines():
            line = line.strip()
            if line and not line.startswith(("warnings.warn(", "fig.", "ax.")) and line not in lines:
                lines.append(line)
    return "；".join(lines)


def notebook_findings(nb: nbformat.NotebookNode) -> list[Finding]:
    """One finding per code cell that wrote a warning, stderr output or an error."""
    found, section, number = [], "报告开头", 0
    for cell in nb.cells:
        if cell.cell_type == "markdown" and cell.source.lstrip().startswith("#"):
            section = _section(cell.source)
        if cell.cell_type != "code":
            continue
        number += 1
        text = _problem_text(cell)
        if not text:
            continue
        why = ("图中有汉字缺少字形，会显示为方框；" if MISSING_GLYPH.search(text) else "")
        shown = text if len(text) <= WIDTH else text[:WIDTH] + "…"
        found.append(Finding(
            RULE, ERROR, None, None, None, None, None,
            f"「{section}」部分第{number}个代码单元格运行时输出了警告或错误（{why}报告可能有误，"
            f"请检查该单元格）：{shown}"))
    return found


def _panel_output(nb: nbformat.NotebookNode):
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if "panel" in out.get("metadata", {}).get("text/html", {}).get("nianbao", {}):
                return out
    return None


def with_findings(nb: nbformat.NotebookNode, extra: list[Finding]) -> nbformat.NotebookNode:
    """A copy of the notebook whose findings panel also lists `extra`."""
    nb = copy.deepcopy(nb)
    out = _panel_output(nb)
    if out is not None and extra:
        panel = dict(out.metadata["text/html"]["nianbao"]["panel"])
        panel["findings"] = [*panel["findings"],
                             *({"rule": f.rule, "severity": f.severity, "message": f.message} for f in extra)]
        out.data["text/html"] = panel_html(**panel)
    return nb
