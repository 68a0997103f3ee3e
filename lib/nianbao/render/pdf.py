"""The public page as a PDF for printing, sealing and filing, set by Typst: the page's blocks (the
same the Word file is made of) handed as data to the official layout, templates/report.typ.

Every PDF is archive-grade and accessible in one file (PDF/A-2a and PDF/UA-1: title, language,
headings, tables with header cells, each chart's text), which Typst checks as it writes; a PDF
that fails the check, a character no font has, an image from the web: each is an error naming
it, never a PDF with an empty box in it. Nothing is fetched: an image must be embedded in the
page (a data: URL) — a report never reads the network or the disk.

One compiler is kept per process: it finds the fonts once, and every later PDF is laid out warm.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import tempfile
import threading
from functools import cache
from pathlib import Path

from bs4 import Tag

from .blocks import content, declared_widths, grid, header_rows, page_title, parse, plain_text, walk
from .png_data import png_size

TEMPLATES = Path(__file__).parent / "templates"
STACK = re.compile(r"--(\w+):\s*([^;]+);")
DATA_URL = re.compile(r"data:image/([a-z+.-]+);base64,(.*)", re.S)
FORMATS = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "gif": "gif", "webp": "webp", "svg+xml": "svg"}
TEXT_W = (210 - 28 - 26) * 72 / 25.4          # the text block's width, points
MAX_H = 200 * 72 / 25.4                       # print.css: a chart at most 200 mm tall
PX = 0.75                                     # a CSS pixel in points
STANDARDS = ["a-2a", "ua-1"]
# Typst's words for a character no font in the stack has (an error under PDF/A, else a warning)
NO_GLYPH = re.compile(r"the text `\"(.*?)\"` could not be displayed|glyph for `(.)`|unknown glyph", re.S)
# Extra font folders (an office's own fonts), separated as PATH is
FONT_PATHS = tuple(p for p in os.environ.get("NIANBAO_FONT_PATH", "").split(os.pathsep) if p)


@cache
def stacks() -> dict[str, list[str]]:
    """report.css's font stacks by role (body, kai, heading, title, song), its generic names left
    out (Typst knows families only)."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    return {role: [name.strip().strip('"') for name in value.split(",")
                   if name.strip() not in ("serif", "sans-serif")]
            for role, value in STACK.findall(css)}


@cache
def compiler(font_paths: tuple[str, ...] = FONT_PATHS):
    """The process's Typst compiler (a warm worker reuses it: fonts are read once)."""
    import typst
    return typst.Compiler(font_paths=list(font_paths))


_COMPILING = threading.Lock()      # one compiler, one document at a time (threads of a worker)


@cache
def template() -> bytes:
    return (TEMPLATES / "report.typ").read_bytes()


def _image(img: Tag, folder: Path, number: int) -> dict:
    """An embedded image written where the template reads it, with its printed width and its
    alternative text; anything else (a web address, a file) is refused."""
    src = img.get("src", "")
    match = DATA_URL.match(src)
    if match is None:
        raise ValueError(f"页面引用了外部资源 {src[:120]}，报告不从网络或磁盘读取任何内容")
    kind = FORMATS.get(match[1])
    data = base64.b64decode(match[2])
    size = png_size(data) if kind == "png" else None
    if size is None:
        from PIL import Image, UnidentifiedImageError
        try:
            with Image.open(io.BytesIO(data)) as opened:
                size = opened.size
                if kind is None or kind == "png":       # a kind Typst does not read: as PNG
                    buffer = io.BytesIO()
                    opened.save(buffer, "PNG")
                    data, kind = buffer.getvalue(), "png"
        except (UnidentifiedImageError, OSError):
            raise ValueError(f"页面中的图片（image/{match[1]}）无法读取，无法放入PDF") from None
    if not all(size):
        raise ValueError(f"页面中的图片（image/{match[1]}）大小为0，无法放入PDF")
    name = f"image-{number}.{kind}"
    (folder / name).write_bytes(data)
    width = min(size[0] * PX, TEXT_W)
    width = min(width, MAX_H * size[0] / size[1])
    alt = img.get("alt") or "图片"
    return {"image": name, "width": round(width, 3), "alt": alt}


def _table(table: Tag) -> dict | None:
    placed = grid(table.find_all("tr"))
    if not placed:
        return None
    classes = table.get("class") or []
    look = next((name for name in ("proactive", "requests", "appeals") if name in classes), "")
    form = "form-table" in classes
    rows = max(len(table.find_all("tr")), max(r for r, *_ in placed) + 1)
    cells = []
    for r, c, rs, cs, cell in placed:
        cell_classes = cell.get("class") or []
        left = (cell.name == "th" and look == "requests" and ("label" in cell_classes or "group" in cell_classes)
                if form else cell.name == "td")
        cells.append({"r": r, "c": c, "rs": min(rs, rows - r), "cs": cs, "text": plain_text(cell),
                      "left": left, "corner": "corner" in cell_classes,
                      "caption": "caption" in (cell.parent.get("class") or [])})
    return {"kind": "table", "look": look, "rows": rows, "columns": max(c + cs for _, c, _, cs, _ in placed),
            "header": min(header_rows(table), rows - 1), "widths": declared_widths(table), "cells": cells}


def _blocks(main: Tag, folder: Path) -> list[dict]:
    """Every block of the page, in order, as the template's data."""
    made: list[dict] = []
    images = 0
    for block in walk(main):
        if isinstance(block, str):
            made.append({"kind": "p", "text": block})
            continue
        classes = block.get("class") or []
        if block.name == "table":
            table = _table(block)
            if table:
                made.append(table)
            continue
        if block.name in ("figure", "img"):
            img = block if block.name == "img" else block.find("img")
            caption = block.find("figcaption") if block.name == "figure" else None
            figure = {"kind": "figure", "image": None, "notes": [], "caption": None}
            if img is not None:
                images += 1
                figure.update(_image(img, folder, images))
            if block.name == "figure":
                figure["notes"] = [plain_text(p) for p in block.find_all("p")]
                figure["caption"] = plain_text(caption) if caption else None
            made.append(figure)
            continue
        text = plain_text(block)
        if not text:
            continue
        if block.name in ("h1", "h2", "h3"):
            kind = {"h1": "title", "h2": "h2", "h3": "h3"}[block.name]
        elif block.name == "h4":
            kind = "h3"
        elif "demo-banner" in classes:
            kind = "banner"
        elif "signature" in classes:
            made.append({"kind": "signature", "text": text,
                         "first": block.find_previous_sibling("p") is None})
            continue
        elif "note" in classes or "demo-note" in classes:
            kind = "note"
        else:
            kind = "p"
        made.append({"kind": kind, "text": text})
    # a heading's level in the outline: its rank among the kinds of heading the page has
    ranks = [kind for kind in ("title", "h2", "h3") if any(b["kind"] == kind for b in made)]
    for b in made:
        if b["kind"] in ranks:
            b["level"] = ranks.index(b["kind"]) + 1
    return made


def _missing_glyph(message: str) -> str | None:
    """The clerk's words for a character no font has, from Typst's message; None if it is not that."""
    found = NO_GLYPH.search(message)
    if found is None:
        return None
    text = found[1] or found[2] or ""
    char = next((c for c in text if not c.isspace()), None)
    if char is None:
        return "字体中缺少页面上某个字符的字形，PDF无法正确显示它"
    return f"字体中没有字符“{char}”（U+{ord(char):04X}），PDF无法正确显示它"


def pdf_bytes(html: str, title: str | None = None, font_paths: tuple[str, ...] = FONT_PATHS) -> bytes:
    """The PDF of one exported page (the public page), PDF/A-2a and PDF/UA-1."""
    import typst
    description = parse(html).find("meta", attrs={"name": "description"})
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as folder:
        heading = content(html).find("h1")
        # PDF/UA wants a title: the page's, else its first heading's
        title = title or page_title(html) or (plain_text(heading) if heading else "") or "未命名报告"
        report = {"title": title, "fonts": stacks(),
                  "description": description.get("content", "") if description else None,
                  "blocks": _blocks(content(html), Path(folder))}
        try:
            with _COMPILING:
                pdf, warnings = compiler(tuple(font_paths)).compile_with_warnings(
                    input=template(), root=folder, format="pdf", pdf_standards=STANDARDS,
                    sys_inputs={"report": json.dumps(report, ensure_ascii=False)})
        except typst.TypstError as exc:
            message = str(exc)
            raise ValueError(_missing_glyph(message)
                             or f"PDF未通过存档与无障碍检查（PDF/A-2a、PDF/UA-1）：{message[:300]}") from None
    for warning in warnings:
        missing = _missing_glyph(str(warning))
        if missing:
            raise ValueError(missing)
    return pdf
