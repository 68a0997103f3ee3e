"""The site's offline search at a province's size: N units (default 2,000) as 80 counties of 25.

Writes fake county-year records (run.json, no notebook is run) into a temporary output folder,
lets site.site.publish write the home page and search.js from them (timed: what it adds to a
run), then opens the home from file:// in Debian's Chromium (playwright) with the network off
and times, for a few queries, typing → results: in the page (the input event handled and the
list laid out; and up to the next painted frame) and from the test's side (fill → results seen).

Usage: python benchmarks/search.py [--n 2000] [--per-county 25] [--rounds 20]
"""
from __future__ import annotations

import argparse
import itertools
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from nianbao.site import record, site

CHARS = "安白宝北城东丰福高古河红华黄集金康乐李连林龙马南平桥青清泉山上石双水太唐天田王新杨阳永玉张赵庄"
KINDS = ("镇", "乡", "街道")
QUERIES = ("姚集", "集", "镇", "县7 2020", "没有这个单位")
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]


def fake_site(out: Path, n: int, per_county: int) -> None:
    names = ("".join(p) + KINDS[i % 3] for i, p in enumerate(itertools.permutations(CHARS, 2)))
    for c in range((n + per_county - 1) // per_county):
        county = f"县{c}"
        units = []
        for _ in range(min(per_county, n - c * per_county)):
            name = "姚集镇" if c == 0 and not units else next(names)
            units.append({"source": f"/data/{county}/2020/{name}.yaml", "status": "ok", "short_name": name,
                          "unit": f"{name}人民政府", "county": county, "year": 2020, "errors": 0,
                          "outputs": {"review": f"{name}.html", "public": f"{name}.public.html"}})
        record.write(out / county / "2020", {"county": county, "year": 2020, "generated": "2026-12-06T00:00:00+00:00",
                                              "versions": record.versions(), "units": units})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--per-county", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp).resolve()
        fake_site(out, args.n, args.per_county)
        runs = record.load_all(out)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            site.publish(out, runs, {})
            times.append(time.perf_counter() - start)
        index = (out / "search.js").stat().st_size
        print(f"{args.n} units in {len(runs)} county-years: search.js {index / 1024:.0f} KiB, "
              f"home {(out / 'index.html').stat().st_size / 1024:.0f} KiB; "
              f"publish (home + index) {min(times) * 1000:.1f} ms (fastest of 5)")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            page = browser.new_context(offline=True, viewport={"width": 390, "height": 800}).new_page()
            page.goto((out / "index.html").as_uri(), wait_until="load")
            loaded = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            print(f"home loaded (search.js parsed, names prepared) in {loaded:.0f} ms")
            for query in QUERIES:
                handled, painted, seen = [], [], []
                for _ in range(args.rounds):
                    page.fill("#site-q", "")
                    handled.append(page.evaluate("""q => { const box = document.getElementById('site-q');
                        const t0 = performance.now(); box.value = q; box.dispatchEvent(new Event('input'));
                        document.body.getBoundingClientRect(); return performance.now() - t0; }""", query))
                    page.fill("#site-q", "")
                    painted.append(page.evaluate("""q => new Promise(done => { const box = document.getElementById('site-q');
                        const t0 = performance.now(); box.value = q; box.dispatchEvent(new Event('input'));
                        requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0))); })""", query))
                    page.fill("#site-q", "")
                    start = time.perf_counter()
                    page.fill("#site-q", query)
                    page.wait_for_function("document.getElementById('site-status').textContent !== ''")
                    seen.append((time.perf_counter() - start) * 1000)
                status = page.text_content("#site-status")
                print(f"  {query!r:>10} ({status}): handled+laid out {statistics.median(handled):.1f} ms, "
                      f"next frame {statistics.median(painted):.1f} ms, fill→seen {statistics.median(seen):.1f} ms "
                      f"(medians of {args.rounds})")
            browser.close()


if __name__ == "__main__":
    main()
