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
import json
import os
import re
import struct
import tempfile
import threading
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

from .blocks import blocks, content, page_title, parse, plain_text, printable

TEMPLATES = Path(__file__).resolve().parents[1] / "render" / "templates"
STACK = re.compile(r"--(\w+):\s*([^;]+);")
DATA_URL = re.compile(r"data:image/([a-z+.-]+);base64,(.*)", re.S)
FORMATS = {"png": "png", "jpeg": "jpg", "jpg": "jpg", "gif": "gif", "webp": "webp", "svg+xml": "svg"}
STANDARDS = ["a-2a", "ua-1"]
# Typst's words for a character no font of its stack has (an error under PDF/A)
NO_GLYPH = re.compile(r"the text `\"(.*?)\"` could not be displayed", re.S)
# The date a report is signed with, e.g. 2021年1月28日 (its last signature line)
SIGNED = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
BEIJING = timezone(timedelta(hours=8))
# Extra font folders (an office's own fonts), separated as PATH is
FONT_PATHS = tuple(p for p in os.environ.get("NIANBAO_FONT_PATH", "").split(os.pathsep) if p)


@cache
def stacks() -> dict[str, list[str]]:
    """report.css's font stacks by role (body, kai, heading, title, song), its generic names left
    out (Typst knows families only); a character a role's faces lack is looked for in the body's
    and the headings' faces, as a browser falls back (and then it is missing: named, not a box)."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    found = {role: [name.strip().strip('"') for name in value.split(",") if name.strip() not in ("serif", "sans-serif")]
             for role, value in STACK.findall(css)}
    return {role: list(dict.fromkeys(stack + found["body"] + found["heading"])) for role, stack in found.items()}


@cache
def compiler(font_paths: tuple[str, ...] = FONT_PATHS):
    """The process's Typst compiler (a warm worker reuses it: fonts are read once)."""
    import typst
    return typst.Compiler(font_paths=list(font_paths))


_COMPILING = threading.Lock()      # one compiler, one document at a time (threads of a worker)

# Typst memoizes its work (layouts, decoded images…) for the next compilations; typst-py keeps an
# entry until it has gone unused for 10 of them (comemo::evict(10) after each compile) and offers
# no way to drop it sooner. A worker's units share nothing worth keeping, so the last ten units'
# charts and layouts stayed in every worker (≈ 470 MiB instead of 200) and every notebook forked
# from it paid for them. Ten empty compilations after each PDF age them out (5–8 ms; keeping the
# memo made the next unit's PDF no faster, since units share nothing: measured over the bundled
# county's pages). tests/test_print.py bounds a worker's memory.
AGED_OUT = 11


@cache
def template() -> bytes:
    return (TEMPLATES / "report.typ").read_bytes()


def _for_typst(blocks: tuple[dict, ...], folder: Path) -> list[dict]:
    """The page's blocks as the template's data: each picture written where the template reads it."""
    return [{**{k: v for k, v in b.items() if k != "src"}, **_image(b, folder, n)} if b["kind"] == "figure" else b
            for n, b in enumerate(blocks)]


def _image(figure: dict, folder: Path, number: int) -> dict:
    """An embedded image written where the template reads it, with its size in pixels (a PNG's;
    the template prints a CSS pixel as 0.75 pt, as a browser does); anything else (a web address,
    a file) is refused."""
    if figure["src"] is None:
        return {"image": None}
    match = DATA_URL.match(figure["src"])
    if match is None:
        raise ValueError(f"页面引用了外部资源 {figure['src'][:120]}，报告不从网络或磁盘读取任何内容")
    if match[1] not in FORMATS:
        raise ValueError(f"页面中的图片格式（image/{match[1]}）无法放入PDF：请用PNG或JPEG")
    data = base64.b64decode(match[2])
    name = f"image-{number}.{FORMATS[match[1]]}"
    (folder / name).write_bytes(data)
    # (width, height) from a PNG's IHDR chunk, read without decoding it
    pixels = struct.unpack_from(">II", data, 16) if data[12:16] == b"IHDR" and len(data) >= 24 else None
    return {"image": name, "pixels": pixels if pixels and all(pixels) else None}


def _signed(blocks: list[dict]) -> datetime | None:
    """The report's own date (its signature's), as the PDF's creation date: the same report gives
    the same bytes, as its pages do; None (Typst takes the time of writing) when it has none."""
    for block in reversed(blocks):
        if block["kind"] == "signature" and (found := SIGNED.search(block["text"])):
            try:
                return datetime(*map(int, found.groups()), tzinfo=BEIJING)
            except ValueError:          # 2月30日: a date the checks report; no creation date from it
                return None
    return None


def _forget(typesetter) -> None:
    """Ages out of Typst's memo what the last document left in it (see AGED_OUT)."""
    for _ in range(AGED_OUT):
        typesetter.compile(input=b"", format="pdf")


def _missing_glyph(message: str) -> str | None:
    """The clerk's words for a character no font has, from Typst's message; None if it is not that."""
    found = NO_GLYPH.search(message)
    if found is None:
        return None
    # Typst writes a character it cannot print as an escape: \u{1f600}
    text = re.sub(r"\\u\{([0-9a-fA-F]+)\}", lambda code: chr(int(code[1], 16)), found[1]).replace('\\"', '"')
    char = next((c for c in text if not c.isspace()), "?")
    if not char.isprintable():
        return f"字体中没有一个特殊字符（U+{ord(char):04X}，可能是自造字或看不见的字符），PDF无法正确显示它"
    return f"字体中没有字符“{char}”（U+{ord(char):04X}），PDF无法正确显示它"


def pdf_bytes(html: str, title: str | None = None, font_paths: tuple[str, ...] = FONT_PATHS) -> bytes:
    """The PDF of one exported page (the public page), PDF/A-2a and PDF/UA-1."""
    import typst
    description = parse(html).find('.//meta[@name="description"]')
    with tempfile.TemporaryDirectory(prefix="nianbao-pdf-") as folder:
        heading = content(html).find(".//h1")
        # PDF/UA wants a title: the page's, else its first heading's
        title = (printable(title or "") or page_title(html) or (plain_text(heading) if heading is not None else "")
                 or "未命名报告")
        report = {"title": title, "fonts": stacks(),
                  "description": description.get("content", "") if description is not None else None,
                  "blocks": _for_typst(blocks(html), Path(folder))}
        try:
            with _COMPILING:
                typesetter = compiler(tuple(font_paths))
                try:
                    pdf, warnings = typesetter.compile_with_warnings(
                        input=template(), root=folder, format="pdf", pdf_standards=STANDARDS,
                        timestamp=_signed(report["blocks"]),
                        sys_inputs={"report": json.dumps(report, ensure_ascii=False)})
                finally:
                    _forget(typesetter)
        except typst.TypstError as exc:
            message = str(exc)
            check = "未通过存档与无障碍检查（PDF/A-2a、PDF/UA-1）" if "PDF/" in message else "排版失败"
            raise ValueError(_missing_glyph(message) or f"PDF{check}：{message[:300]}") from None
    for warning in warnings:
        missing = _missing_glyph(str(warning))
        if missing:
            raise ValueError(missing)
    return pdf
