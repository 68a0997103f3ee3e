"""Offline search of the site: an index file written by the run (search.js at the output
folder's root) and the search box of the home page and the county indexes.

The index is a script that assigns the data (loaded by <script src>: Chromium refuses fetch()
of a file:// JSON), serialized as JSON with every character that could end a script or a string
written as an escape; the page's own small script builds the results with DOM calls and
textContent, never by parsing the data as HTML. Nothing is loaded from a network.
"""
from __future__ import annotations

import json
from html import escape
from pathlib import Path

from .paths import OUTPUTS

INDEX = "search.js"
PUBLIC, REVIEW = (next(s for s, name in OUTPUTS.items() if name == page) for page in ("public", "review"))
VARIABLE = "NIANBAO_SEARCH"
# JSON allows these raw in strings; escaped, the data cannot close a <script> nor a JS string
# (U+2028/2029 end a line in older JavaScript), whatever a unit is called
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def index_data(site: dict[Path, dict]) -> dict:
    """{"groups": [[county, year, county folder, year folder]], "units": [[group, short name,
    file stem, full name]]}: every unit of the site with its pages; file and folder names as on
    disk (the page's script URL-encodes them: quoted here, Chinese names took 2.5 times the
    bytes)."""
    groups, units = [], []
    for folder, content in site.items():
        number = len(groups)
        groups.append([str(content.get("county")), str(content.get("year")), folder.parent.name, folder.name])
        for rec in content.get("units", []):
            outputs = rec.get("outputs") or {}
            if outputs.get("public") and outputs.get("review"):
                units.append([number, rec.get("short_name") or "", outputs["public"].removesuffix(PUBLIC),
                              rec.get("unit") or ""])
    return {"groups": groups, "units": units}


def index_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _ESCAPES.items():
        text = text.replace(raw, escaped)
    return f"window.{VARIABLE} = {text};\n"


# the new elements of the home and the county indexes: the search box, the navigation
CSS = """
.site-search { margin: 1em 0; }
.site-search label { display: block; font-weight: bold; }
.site-search input { box-sizing: border-box; width: 100%; max-width: 30em; font-size: 16px;
  padding: .4em; border: 1px solid #555; border-radius: 3px; }
.site-search ul { list-style: none; padding: 0; margin: .5em 0; }
.site-search li { padding: .3em 0; border-bottom: 1px solid #ddd; overflow-wrap: anywhere; }
.site-search .where { color: #444; }
nav.site { overflow-wrap: anywhere; }
nav.site ol { list-style: none; margin: 0; padding: 0; }
nav.site li { display: inline; }
nav.site li + li::before { content: " › "; color: #555; }
"""

# The page's script: the index's data as the only input, results as DOM nodes with textContent
_SCRIPT = """
(function () {
  var data = window.%(var)s, box = document.getElementById("site-q");
  var list = document.getElementById("site-results"), status = document.getElementById("site-status");
  var base = box.getAttribute("data-base"), LIMIT = 50;
  if (!data) { status.textContent = "搜索暂不可用：网站中缺少搜索索引文件 search.js，请联系网站管理员。"; return; }
  var hay = data.units.map(function (u) {
    var g = data.groups[u[0]];
    return (u[1] + " " + u[3] + " " + g[0] + " " + g[1] + "年").toLowerCase();
  });
  function link(href, text) {
    var a = document.createElement("a");
    a.setAttribute("href", href);
    a.textContent = text;
    return a;
  }
  function show() {
    var words = box.value.trim().toLowerCase().split(/\\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) { status.textContent = ""; return; }
    var found = 0, items = document.createDocumentFragment();
    for (var i = 0; i < hay.length; i++) {
      if (!words.every(function (w) { return hay[i].indexOf(w) >= 0; })) continue;
      if (++found > LIMIT) continue;
      var u = data.units[i], g = data.groups[u[0]], li = document.createElement("li");
      var stem = base + [g[2], g[3], u[2]].map(encodeURIComponent).join("/");
      li.appendChild(link(stem + "%(public)s", u[1]));
      var where = document.createElement("span");
      where.className = "where";
      where.textContent = " " + g[0] + " " + g[1] + "年 ";
      li.appendChild(where);
      li.appendChild(link(stem + "%(review)s", "审阅版"));
      items.appendChild(li);
    }
    list.appendChild(items);
    status.textContent = found ? "找到" + found + "个单位" + (found > LIMIT ? "，显示前" + LIMIT + "个" : "")
                               : "没有找到";
  }
  box.addEventListener("input", show);
  show();
})();
""" % {"var": VARIABLE, "public": PUBLIC, "review": REVIEW}


def search_box(base: str) -> str:
    """The search box and its script, for a page `base` (e.g. "../../") below the output folder."""
    return (f'<div class="site-search" role="search">\n'
            f'<label for="site-q">查找单位（名称、县或年度，如：姚集）</label>\n'
            f'<input id="site-q" type="search" autocomplete="off" data-base="{escape(base)}">\n'
            f'<p id="site-status" role="status" aria-live="polite"></p>\n<ul id="site-results"></ul>\n</div>\n'
            f'<script src="{escape(base)}{INDEX}"></script>\n<script>{_SCRIPT}</script>\n')
