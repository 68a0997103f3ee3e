"""Browser checks of any page nianbao writes, for the tests: a real Chromium (Debian's), offline.

    check_page(path, widths) -> findings   phone-first layout at each width, screenshots kept
    axe(path, width) -> violations         axe-core's WCAG 2.1 A/AA rules

A finding is a sentence naming the width and what is wrong; a page that reads well has none.
"""
from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

from conftest import ROOT

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "output" / "screenshots"
WIDTHS = (360, 390, 768, 1280)          # small and common phones, a tablet, a desk
PHONE, DESKTOP = 390, 1280
PHONES = 400                            # up to this width the wide tables must scroll in their box
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
MIN_FONT = 14                           # px, body text


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def opened(browser, path: Path, width: int):
    """The page at `width` px, with the network cut off; yields (page, the URLs it requested)."""
    context = browser.new_context(offline=True, viewport={"width": width, "height": 800})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(Path(path).as_uri(), wait_until="load")
    try:
        yield page, requests
    finally:
        context.close()


# One pass over the page in the browser: what a reader at this width would trip over.
LAYOUT = """([labels, minFont]) => {
  const out = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > innerWidth) out.push(`the page scrolls sideways (${doc.scrollWidth} px wide)`);
  const px = e => parseFloat(getComputedStyle(e).fontSize);
  if (px(document.body) < minFont) out.push(`body text ${px(document.body)} px`);
  for (const e of document.querySelectorAll('p, li'))
    if (e.textContent.trim() && px(e) < minFont) out.push(`text of ${e.tagName} ${px(e)} px: ${e.textContent.trim().slice(0, 20)}`);
  // an image wider than the screen, unless it scrolls in a box of its own that fits (a chart)
  const scroller = e => { while (e && !['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) e = e.parentElement; return e; };
  for (const img of document.images) {
    const box = scroller(img.parentElement);
    const r = (box || img).getBoundingClientRect();
    if (r.right > innerWidth + 0.5 || r.width > innerWidth) out.push(`image ${Math.round(img.getBoundingClientRect().width)} px wide: ${img.alt.slice(0, 20)}`);
  }
  // a cell laid one character a line: as many line boxes as characters (two or more)
  for (const cell of document.querySelectorAll('td, th')) {
    const text = cell.innerText.replace(/\\s/g, '');
    if (text.length < 2 || !cell.getClientRects().length) continue;
    const range = document.createRange();
    range.selectNodeContents(cell);
    const lines = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.bottom)));
    if (lines.size >= text.length) out.push(`cell laid one character a line: ${text.slice(0, 20)}`);
  }
  // a box that scrolls sideways: scrolled to its end, its row labels are still in view, on top
  const boxes = [...document.querySelectorAll('*')].filter(e =>
    ['auto', 'scroll'].includes(getComputedStyle(e).overflowX) && e.scrollWidth > e.clientWidth + 1);
  for (const box of boxes) {
    box.scrollLeft = box.scrollWidth;
    for (const cell of [...box.querySelectorAll(labels)].filter(c => c.getClientRects().length)) {
      window.scrollTo(0, scrollY + cell.getBoundingClientRect().top - 100);
      const b = box.getBoundingClientRect(), r = cell.getBoundingClientRect();
      const inside = r.left >= b.left + box.clientLeft - 2 && r.right <= b.left + box.clientLeft + box.clientWidth + 2;
      const hit = document.elementFromPoint(r.left + 3, r.top + Math.min(r.height / 2, 10));
      if (!inside || !(hit && cell.contains(hit)))
        out.push(`label out of view when its box is scrolled: ${cell.innerText.trim().slice(0, 20)}`);
    }
    box.scrollLeft = 0;
  }
  return out;
}"""

SCROLLS = """(selector) => [...document.querySelectorAll(selector)].map(t => {
  let box = t;
  while (box && !['auto', 'scroll'].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
  return box ? box.scrollWidth > box.clientWidth + 1 && document.documentElement.scrollWidth <= innerWidth : false;
})"""


def check_page(path: Path, widths=WIDTHS, labels: str = "tbody th", scrolls: str = "",
               name: str | None = None) -> list[str]:
    """What keeps `path` from reading well at each width, as sentences ("360px: …"): the page
    scrolling sideways, body text under 14 px, an image wider than the screen, a table cell laid
    one character a line, a row label (cells matching `labels`) that leaves the view when its
    table's box is scrolled to the end, a request to the network; and, up to PHONES px, a table
    matching `scrolls` that does not scroll inside a box of its own. A full-page screenshot of
    each width is kept as output/screenshots/<name>-<width>.png (name: the file's, less .html)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    stem = name or Path(path).name.removesuffix(".html")
    findings = []
    with chromium() as browser:
        for width in widths:
            with opened(browser, path, width) as (page, requests):
                page.screenshot(path=str(SHOTS / f"{stem}-{width}.png"), full_page=True)
                found = page.evaluate(LAYOUT, [labels, MIN_FONT])
                if scrolls and width <= PHONES:
                    boxed = page.evaluate(SCROLLS, scrolls)
                    if not boxed or not all(boxed):
                        found.append(f"{scrolls}: does not scroll in a box of its own ({boxed})")
                # the page's own local files (the site's search.js) are no request to the network
                found += [f"requested {url}" for url in requests if url != Path(path).as_uri()
                          and not (url.startswith("file:") and Path(url2pathname(urlparse(url).path)).is_file())]
                findings += [f"{width}px: {f}" for f in found]
    return findings


def axe(path: Path, width: int) -> list[dict]:
    """axe-core's violations of WCAG 2.1 A and AA on the page at `width` px: id, impact, what
    it means and where (CSS selectors). axe.min.js comes with axe-playwright-python (the [test]
    extra) and is put into the page by the test, not fetched: the page stays offline."""
    from axe_playwright_python.sync_playwright import Axe
    with chromium() as browser, opened(browser, path, width) as (page, _):
        result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG}})
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "where": [n["target"] for n in v["nodes"]][:5]} for v in result.response["violations"]]
