"""A published page as one text: its header fields, and its body with table cells marked.

Three inputs occur: plain text copied from a report (one table cell per line, indented by a tab,
rows separated by a blank line — like the seed), a portal's text view (header lines 标题: …,
then 正文 with the tables flattened into runs of text), and HTML pages (tables as <table>, often
exported from Word with mso styles and conditional comments). HTML tables are written in the
plain-text convention, so the importer reads every kind with the same rules.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .pdf_text import is_laid_out, laid_out_html


PAGE_NUMBER = re.compile(r"[-—–－ \t]*(?:第\s*)?(\d{1,4})\s*页?[-—–－ \t]*")
PIPES = re.compile(r"[ \t]*[|｜│](?:[ \t]*[|｜│])*[ \t]*")   # “规章 | 0 | 0”, or a line of its own
MIN_PIPES = 5                     # fewer are text (a reader's “|” in a sentence), not a table's rules
BODY_MARK = re.compile(r"^=+\s*正文\s*=+\s*$", re.M)
HEADER_LINE = re.compile(r"^(标题|发布时间|文号|发布机构|栏目|原文链接|来源)\s*[:：]\s*(.*)$")
HTML_HINT = re.compile(r"<(html|body|table|p|div|td|span)\b", re.I)
COMMENTS = re.compile(r"<!--.*?-->|<!\[(?:end)?if[^\]]*\]>", re.S)   # Word's conditional comments
CELL, ROW = "\n\t", "\n\n"                                              # the plain-text convention
BLOCKS = {"p", "div", "br", "h1", "h2", "h3", "h4", "h5", "h6", "li", "section", "article", "title"}
SKIP = {"script", "style", "head", "noscript", "xml", "nav"}     # a site's navigation is not the report
FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
META_NAMES = {"pubdate": "发布时间", "firstpublishedtime": "发布时间", "publishdate": "发布时间",
              "articletitle": "标题", "contentsource": "发布机构", "url": "原文链接"}


@dataclass
class PageText:
    fields: dict[str, str] = field(default_factory=dict)   # 标题, 发布时间, 原文链接 … as given
    body: str = ""
    from_pdf: bool = False         # a PDF's text (pdftotext): its lines end where the page's do


class _Linearizer(HTMLParser):
    """HTML → text: block elements end lines, table cells follow the plain-text convention."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skip = 0
        self.in_cell = 0
        self.fields: dict[str, str] = {}
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag, attrs):
        tag = tag.lower()
        if tag in SKIP:
            self.skip += 1
        elif tag == "meta":
            attrs = dict(attrs)
            name = (attrs.get("name") or "").lower()
            if name in META_NAMES and attrs.get("content"):
                self.fields.setdefault(META_NAMES[name], attrs["content"].strip())
        elif tag == "title":
            self.in_title = True
        elif tag == "tr":
            self.out.append(ROW)
        elif tag in ("td", "th"):
            self.out.append(CELL)
            self.in_cell += 1
        elif tag in BLOCKS:
            self.out.append(" " if self.in_cell else "\n")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() in SKIP:
            self.skip -= 1

    def handle_endtag(self, tag):
        tag = tag.lower()
        if tag in SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag == "title":
            self.in_title = False
        elif tag in ("td", "th"):
            self.in_cell = max(0, self.in_cell - 1)
        elif tag == "table":
            self.out.append(ROW)
        elif tag in BLOCKS and not self.in_cell:
            self.out.append("\n")

    def handle_data(self, data):
        if self.in_title:
            self.title.append(data)
        if self.skip:
            return
        self.out.append(re.sub(r"\s+", " ", data.replace("\xa0", " ").replace("\u3000", " ")))


def _html(text: str) -> PageText:
    parser = _Linearizer()
    parser.feed(COMMENTS.sub("", text))
    parser.close()
    fields = dict(parser.fields)
    title = re.sub(r"\s+", " ", "".join(parser.title)).strip()
    if title:
        fields.setdefault("标题", title)
    body = "".join(parser.out)
    body = re.sub(r"[ ]*\n[ ]*", "\n", body)            # no spaces around line ends
    body = re.sub(r"\n\t[ ]+", "\n\t", body)
    return PageText(fields, body.strip("\n "))


def _without_page_numbers(text: str) -> str:
    """A PDF's raw text without its page numbers: a number on a line of its own at the end of
    each page (pages apart by form feeds), counting up page by page. They are known by that
    count — most pages, two at least, end with their number — and dropped there; on a page that
    does not end with it (pdftotext may write a table's last values after it), the one line
    among the values at its end that holds the number is dropped, none when two do."""
    pages = [page.split("\n") for page in text.split("\f")]
    counted = pages[:-1] if not "".join(pages[-1]).strip() else pages
    lasts, fills = [], []
    for lines in counted:
        filled = [k for k, line in enumerate(lines) if line.strip()]
        found = PAGE_NUMBER.fullmatch(lines[filled[-1]]) if filled else None
        lasts.append(int(found.group(1)) if found else None)
        fills.append(filled)
    offsets = Counter(n - i for i, n in enumerate(lasts) if n is not None)
    if not offsets:
        return text
    offset, count = offsets.most_common(1)[0]
    if count < 2 or 2 * count <= len(counted):
        return text
    for i, (lines, filled) in enumerate(zip(counted, fills)):
        if filled and lasts[i] == i + offset:
            del lines[filled[-1]]
            continue
        tail = []                                        # the lines of the values the page ends with
        for k in range(len(lines) - 1, -1, -1):
            if not lines[k].strip():
                continue
            found = PAGE_NUMBER.fullmatch(lines[k])
            if not found:
                break
            if int(found.group(1)) == i + offset:
                tail.append(k)
        if len(tail) == 1:
            del lines[tail[0]]
    return "\f".join("\n".join(lines) for lines in pages)


def page_text(text: str) -> PageText:
    text = text.translate(FULL_WIDTH_DIGITS)
    if HTML_HINT.search(text[:20000]):
        return _html(text)
    mark = BODY_MARK.search(text)
    fields = {}
    if mark:
        for line in text[:mark.start()].splitlines():
            found = HEADER_LINE.match(line.strip())
            if found and found.group(2).strip():
                fields[found.group(1)] = found.group(2).strip()
        text = text[mark.end():]
    text = COMMENTS.sub("", text).replace("\r\n", "\n")
    if len(PIPES.findall(text)) >= MIN_PIPES:   # a table drawn with “|”: each one ends a cell
        text = PIPES.sub("\n", text)
    from_pdf = "\f" in text                # pdftotext ends each page with a form feed
    if from_pdf:
        text = _without_page_numbers(text)
    if is_laid_out(text):                   # a PDF's text in columns: read where its words stand
        laid_out = _html(laid_out_html(text))
        return PageText({**laid_out.fields, **fields}, laid_out.body, True)
    return PageText(fields, text.strip(), from_pdf)
