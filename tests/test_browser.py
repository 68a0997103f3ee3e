"""A real browser opens the exported pages with the network cut off (Debian's chromium)."""
import pytest

from browser import ARGS, CHROMIUM
from conftest import ROOT

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test`")


@pytest.fixture
def pages(seed_outputs):
    return seed_outputs


@pytest.mark.parametrize("name", ["姚集镇.html", "姚集镇.public.html"])
def test_page_renders_offline_with_no_request_and_no_console_error(pages, name):
    from playwright.sync_api import sync_playwright
    requests, console, failures = [], [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1400})
        page = context.new_page()
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: failures.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto((pages / name).as_uri(), wait_until="load")
        assert page.title() == "姚集镇2020年政府信息公开工作年度报告"
        # every chart image decoded (embedded, nothing fetched)
        assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
        assert page.evaluate("document.images.length") == 3
        # the tables are laid out: the requests table is as wide as the text column
        width = page.evaluate("document.querySelector('table.requests').getBoundingClientRect().width")
        assert width > 400
        shots = ROOT / "output" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / name.replace(".html", ".png")), full_page=True)
        pdf = page.pdf(format="A4", print_background=True) if name.endswith("public.html") else None
        browser.close()
    assert requests == [(pages / name).as_uri()]
    assert console == [] and failures == []
    if pdf is not None:
        assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 3   # prints onto A4 pages
