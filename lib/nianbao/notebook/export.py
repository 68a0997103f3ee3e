"""Executed notebook → report-only HTML pages (review and public), with no code and no network.

Exporters are configured once per process and reused: building one costs more than using it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import nbformat
from nbconvert import HTMLExporter, TemplateExporter
from nbconvert.filters.widgetsdatatypefilter import WidgetsDataTypeFilter
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from traitlets.config import Config

from ..documents.pdf import pdf_bytes
from ..documents.word import docx_bytes
from ..model.report import CONTENTS
from ..render.labstyle import LAB_STYLE, TEMPLATES

HIDDEN_TAGS = {"parameters", "injected-parameters"}
REVIEW_ONLY = "review-only"        # cells the public page leaves out (the findings)
PAGES = ("review", "public")
SUFFIXES = {"review": ".html", "public": ".public.html"}   # the file name of each page after the unit's
# the headings' ¶ links, empty (anchor_link_text=""), written by the template as <a … />
ANCHOR_LINK = re.compile(r'<a class="anchor-link" href="#[^"]*"\s*(?:/>|></a>)')


class DropStderr(Preprocessor):
    """Warnings and logs stay in the executed notebook (the audit record), not in the page
    (the findings panel names them: audit.py); nor does the lab's style block (render/labstyle.py)."""

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
        # the pygments stylesheet it makes for every page is for the classic template's header,
        # which ours replaces: our pages show no code
        config=Config({"CSSHTMLHeaderPreprocessor": {"enabled": False}}),
    )
    html.register_filter("highlight_code", lambda source, *args, **kwargs: source)  # no code shown
    html.register_preprocessor(TagRemovePreprocessor(remove_cell_tags=remove), enabled=True)
    html.register_preprocessor(DropStderr(), enabled=True)
    return html


# the page on screen; the site's navigation (filled by `nianbao run`); how it prints (paged media)
STYLESHEETS = ("report.css", "site.css", "print.css")


CSS_COMMENT = re.compile(r"/\*.*?\*/\n?", re.S)


@cache
def stylesheet() -> str:
    """The pages' stylesheets, inlined without their comments (notes for us, not for readers:
    they named notebooks and review rules on the public page)."""
    return CSS_COMMENT.sub("", "\n".join((TEMPLATES / name).read_text(encoding="utf-8") for name in STYLESHEETS))


def export_html(nb: nbformat.NotebookNode, page: str, title: str, description: str = "") -> str:
    """One page of an executed notebook: "review" (findings, marked cells) or "public";
    `description` is what a shared link says under the title (meta description, Open Graph)."""
    if page not in PAGES:
        raise ValueError(f"page must be one of {PAGES}")
    body, _ = exporter(page).from_notebook_node(nb, resources={"nianbao": {
        "title": title, "description": description or title, "css": stylesheet(), "page": page}})
    return ANCHOR_LINK.sub("", body)


def header_meta(nb: nbformat.NotebookNode) -> dict:
    """Title, short name and description, handed over by the township notebook's header output
    (sections.header); {} for a notebook that has none."""
    for cell in nb.cells:
        for out in cell.get("outputs", []) if cell.cell_type == "code" else []:
            meta = out.get("metadata", {}).get("text/html", {}).get("nianbao", {})
            if isinstance(meta, dict) and "title" in meta:
                return meta
    return {}


REVIEW_NOTE = "本页为审阅版：检查结果在前，有问题的单元格已标出。"


def export_pages(nb: nbformat.NotebookNode, title: str) -> dict[str, str]:
    """Every file made from an executed township notebook, by file-name suffix (".html": the
    review page, ".public.html": the public page). `nianbao run` and `nianbao export` both call
    this. Warnings and errors in the notebook's outputs are added to the review page's findings."""
    from .audit import notebook_findings, with_findings
    problems = notebook_findings(nb)
    review_nb = with_findings(nb, problems) if problems else nb
    # a notebook run before the header carried it: the title says the same, more briefly
    description = header_meta(nb).get("description") or f"{title}：{CONTENTS}。"
    return {SUFFIXES["review"]: export_html(review_nb, "review", title, description + REVIEW_NOTE),
            SUFFIXES["public"]: export_html(nb, "public", title, description)}


# The printable files of a unit, made from its public page (the one rendering of the report):
# file-name suffix → (maker, the name a clerk knows it by).
DOCUMENTS = {".pdf": (pdf_bytes, "PDF"), ".docx": (docx_bytes, "Word文件")}


@dataclass
class Documents:
    files: dict[str, bytes] = field(default_factory=dict)     # suffix → bytes
    problems: list[str] = field(default_factory=list)         # what could not be made, and why


def export_documents(public_html: str, title: str) -> Documents:
    """The PDF and the Word file of the public page. One that fails is named in `problems`
    (in Chinese) and the other is still made: the pages never depend on them."""
    made = Documents()
    for suffix, (make, name) in DOCUMENTS.items():
        try:
            made.files[suffix] = make(public_html, title)
        except Exception as exc:       # a font, a library, a page it cannot lay out: say so
            made.problems.append(f"{name}未能生成（{type(exc).__name__}: {str(exc)[:200]}）")
    return made


def export_files(nb: nbformat.NotebookNode, title: str,
                 documents: bool = True) -> tuple[dict[str, str | bytes], list[str]]:
    """Every file of a unit from its executed notebook, by file-name suffix: the two pages and,
    unless documents=False, the PDF and the Word file; with what could not be made. `nianbao run`
    and `nianbao export` both call this."""
    files: dict[str, str | bytes] = dict(export_pages(nb, title))
    if not documents:
        return files, []
    made = export_documents(files[SUFFIXES["public"]], title)
    return {**files, **made.files}, made.problems
