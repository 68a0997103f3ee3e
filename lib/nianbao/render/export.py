"""Executed notebook → report-only HTML pages (review and public), with no code and no network.

Exporters are configured once per process and reused: building one costs more than using it.
"""
from __future__ import annotations

import re
from functools import cache
from importlib import resources

import nbformat
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor

TEMPLATES = resources.files("nianbao.render") / "templates"
HIDDEN_TAGS = {"parameters", "injected-parameters"}
REVIEW_ONLY = "review-only"        # cells the public page leaves out (the findings)
PAGES = ("review", "public")
SUFFIXES = {"review": ".html", "public": ".public.html"}   # the file name of each page after the unit's
LAB_STYLE = "lab-style"            # output metadata {"nianbao": LAB_STYLE}: the lab's look only
# the headings' ¶ links, empty (anchor_link_text=""), written by the template as <a … />
ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*"\s*(?:/>|></a>)')


class DropStderr(Preprocessor):
    """Warnings and logs stay in the executed notebook (the audit record), not in the page
    (the findings panel names them: audit.py); nor does the lab's style block (labstyle.py)."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.output_type == "stream" and o.name == "stderr")
                            and o.output_type != "error"
                            and o.get("metadata", {}).get("nianbao") != LAB_STYLE]
        return cell, resources


class ReportExporter(HTMLExporter):
    """HTMLExporter without its final BeautifulSoup pass, which re-parses the whole page only to
    give images without alt text a stock one and to make JupyterLab's input cells focusable:
    our figures carry their own alt text and the page has no input cell. That pass was half the
    cost of an export."""

    def from_notebook_node(self, nb, resources=None, **kw):
        resources = self._init_resources(resources)
        self.register_filter("filter_data_type", WidgetsDataTypeFilter(
            notebook_metadata=self._nb_metadata, parent=self, resources=resources))
        return TemplateExporter.from_notebook_node(self, nb, resources, **kw)


@cache
def exporter(page: str) -> HTMLExporter:
    remove = set(HIDDEN_TAGS) | ({REVIEW_ONLY} if page == "public" else set())
    html = ReportExporter(
        extra_template_basedirs=[str(TEMPLATES / "nbconvert")],
        template_name="nianbao",
        exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
        anchor_link_text="",
        optimistic_validation=True,    # validate once after all preprocessors, not after each
    )
    html.register_filter("highlight_code", lambda source, *args, **kwargs: source)  # no code shown
    html.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=remove), enabled=True)
    html.register_preprocessor(DropStderr(), enabled=True)
    return html


@cache
def stylesheet() -> str:
    return (TEMPLATES / "report.css").read_text(encoding="utf-8")


def export_html(nb: nbformat.NotebookNode, page: str, title: str) -> str:
    """One page of an executed notebook: "review" (findings, marked cells) or "public"."""
    if page not in PAGES:
        raise ValueError(f"page must be one of {PAGES}")
    body, _ = exporter(page).from_notebook_node(
        nb, resources={"nianbao": {"title": title, "css": stylesheet(), "page": page}})
    return ANCHOR_LINK.sub("", body)


def export_pages(nb: nbformat.NotebookNode, title: str) -> dict[str, str]:
    """Every file made from an executed township notebook, by file-name suffix (".html": the
    review page, ".public.html": the public page). `nianbao run` and `nianbao export` both call
    this. Warnings and errors in the notebook's outputs are added to the review page's findings."""
    from .audit import notebook_findings, with_findings
    problems = notebook_findings(nb)
    review_nb = with_findings(nb, problems) if problems else nb
    return {SUFFIXES["review"]: export_html(review_nb, "review", title),
            SUFFIXES["public"]: export_html(nb, "public", title)}
