"""The review page's look inside JupyterLab: one <style> block, shown by the notebook's first
output, that is the page's stylesheet (report.css) scoped to JupyterLab's rendered outputs and
markdown, followed by lab.css (JupyterLab's table styling kept out of the form, dark theme).

Scoping rewrites each rule of report.css: `body` becomes the scope, `body.review X` becomes
`scope X` (the lab shows the review: findings and marked cells), rules for the page itself
(html, main.report, @page, print) are left out. The exported pages never carry this block:
its output is marked and the exporter drops it.
"""
from __future__ import annotations

import re
from functools import cache
from importlib import resources

TEMPLATES = resources.files("nianbao.render") / "templates"
LAB_STYLE = "lab-style"            # output metadata {"nianbao": LAB_STYLE}: the lab's look only

SCOPE = ".jp-RenderedHTMLCommon"
PAGE_ONLY = re.compile(r"^(html|main\.report|body\.public)\b|^\.(cell|inner_cell|output|text_cell|rendered_html)")
COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _blocks(css: str):
    """(prelude, body) of each top-level rule or at-rule (its nested block kept whole)."""
    depth, start, prelude_end = 0, 0, 0
    for i, ch in enumerate(css):
        if ch == "{":
            if depth == 0:
                prelude_end = i
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                yield css[start:prelude_end].strip(), css[prelude_end + 1:i]
                start = i + 1


def _scoped_selector(selector: str) -> str | None:
    selector = selector.strip()
    if PAGE_ONLY.search(selector):
        return None
    if selector in (":root", "body", "body.review"):
        return SCOPE
    selector = re.sub(r"^body(\.review)?\s+", "", selector)
    return f"{SCOPE} {selector}"


def scoped(css: str) -> str:
    """report.css as rules under SCOPE; at-rules (@page, @media print) left out."""
    rules = []
    for prelude, body in _blocks(COMMENT.sub("", css)):
        if prelude.startswith("@"):
            continue
        selectors = [s for s in map(_scoped_selector, prelude.split(",")) if s]
        if selectors:
            rules.append(f"{', '.join(dict.fromkeys(selectors))} {{{body}}}")
    return "\n".join(rules)


@cache
def lab_style() -> str:
    """The <style> block the notebook shows first."""
    page = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    lab = COMMENT.sub("", (TEMPLATES / "lab.css").read_text(encoding="utf-8")).replace("SCOPE", SCOPE)
    return f'<style class="lab-look">\n{scoped(page)}\n{lab}\n</style>'
