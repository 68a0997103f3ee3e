"""The site's pages from Jinja2 templates (render/templates/site/), autoescaped: every value a
template prints is escaped unless the template marks it safe (our own CSS, script and HTML made by
another template or by a function that escapes). One environment per process: loading and
compiling a template costs more than rendering it."""
from __future__ import annotations

import re
from functools import cache
from urllib.parse import quote

import jinja2


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.PackageLoader("nianbao.render", "templates/site"),
                              autoescape=True, undefined=jinja2.StrictUndefined,
                              trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)


def render(template: str, **context) -> str:
    return environment().get_template(template).render(**context)


def href(*parts: str) -> str:
    """A relative link to a file below the page's folder (every part URL-quoted; the template
    escapes it for the attribute)."""
    return "/".join(quote(str(p)) for p in parts)


@cache
def stylesheet() -> str:
    """The site's own pages' stylesheet (inlined in each: a page is one file)."""
    # without its comments, as notebook/export.py inlines the reports' (that module loads nbconvert,
    # which the client of an unchanged rerun never needs)
    return re.sub(r"/\*.*?\*/\n?", "", environment().loader.get_source(environment(), "pages.css")[0], flags=re.S)


def page(template: str, **context) -> str:
    """A page of the site from its template, its stylesheet inlined."""
    return render(template, css=stylesheet(), **context)
