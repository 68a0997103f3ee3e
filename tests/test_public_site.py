"""The two sites of one run (site/publish.py, site.py): `nianbao publish OUT SITE` makes the public
site — only the published units' pages, PDF, Word file and data, lists and search of public pages,
every link inside SITE, nothing internal anywhere, rebuilt incrementally, a removed unit gone, a
hostile name text and never a path — and the review site says on every page that it is internal.
Both read on a 360 px phone and a desk in a real Chromium, with axe."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml

from browser import CHROMIUM, DESKTOP, SHOTS, axe, check_page, chromium
from conftest import ROOT, SEED, nianbao
from test_site import soup

SEED_2019 = ROOT / "tests" / "data" / "valid" / "商水县" / "2019" / "姚集镇.yaml"
COUNTY = ROOT / "data" / "商水县" / "2020"
HOSTILE = '"坏" <b>&amp; <img src=x onerror=alert(1)> ..逃出'   # the reader refuses a '/' in it
UNITS_2020 = ["姚集镇", "新城街道"]              # published; 黄寨镇's data have errors: left out
browser_only = pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test`")


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """OUT: 2020 (姚集镇, 新城街道, 黄寨镇 with data errors, a unit with a hostile short name) and
    2019 (姚集镇), with their PDF and Word files; SITE: `nianbao publish OUT SITE`."""
    root = tmp_path_factory.mktemp("two-sites")
    data = root / "data" / "商水县"
    (data / "2020").mkdir(parents=True)
    (data / "2019").mkdir(parents=True)
    for name in ("姚集镇", "新城街道", "黄寨镇"):
        shutil.copy(COUNTY / f"{name}.yaml", data / "2020" / f"{name}.yaml")
    shutil.copy(SEED_2019, data / "2019" / "姚集镇.yaml")
    text = re.sub(r"^short_name:.*$", "short_name: " + yaml.safe_dump(HOSTILE, allow_unicode=True).split("\n")[0],
                  SEED.read_text(encoding="utf-8"), flags=re.M)
    (data / "2020" / "坏名字.yaml").write_text(text, encoding="utf-8")
    out, site = root / "out", root / "site"
    for year in ("2020", "2019"):
        done = nianbao("run", data / year, "--out", out)
        assert done.returncode == (1 if year == "2020" else 0), done.stderr
    done = nianbao("publish", out, site)
    return out, site, done


def files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


def stem_of(site: Path) -> str:
    [page] = (site / "商水县" / "2020").glob("*onerror*.public.html")
    return page.name.removesuffix(".public.html")


def test_publish_copies_the_published_units_and_names_the_one_left_out(sites):
    out, site, done = sites
    assert done.returncode == 1, done.stderr
    assert "未发布：商水县2020年 黄寨镇：数据有" in done.stderr and "个未说明的错误" in done.stderr
    assert "公开网站：发布4个单位" in done.stderr and "Traceback" not in done.stderr
    odd = stem_of(site)
    unit = lambda year, stem: {f"商水县/{year}/{stem}{s}" for s in (".public.html", ".pdf", ".docx", ".data.csv", ".data.json")}
    want = {"index.html", "search.js", "商水县/2020/index.html", "商水县/2020/units.csv", "商水县/2019/index.html",
            "商水县/2019/units.csv", *unit(2020, "姚集镇"), *unit(2020, "新城街道"), *unit(2020, odd), *unit(2019, "姚集镇")}
    assert files(site) == want
    # the PDF and the Word file are the run's, byte for byte; the public page is the run's page
    # with its navigation for the public site (and no noindex)
    for suffix in (".pdf", ".docx"):
        assert (site / "商水县/2020" / f"姚集镇{suffix}").read_bytes() == (out / "商水县/2020" / f"姚集镇{suffix}").read_bytes()
    from nianbao.site.nav import empty_slot
    page, ran = (site / "商水县/2020/姚集镇.public.html").read_bytes(), (out / "商水县/2020/姚集镇.public.html").read_bytes()
    assert empty_slot(page) == empty_slot(ran) and b"noindex" in ran and b"noindex" not in page
    # the list of a county-year: names and files, no status, no counts
    listing = soup(site / "商水县" / "2020" / "index.html")
    items = listing.select("ol.units > li")
    assert [li.a.get_text() for li in items] == ["姚集镇", "新城街道", HOSTILE] or \
        sorted(li.a.get_text() for li in items) == sorted(["姚集镇", "新城街道", HOSTILE])
    assert [a.get_text() for a in items[0].find_all("a")] == [items[0].a.get_text(), "PDF", "Word", "数据（CSV）"]
    text = listing.get_text()
    assert "黄寨镇" not in text and "通过" not in text and "错误" not in text and "提醒" not in text


# what only the county's staff may read: file names, run records, rule ids, paths, line numbers
INTERNAL = [r"\.ipynb", r"run\.json", r"findings", r"ratios\.csv", r"审阅", r"QUARTILE", r"\.yaml", r"第\d+行",
            r"有错误", r"noindex", r"内部审阅", r"summary\.html", r"检查结果"]


def rule_ids() -> set[str]:
    from nianbao.checks.registry import CONTEXT_RULES, READER_RULES, RULES
    from nianbao.model.edition import load_edition
    return ({*READER_RULES, *CONTEXT_RULES, *(r.id for r in RULES)}
            | {r["id"] for e in ("2019", "2021") for r in load_edition(e).rules})


def readable(path: Path) -> str:
    """What a file says: a page without its stylesheet (selectors are not words to a reader), a
    PDF's text (poppler), a Word file's paragraphs and cells, any other file as text."""
    if path.suffix == ".html":
        page = soup(path)
        for style in page.find_all("style"):
            style.decompose()
        return str(page)
    if path.suffix == ".pdf":
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    if path.suffix == ".docx":
        from docx import Document
        document = Document(str(path))
        return "\n".join([p.text for p in document.paragraphs]
                         + [c.text for t in document.tables for row in t.rows for c in row.cells])
    return path.read_text(encoding="utf-8")


def test_nothing_internal_anywhere_in_the_public_site(sites):
    out, site, _ = sites
    ids = rule_ids()
    assert {"cells.missing", "trend.jump", "cross_year.carry_over", "narrative.copied"} <= ids
    # what the run found, to be sure the words would be there to find had they leaked
    findings = (out / "商水县" / "2020" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "黄寨镇" in findings and any(i in findings for i in ids)
    checked = 0
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        text = readable(path)
        found = [p for p in INTERNAL if re.search(p, text)] + [i for i in ids if i in text]
        assert not found, (path.name, found)
        assert str(out) not in text and str(ROOT) not in text and "黄寨镇" not in text, path.name
        checked += 1
    assert checked == len(files(site))


def test_every_link_from_the_home_resolves_inside_the_site(sites):
    """From the home, every link and script followed: every target a file inside SITE, every
    fragment an id on its page; and every file of SITE is reached (search.js by its script)."""
    _, site, _ = sites
    seen, todo, links = set(), [site / "index.html"], 0
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        if page.suffix != ".html":
            continue
        for tag, attr in (("a", "href"), ("script", "src")):
            for element in soup(page).find_all(tag, attrs={attr: True}):
                url = urlsplit(element[attr])
                assert not url.scheme and not url.netloc and not url.path.startswith("/"), (page.name, element[attr])
                target = (page.parent / unquote(url.path)).resolve() if url.path else page
                assert site.resolve() in target.parents and target.is_file(), (page.name, element[attr])
                if url.fragment:
                    assert soup(target).find(id=url.fragment), (page.name, element[attr])
                todo.append(target)
                links += 1
    assert {p.relative_to(site.resolve()).as_posix() for p in seen} == files(site)
    assert links > 60
    # what the search finds: public pages inside SITE only
    index = json.loads((site / "search.js").read_text(encoding="utf-8").split(" = ", 1)[1].rstrip(";\n"))
    assert "review" not in index and len(index["units"]) == 4
    for group, short, stem, _ in index["units"]:
        _, _, county, year = index["groups"][group]
        assert (site / county / year / f"{stem}.public.html").is_file()


def test_the_review_site_says_it_is_internal_on_every_page(sites):
    out, _, _ = sites
    pages = [p for p in out.rglob("*.html")]
    assert len(pages) == 1 + 2 + 2 * 5 + 2          # home, indexes, 5 units' two pages, summaries
    for page in pages:
        parsed = soup(page)
        assert parsed.head.find("meta", attrs={"name": "robots", "content": "noindex"}), page.name
        mark = parsed.find(class_="internal-mark")
        assert mark and "内部审阅网站" in mark.get_text() and "请勿上传到公开网站" in mark.get_text(), page.name
        if page.name != "index.html" or page.parent != out:             # every page but the home
            assert [li.get_text() for li in parsed.select("nav.site ol li")][:2] == ["首页", "商水县"], page.name
    crumbs = soup(out / "商水县" / "2020" / "summary.html").select("nav.site ol li")
    assert [li.get_text() for li in crumbs] == ["首页", "商水县", "2020年度", "全县汇总"]


def test_a_rebuild_writes_nothing_unchanged_and_a_removed_unit_disappears(sites, tmp_path):
    out, site, _ = sites
    out2, site2 = tmp_path / "out", tmp_path / "site"
    shutil.copytree(out, out2)
    shutil.copytree(site, site2)
    before = {p: p.stat().st_mtime_ns for p in site2.rglob("*") if p.is_file()}
    done = nianbao("publish", out2, site2)
    assert "写入0个文件" in done.stderr and "删除0个" in done.stderr, done.stderr
    assert {p: p.stat().st_mtime_ns for p in site2.rglob("*") if p.is_file()} == before
    # 新城街道 gone from the run's record (its data removed); 2019 gone altogether
    run_json = out2 / "商水县" / "2020" / "run.json"
    content = json.loads(run_json.read_text(encoding="utf-8"))
    content["units"] = [u for u in content["units"] if u.get("short_name") != "新城街道"]
    run_json.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(out2 / "商水县" / "2019")
    done = nianbao("publish", out2, site2)
    assert "删除12个" in done.stderr, done.stderr          # 新城街道's 5 files; 2019: 姚集镇's 5, its list and data
    assert not list(site2.rglob("新城街道*")) and not (site2 / "商水县" / "2019").exists()
    assert "新城街道" not in (site2 / "search.js").read_text(encoding="utf-8")
    assert "新城街道" not in (site2 / "商水县" / "2020" / "index.html").read_text(encoding="utf-8")
    assert "2019" not in soup(site2 / "商水县" / "2020" / "姚集镇.public.html").find("nav").get_text()
    assert (site2 / "商水县" / "2020" / "姚集镇.public.html").is_file()


def test_a_name_in_the_record_never_becomes_a_path_outside_the_site(sites, tmp_path):
    out, _, _ = sites
    out2, site2 = tmp_path / "box" / "out", tmp_path / "box" / "site"
    shutil.copytree(out, out2)
    run_json = out2 / "商水县" / "2020" / "run.json"
    content = json.loads(run_json.read_text(encoding="utf-8"))
    rec = next(u for u in content["units"] if u.get("short_name") == "姚集镇")
    rec["outputs"] = {**rec["outputs"], "public": "../../../逃出.public.html", "pdf": "../../逃出.pdf"}
    run_json.write_text(json.dumps(content, ensure_ascii=False), encoding="utf-8")
    done = nianbao("publish", out2, site2)
    assert done.returncode == 1 and "姚集镇：记录中的文件名不安全" in done.stderr, done.stderr
    assert sorted(p.name for p in (tmp_path / "box").iterdir()) == ["out", "site"]
    assert not list(tmp_path.rglob("逃出*"))
    # SITE inside OUT, OUT itself, a home nianbao did not write: refused, nothing written
    for target, words in ((out2 / "public", "不能与输出文件夹"), (out2, "不能与输出文件夹"), (tmp_path, "不能与输出文件夹")):
        done = nianbao("publish", out2, target)
        assert done.returncode == 2 and words in done.stderr, done.stderr
    foreign = tmp_path / "theirs"
    foreign.mkdir()
    (foreign / "index.html").write_text("<p>门户自己的首页</p>", encoding="utf-8")
    done = nianbao("publish", out2, foreign)
    assert done.returncode == 2 and "不是nianbao生成的，未覆盖" in done.stderr
    assert files(foreign) == {"index.html"}
    done = nianbao("publish", tmp_path / "nothing", tmp_path / "site3")
    assert done.returncode == 2 and "文件夹不存在" in done.stderr and not (tmp_path / "site3").exists()


@browser_only
def test_search_on_the_public_site_finds_public_pages_and_a_hostile_name_stays_text(sites):
    _, site, _ = sites
    with chromium() as browser:
        context = browser.new_context(offline=True, viewport={"width": 360, "height": 800})
        page = context.new_page()
        dialogs, errors = [], []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "index.html").as_uri(), wait_until="load")
        results = lambda: page.eval_on_selector_all("#site-results li", "items => items.map(i => i.textContent)")
        page.fill("#site-q", "新城")
        assert results() == ["新城街道 商水县 2020年 "]                  # no 审阅版 beside it
        page.fill("#site-q", "姚集 2019")
        assert results() == ["姚集镇 商水县 2019年 "]
        page.click("#site-results a >> nth=0")
        assert page.title() == "姚集镇2019年政府信息公开工作年度报告"
        assert unquote(page.url).endswith("/商水县/2019/姚集镇.public.html")
        page.goto((site / "index.html").as_uri(), wait_until="load")
        page.fill("#site-q", "黄寨")
        assert page.text_content("#site-status") == "没有找到"
        page.fill("#site-q", "onerror")
        assert page.eval_on_selector("#site-results", "l => l.querySelectorAll('img, b, script').length") == 0
        page.click("#site-results a >> nth=0")
        assert page.eval_on_selector("nav.site li:last-child", "li => li.textContent") == HOSTILE
        assert page.eval_on_selector("nav.site", "n => n.querySelectorAll('img, b').length") == 0
        page.goto((site / "商水县" / "2020" / "index.html").as_uri(), wait_until="load")
        assert page.eval_on_selector("ol.units", "l => l.querySelectorAll('img, b').length") == 0
        assert HOSTILE in page.eval_on_selector("ol.units", "l => l.textContent")
        page.wait_for_timeout(200)
        context.close()
    assert dialogs == [] and errors == []


def kinds(out: Path, site: Path) -> dict[str, tuple[Path, str, str]]:
    """Every kind of page of both sites: (path, row labels kept in view, tables that scroll)."""
    form = "table.requests tbody th"
    return {"public-home": (site / "index.html", "", ""),
            "public-list": (site / "商水县" / "2020" / "index.html", "", ""),
            "public-unit": (site / "商水县" / "2020" / "姚集镇.public.html", form, "table.requests, table.appeals"),
            "review-home": (out / "index.html", "", ""),
            "review-index": (out / "商水县" / "2020" / "index.html", "", ""),
            "review-unit": (out / "商水县" / "2020" / "黄寨镇.html", form, "table.requests, table.appeals"),
            "review-summary": (out / "商水县" / "2020" / "summary.html",
                               f"{form}, table.summary-table tbody td:first-child", "table.requests, table.appeals")}


KINDS = ["public-home", "public-list", "public-unit", "review-home", "review-index", "review-unit", "review-summary"]


@browser_only
@pytest.mark.parametrize("kind", KINDS)
def test_both_sites_read_on_a_phone_and_a_desk_with_no_axe_violation(sites, kind):
    out, site, _ = sites
    path, labels, scrolls = kinds(out, site)[kind]
    assert check_page(path, (360, DESKTOP), labels=labels or "tbody th", scrolls=scrolls, name=f"site-{kind}") == []
    for width in (360, DESKTOP):
        assert axe(path, width) == [], (kind, width)


REACH = """() => {
  // every link: on the screen's width without scrolling anything sideways (page or box)
  const far = [...document.querySelectorAll('a[href]')].filter(a => a.getClientRects().length)
    .filter(a => { const r = a.getBoundingClientRect(); return r.left < 0 || r.right > innerWidth; });
  return far.map(a => a.textContent.slice(0, 20));
}"""

HINTS = """() => [...document.querySelectorAll('.table-box, figure.chart')].map(e => [
  e.scrollWidth > e.clientWidth + 1, parseFloat(getComputedStyle(e, '::before').height) > 10])"""

CHARTS = """() => [...document.querySelectorAll('figure.chart img')].map(i => [
  i.naturalWidth, i.getBoundingClientRect().width, i.closest('figure').scrollWidth > i.closest('figure').clientWidth])"""


def smallest_pt(fig) -> float:
    """The size of a figure's smallest text, in points, read from the figure."""
    from matplotlib.text import Text
    fig.draw_without_rendering()             # the tick labels are made when the figure is drawn
    return min(t.get_fontsize() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip())


def chart_fonts(out: Path) -> dict[str, list[float]]:
    """The smallest text of each chart of 姚集镇's page and of the summary, in the pages' order,
    from the very figures they embed: the township's three (charts.DEFAULTS) and its years
    (render/trends.py), the summary's three comparisons (the same bars) and its distribution
    (county_peers)."""
    from nianbao.checks import check_file, peers
    from nianbao.render import charts
    from nianbao.render import sections, trends
    from nianbao.site.county_peers import distribution_figure, measured
    from nianbao.site.county_summary import County
    report = check_file(out.parent / "data" / "商水县" / "2020" / "姚集镇.yaml").report      # 2019 beside it
    township = [smallest_pt(charts.bars(data(report), unit, colour(report))) for data, unit, colour, *_ in charts.DEFAULTS]
    township.append(smallest_pt(trends.lines(trends.by_year(report, *sections.history(report)))))  # its years
    county = County(out / "商水县" / "2020" / "run.json")
    spread = distribution_figure(measured(county), peers.labels(county.edition))
    return {"public-unit": township, "review-summary": [min(township[:3])] * 3 + [smallest_pt(spread)]}


@browser_only
def test_on_a_phone_every_link_is_in_reach_wide_boxes_say_they_scroll_and_chart_text_is_11px(sites):
    from nianbao.render.png import DPI
    out, site, _ = sites
    fonts = chart_fonts(out)
    assert min(fonts["review-summary"]) == 8                    # the distribution's tick labels
    with chromium() as browser:
        context = browser.new_context(offline=True, viewport={"width": 360, "height": 800})
        page = context.new_page()
        for kind in KINDS:
            path = kinds(out, site)[kind][0]
            page.goto(path.as_uri(), wait_until="load")
            assert page.evaluate(REACH) == [], kind
            hints = page.evaluate(HINTS)
            assert all(scrolls == hinted for scrolls, hinted in hints), (kind, hints)
        # the unit page: its wide tables and its charts scroll, and say so
        page.goto(kinds(out, site)["public-unit"][0].as_uri(), wait_until="load")
        assert sum(s for s, _ in page.evaluate(HINTS)) >= 5
        # chart text at 360 px: a point of the PNG (DPI an inch) times the width shown
        for kind, sizes in fonts.items():
            page.goto(kinds(out, site)[kind][0].as_uri(), wait_until="load")
            charts = page.evaluate(CHARTS)
            assert len(charts) == len(sizes)
            shown_px = [pt / 72 * DPI * shown / natural for pt, (natural, shown, _) in zip(sizes, charts)]
            print(kind, "smallest chart text at 360 px:", [round(px, 1) for px in shown_px])
            assert min(shown_px) >= 11 and all(scrolls for *_, scrolls in charts), (kind, shown_px)
        page.screenshot(path=str(SHOTS / "site-summary-charts-360.png"), full_page=True)
        context.close()
