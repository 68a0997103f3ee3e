"""The output folder as a site (site/site.py, nav.py, search.py, open_data.py): a home listing
every county-year nianbao built, breadcrumbs and year links between a unit's pages, offline
search from file:// in a real Chromium, open data read back against the seed's 198 cells, and a
unit with an odd, long name (quotes, <, &, an <img onerror>, U+2028; its full name with
</script> and slashes) that breaks nothing."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from browser import CHROMIUM, MIN_FONT, SHOTS, chromium
from conftest import ROOT, SEED, nianbao
from nianbao.io import read_report
from nianbao.model.edition import load_edition

SEED_2019 = ROOT / "tests" / "data" / "valid" / "商水县" / "2019" / "姚集镇.yaml"
ODD = '"引\'号" <b>&amp; <img src=x onerror=alert(1)>\u2028'
ODD += "长" * (50 - len(ODD))                  # the longest short name the reader allows
ODD_UNIT = ODD[:30] + "</script><script>alert(2)</script>/斜杠\\人民政府"
FOREIGN = {"外来/2020/index.html": "<p>not ours</p>", "外来/2020/run.json": '{"units": "x"}',
           "别的/2021/index.html": "<p>nor this</p>"}


def _yaml(value: str) -> str:
    return yaml.safe_dump(value, allow_unicode=True, width=1000).removesuffix("\n...\n").strip()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """姚集镇 2019 and 2020, and the odd unit in 2020 (its procurement amount left blank), built
    into an output folder that already holds folders nianbao did not write."""
    root = tmp_path_factory.mktemp("site")
    data = root / "data" / "商水县"
    for year, source in (("2020", SEED), ("2019", SEED_2019)):
        (data / year).mkdir(parents=True)
        shutil.copy(source, data / year / "姚集镇.yaml")
    text = re.sub(r"^short_name:.*$", lambda m: "short_name: " + _yaml(ODD), SEED.read_text(encoding="utf-8"), flags=re.M)
    text = re.sub(r"^unit:.*$", lambda m: "unit: " + _yaml(ODD_UNIT), text, flags=re.M)
    text = text.replace("procurement: {projects: 7, amount: 1306.14}", "procurement: {projects: 7, amount: null}")
    (data / "2020" / '奇 "怪" <&> 单位.yaml').write_text(text, encoding="utf-8")
    out = root / "out"
    for name, content in FOREIGN.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(content, encoding="utf-8")
    done = nianbao("run", data / "2020", "--out", out, "--pages-only")
    assert done.returncode == 1, done.stderr          # the odd unit's blank cell is an error
    # 2019 in a later run: the 2020 pages, not in that run, are given their link to it
    done = nianbao("run", data / "2019", "--out", out, "--pages-only")
    assert done.returncode == 0, done.stderr
    return out


def odd_stem(out: Path) -> str:
    [page] = (out / "商水县" / "2020").glob("*onerror*.public.html")
    return page.name.removesuffix(".public.html")


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_home_lists_every_county_year_nianbao_built_and_nothing_else(site):
    home = soup(site / "index.html")
    assert home.html["lang"] == "zh-CN" and home.find("main") and home.find("label", attrs={"for": "site-q"})
    [county] = home.find_all("section")
    assert county.h2.get_text() == "商水县"
    years = [li.get_text() for li in county.find_all("li")]
    assert [y.split("：")[0] for y in years] == ["2020年度", "2019年度"]
    assert years[0].startswith("2020年度：2个单位，通过1个，有错误1个；生成于")
    assert years[1].startswith("2019年度：1个单位，通过1个，含示例数据（非真实）；生成于")   # that file is marked demo
    assert "外来" not in home.get_text() and "别的" not in home.get_text()
    assert "外来" not in (site / "search.js").read_text(encoding="utf-8")
    for name, content in FOREIGN.items():                        # left alone
        assert (site / name).read_text(encoding="utf-8") == content
    assert sorted(p.name for p in (site / "外来" / "2020").iterdir()) == ["index.html", "run.json"]


def html_pages(out: Path) -> list[Path]:
    return [p for p in out.rglob("*.html") if p.parts[len(out.parts)] not in ("外来", "别的")]


def test_every_link_of_every_page_is_relative_and_resolves(site):
    checked = 0
    for page in html_pages(site):
        parsed = soup(page)
        for tag, attr in (("a", "href"), ("script", "src")):
            for element in parsed.find_all(tag, attrs={attr: True}):
                url = urlsplit(element[attr])
                assert not url.scheme and not url.netloc and not url.path.startswith("/"), (page, element)
                target = (page.parent / unquote(url.path)).resolve() if url.path else page
                assert target.is_file(), (page.name, element[attr])
                if url.fragment:
                    assert soup(target).find(id=url.fragment), (page.name, element[attr])
                checked += 1
    assert checked > 50


def nav(page: Path):
    return soup(page).find("nav", class_="site")


def test_breadcrumbs_and_the_same_units_other_years(site):
    for kind in (".public.html", ".html"):
        new, old = nav(site / "商水县" / "2020" / f"姚集镇{kind}"), nav(site / "商水县" / "2019" / f"姚集镇{kind}")
        assert [li.get_text() for li in new.ol.find_all("li")] == ["首页", "商水县", "2020年度", "姚集镇"]
        assert [a["href"] for a in new.ol.find_all("a")][:1] == ["../../index.html"]
        assert {a.get_text(): unquote(a["href"]) for a in new.find_all("a")}["2019年"] == f"../2019/姚集镇{kind}"
        assert {a.get_text(): unquote(a["href"]) for a in old.find_all("a")}["2020年"] == f"../2020/姚集镇{kind}"
        assert "下载：表格（CSV） · JSON" in new.get_text()          # (pages only: no PDF, no Word file)
    odd = nav(site / "商水县" / "2020" / f"{odd_stem(site)}.public.html")
    assert [li.get_text() for li in odd.ol.find_all("li")] == ["首页", "商水县", "2020年度", ODD]
    assert "其他年度" not in odd.get_text()                      # built in one year only
    index = nav(site / "商水县" / "2020" / "index.html")
    assert [li.get_text() for li in index.ol.find_all("li")] == ["首页", "商水县", "2020年度"]
    assert {a.get_text(): a["href"] for a in index.find_all("a")}["2019年"] == "../2019/index.html"
    assert soup(site / "商水县" / "2020" / "index.html").find("input", id="site-q")["data-base"] == "../../"


def test_a_public_page_with_its_navigation_still_imports_to_the_198_cells(site, tmp_path):
    done = nianbao("import", site / "商水县" / "2020" / "姚集镇.public.html", "-o", tmp_path / "back.yaml",
                   "--county", "商水县")
    assert done.returncode == 0, done.stderr
    assert "读出198/198个单元格，缺失0个，非数字0个，有歧义0个" in done.stderr
    assert read_report(tmp_path / "back.yaml").year == 2020


def test_the_navigation_never_reaches_the_word_file_nor_print(site):
    from docx import Document
    from nianbao.documents.word import docx_bytes
    page = (site / "商水县" / "2020" / "姚集镇.public.html").read_text(encoding="utf-8")
    assert "下载：" in page and "nav.site { display: none; }" in page        # hidden in print
    text = "\n".join(p.text for p in Document(io.BytesIO(docx_bytes(page))).paragraphs)
    assert "姚集镇" in text and "下载" not in text and "内部审阅" not in text and "其他年度" not in text and "首页" not in text


def seed_cells(source: Path) -> dict[tuple[str, str, str], object]:
    report = read_report(source)
    return {(tid, row, col): None if frame.isna().loc[row, col] else frame.loc[row, col].item()
            for tid, frame in report.tables.items()
            for row, col in report.edition.tables[tid].cells}


def test_open_data_gives_back_the_data_files_198_cells(site):
    folder = site / "商水县" / "2020"
    want = seed_cells(SEED)
    assert len(want) == 198 and None not in want.values()
    edition = load_edition(read_report(SEED).edition.id)
    table = json.loads((folder / "姚集镇.data.json").read_text(encoding="utf-8"))
    assert (table["county"], table["year"], table["short_name"], table["edition"]) == ("商水县", 2020, "姚集镇", edition.id)
    got = {(t["id"], c["row"], c["column"]): c["value"] for t in table["tables"] for c in t["cells"]}
    assert got == want and all(type(got[k]) is type(want[k]) for k in want)
    cell = table["tables"][2]["cells"][0]                         # the official labels
    assert cell["row_label"] == edition.tables["appeals"].row(cell["row"]).full_label
    raw = (folder / "姚集镇.data.csv").read_bytes()
    assert raw.startswith("\ufeff".encode())                       # UTF-8 with BOM, for Excel
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 198 and {r["单位"] for r in rows} == {"姚集镇"}
    assert {(r["表格"], r["行"], r["列"]): float(r["数值"]) for r in rows} == {k: float(v) for k, v in want.items()}
    # the odd unit: its blank cell is null and empty, never 0; its name safe in a CSV cell
    odd = json.loads((folder / f"{odd_stem(site)}.data.json").read_text(encoding="utf-8"))
    cells = {(t["id"], c["row"], c["column"]): c["value"] for t in odd["tables"] for c in t["cells"]}
    assert cells.pop(("proactive", "procurement", "amount")) is None
    assert odd["unit"] == ODD_UNIT and odd["short_name"] == ODD
    county = list(csv.DictReader(io.StringIO((folder / "units.csv").read_text(encoding="utf-8-sig"))))
    assert len(county) == 2 * 198 and {r["单位"] for r in county} == {"姚集镇", ODD}
    [blank] = [r for r in county if r["单位"] == ODD and r["列"] == "amount" and r["行"] == "procurement"]
    assert blank["数值"] == ""


def test_an_unchanged_rerun_rewrites_nothing_and_a_forced_one_keeps_the_site(site, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(site, out)
    data = site.parent / "data"
    # the units' pages and data files, the county's data, the search index (the home and the
    # county indexes are written again: they say when the county-year was built)
    made = [p for p in out.rglob("*") if p.is_file() and (p.name.endswith((".data.csv", ".data.json", "units.csv", "search.js"))
                                                           or p.name.endswith(".html") and p.name != "index.html")]
    made = [p for p in made if "外来" not in p.parts and "summary.html" != p.name]
    assert len(made) == 3 * 4 + 2 + 1
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in made}
    done = nianbao("run", data, "--out", out, "--pages-only")
    assert "未变化跳过3份" in done.stderr and done.returncode == 1
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in made} == before       # not even touched
    done = nianbao("run", data, "--out", out, "--pages-only", "--force")
    assert "新生成3份" in done.stderr
    assert {p: p.read_bytes() for p in made} == {p: content for p, (_, content) in before.items()}
    assert nav(out / "商水县" / "2019" / "姚集镇.html").find("a", string="2020年")


def test_a_home_page_nianbao_did_not_write_is_never_overwritten(site, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(site, out)
    (out / "index.html").write_text("<p>单位自己的首页</p>", encoding="utf-8")
    done = nianbao("run", site.parent / "data", "--out", out, "--pages-only")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert f"{out / 'index.html'}不是nianbao生成的，未覆盖：首页未更新" in done.stderr
    assert (out / "index.html").read_text(encoding="utf-8") == "<p>单位自己的首页</p>"
    assert (out / "search.js").is_file()


# ---- in a real Chromium, from file://, the network cut off ----

browser_only = pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test`")


@pytest.fixture
def browse():
    """open(path, width) → a page; every request, page error and dialog (an alert) is kept."""
    seen = {"requests": [], "errors": [], "dialogs": []}
    with chromium() as browser:

        def open_(path: Path, width: int = 1280):
            context = browser.new_context(offline=True, viewport={"width": width, "height": 800})
            page = context.new_page()
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on("dialog", lambda d: (seen["dialogs"].append(d.message), d.dismiss()))
            page.goto(path.as_uri(), wait_until="load")
            return page
        yield open_, seen
    assert all(url.startswith("file://") for url in seen["requests"]), seen["requests"]
    assert seen["errors"] == [] and seen["dialogs"] == []


def results(page) -> list[str]:
    return page.eval_on_selector_all("#site-results li", "items => items.map(i => i.textContent)")


@browser_only
def test_typing_a_part_of_a_name_finds_the_unit_and_its_link_opens_the_report(site, browse):
    open_, seen = browse
    page = open_(site / "index.html")
    page.fill("#site-q", "姚集")
    assert results(page) == ["姚集镇 商水县 2020年 审阅版", "姚集镇 商水县 2019年 审阅版"]
    assert page.text_content("#site-status") == "找到2个单位"
    page.click("#site-results li >> nth=1 >> text=姚集镇")
    assert page.title() == "姚集镇2019年政府信息公开工作年度报告"
    assert unquote(page.url).endswith("/商水县/2019/姚集镇.public.html")
    # a county, a year; words together narrow it
    page = open_(site / "index.html")
    page.fill("#site-q", "商水县")
    assert len(results(page)) == 3
    page.fill("#site-q", "2019")
    assert results(page) == ["姚集镇 商水县 2019年 审阅版"]
    page.fill("#site-q", "商水 2020 姚集")
    assert results(page) == ["姚集镇 商水县 2020年 审阅版"]
    page.fill("#site-q", "没有这个单位")
    assert results(page) == [] and page.text_content("#site-status") == "没有找到"


@browser_only
def test_an_odd_name_is_shown_as_text_and_runs_nothing(site, browse):
    open_, seen = browse
    for where in (site / "index.html", site / "商水县" / "2020" / "index.html"):   # the county index too
        page = open_(where)
        page.fill("#site-q", "onerror")
        assert results(page) == [f"{ODD} 商水县 2020年 审阅版"]
        assert page.eval_on_selector("#site-results", "list => list.querySelectorAll('img, b, script').length") == 0
        page.fill("#site-q", "</script><script>alert(2)")          # found by its full name
        assert len(results(page)) == 1
        page.click("#site-results a >> nth=0")
        assert page.title().startswith(ODD)
        assert page.eval_on_selector("nav.site li:last-child", "li => li.textContent") == ODD
    page.wait_for_timeout(200)
    assert seen["dialogs"] == []


@browser_only
def test_a_units_years_and_its_breadcrumb_link_in_the_browser(site, browse):
    open_, _ = browse
    page = open_(site / "商水县" / "2020" / "姚集镇.public.html")
    page.emulate_media(media="print")                  # printed from the browser: the report alone
    assert page.eval_on_selector("nav.site", "n => getComputedStyle(n).display") == "none"
    page.emulate_media(media="screen")
    page.click("nav.site >> text=2019年")
    assert page.title() == "姚集镇2019年政府信息公开工作年度报告"
    page.click("nav.site >> text=2019年度")
    assert page.title().startswith("商水县2019年")
    page.click("nav.site >> text=2020年")
    assert page.title().startswith("商水县2020年")
    page.click("nav.site >> text=商水县")
    assert page.url.endswith("/index.html#" + page.eval_on_selector("section h2", "h => h.id"))
    page.click("section >> text=2019年度")
    assert page.title().startswith("商水县2019年")


@browser_only
@pytest.mark.parametrize("width", [360, 1280])
def test_the_home_fits_a_phone_and_its_text_is_readable(site, browse, width):
    open_, _ = browse
    page = open_(site / "index.html", width)
    page.fill("#site-q", "姚集")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    smallest = page.evaluate("""Math.min(...[...document.querySelectorAll('body *')]
        .filter(e => e.textContent.trim() && e.getClientRects().length)
        .map(e => parseFloat(getComputedStyle(e).fontSize)))""")
    assert smallest >= MIN_FONT
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"home-{width}.png"), full_page=True)
    # the navigation above a report wraps on a phone: a long name never widens it
    report = open_(site / "商水县" / "2020" / f"{odd_stem(site)}.public.html", width)
    assert report.eval_on_selector("nav.site", "n => n.scrollWidth <= n.clientWidth")
    assert report.eval_on_selector("nav.site", "n => parseFloat(getComputedStyle(n).fontSize)") >= 14
    report.screenshot(path=str(SHOTS / f"report-nav-{width}.png"))
