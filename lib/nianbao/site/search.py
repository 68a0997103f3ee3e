"""Offline search of the site: an index file written by the run (search.js at the output
folder's root) and the search box of the home page and the county indexes.

The index is a script that assigns the data (loaded by <script src>: Chromium refuses fetch()
of a file:// JSON), serialized as JSON with every character that could end a script or a string
written as an escape; the page's own small script builds the results with DOM calls and
textContent, never by parsing the data as HTML. Nothing is loaded from a network.
"""
from __future__ import annotations

import json
from pathlib import Path

from markupsafe import Markup

from .paths import OUTPUTS
from .templating import render

INDEX = "search.js"
PUBLIC, REVIEW = (next(s for s, name in OUTPUTS.items() if name == page) for page in ("public", "review"))
VARIABLE = "NIANBAO_SEARCH"
# JSON allows these raw in strings; escaped, the data cannot close a <script> nor a JS string
# (U+2028/2029 end a line in older JavaScript), whatever a unit is called
_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def index_data(site: dict[Path, dict], review: bool = True) -> dict:
    """{"groups": [[county, year, county folder, year folder]], "units": [[group, short name,
    file stem, full name]], "review": [REVIEW, its link's text]}: every unit of the site with its pages; file and
    folder names as on disk (the page's script URL-encodes them: quoted here, Chinese names took
    2.5 times the bytes). `review`: the review site (its results link to the review pages too);
    the public site's index names public pages only, and no review suffix."""
    groups, units = [], []
    for folder, content in site.items():
        number = len(groups)
        groups.append([str(content.get("county")), str(content.get("year")), folder.parent.name, folder.name])
        for rec in content.get("units", []):
            outputs = rec.get("outputs") or {}
            if outputs.get("public") and (outputs.get("review") or not review):
                units.append([number, rec.get("short_name") or "", outputs["public"].removesuffix(PUBLIC),
                              rec.get("unit") or ""])
    return {"groups": groups, "units": units, **({"review": [REVIEW, "审阅版"]} if review else {})}


def index_script(data: dict) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in _ESCAPES.items():
        text = text.replace(raw, escaped)
    return f"window.{VARIABLE} = {text};\n"


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
      if (data.review) li.appendChild(link(stem + data.review[0], data.review[1]));
      items.appendChild(li);
    }
    list.appendChild(items);
    status.textContent = found ? "找到" + found + "个单位" + (found > LIMIT ? "，显示前" + LIMIT + "个" : "")
                               : "没有找到";
  }
  box.addEventListener("input", show);
  show();
})();
""" % {"var": VARIABLE, "public": PUBLIC}


def search_box(base: str) -> Markup:
    """The search box and its script, for a page `base` (e.g. "../../") below the site's root."""
    return Markup(render("search.html", base=base, index=INDEX, script=Markup(_SCRIPT)))
