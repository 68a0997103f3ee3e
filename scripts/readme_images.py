"""The two pictures of README.md, taken by headless Chromium from the pages `make report` wrote.

    docs/images/report-page.png   姚集镇's public page at 900 × 1270 CSS px (an A4 sheet's shape),
                                  scrolled to § 二 so that the official tables show
    docs/images/site-phone.png    the public site (`nianbao publish output/ SITE`, into a temporary
                                  folder): 商水县 2020's list of units on a phone, 360 × 740 CSS px

One device pixel per CSS pixel; each PNG is then reduced to 256 colours (Pillow) so that it stays
well under 200 KB. Run after `make report`:  .venv/bin/python scripts/readme_images.py
"""
from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "output" / "商水县" / "2020"
IMAGES = ROOT / "docs" / "images"
SITE = Path(tempfile.mkdtemp(prefix="nianbao-site-"))
SHOTS = [  # (page, width, height, the heading to scroll to or None, picture)
    (PAGES / "姚集镇.public.html", 900, 1270, "二、主动公开政府信息情况", IMAGES / "report-page.png"),
    (SITE / "商水县" / "2020" / "index.html", 360, 740, None, IMAGES / "site-phone.png"),
]


def main() -> int:
    if not (PAGES / "姚集镇.public.html").exists():
        print("run `make report` first", file=sys.stderr)
        return 1
    # exit 1: units with open errors are left out of the public site, as they should be
    subprocess.run([Path(sys.executable).parent / "nianbao", "publish", ROOT / "output", SITE],
                   check=False, capture_output=True)
    IMAGES.mkdir(parents=True, exist_ok=True)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        for page_file, width, height, heading, picture in SHOTS:
            page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
            page.goto(page_file.as_uri())
            if heading:
                page.get_by_role("heading", name=heading).evaluate(
                    "h => window.scrollTo(0, h.getBoundingClientRect().top + window.scrollY - 8)")
            page.screenshot(path=picture)
            page.close()
            Image.open(picture).convert("RGB").quantize(256).save(picture, optimize=True)
            print(f"{picture.relative_to(ROOT)}: {picture.stat().st_size // 1024} KB")
        browser.close()
    shutil.rmtree(SITE, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
