"""Every page kind as the public reads it, in a real Chromium: on a 360 px phone up to a desk
(no sideways page, wide tables scrolling in their box with their labels in view), accessible
(axe-core, WCAG 2.1 A/AA), and with what a shared link shows (title, description, Open Graph)."""
import base64

import pytest
from bs4 import BeautifulSoup

from browser import CHROMIUM, DESKTOP, PHONE, WIDTHS, axe, check_page
from conftest import ROOT, nianbao, replace_line, seed_text

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium is installed by `make test`")

THREE = ["姚集镇", "黄寨镇", "新城街道"]      # the real unit, one with data errors, one clean


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """Three units of the bundled county, pages only: its index and summary have several rows."""
    out = tmp_path_factory.mktemp("phone")
    only = [a for name in THREE for a in ("--only", name)]
    done = nianbao("run", ROOT / "params" / "商水县" / "2020.yaml", *only, "--pages-only", "--out", out)
    assert done.returncode == 1, done.stderr          # 黄寨镇's data has errors: its page says so
    return out / "商水县" / "2020"


# page kind → (which run, file, the row labels that stay in view, the tables that scroll on a phone)
FORM_LABELS = "table.requests tbody th"
KINDS = {
    "public": ("seed", "姚集镇.public.html", FORM_LABELS, "table.requests, table.appeals"),
    "review": ("seed", "姚集镇.html", FORM_LABELS, "table.requests, table.appeals"),
    "review-errors": ("county", "黄寨镇.html", FORM_LABELS, "table.requests, table.appeals"),
    "index": ("county", "index.html", "tbody td:nth-child(2)", ""),     # a list of cards on a phone
    "home": ("site", "index.html", "tbody th", ""),
    "summary": ("county", "summary.html", f"{FORM_LABELS}, table.summary-table tbody td:first-child",
                "table.requests, table.appeals"),
}


@pytest.fixture
def page_of(request, seed_outputs):
    def path(kind):
        run, name, *_ = KINDS[kind]
        folder = seed_outputs if run == "seed" else request.getfixturevalue("county")
        return (folder.parent.parent if run == "site" else folder) / name
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_every_page_reads_on_a_phone_and_a_desk(page_of, kind):
    _, name, labels, scrolls = KINDS[kind]
    shot = {"index": "county-index", "home": "site-home"}.get(kind, name.removesuffix(".html"))
    assert check_page(page_of(kind), WIDTHS, labels=labels, scrolls=scrolls, name=shot) == []
    assert (ROOT / "output" / "screenshots" / f"{shot}-360.png").stat().st_size > 10_000


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
@pytest.mark.parametrize("kind", KINDS)
def test_axe_finds_no_wcag_violation(page_of, kind, width):
    assert axe(page_of(kind), width) == []


PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()
BAD_PAGE = f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-size:12px; margin:0">
<p style="width:500px">一段写死宽度的文字</p>
<div style="overflow-x:auto"><table><tbody><tr><th style="white-space:nowrap">行标签</th>
<td style="white-space:nowrap">很长的一行数字很长的一行数字很长的一行数字很长的一行数字很长的一行数字</td></tr></tbody></table></div>
<table><tr><td style="width:1em; padding:0">挤窄</td></tr></table>
<img src="data:image/png;base64,{PNG}" width="600">
<p style="color:#bbb; font-size:20px">浅灰色的字</p>
</body></html>"""


def test_the_checks_find_what_a_phone_reader_trips_over(tmp_path):
    """The checker and axe themselves, on a page made to fail each check once."""
    page = tmp_path / "bad.html"
    page.write_text(BAD_PAGE, encoding="utf-8")
    assert check_page(page, [360], name="bad-page") == [
        "360px: the page scrolls sideways (600 px wide)", "360px: body text 12 px",
        "360px: text of P 12 px: 一段写死宽度的文字", "360px: image 600 px wide: ",
        "360px: cell laid one character a line: 挤窄",
        "360px: label out of view when its box is scrolled: 行标签"]
    # a box that scrolls must take the keyboard's focus: why tables.scroll_box has tabindex="0"
    assert {v["id"] for v in axe(page, PHONE)} == {"html-has-lang", "document-title", "image-alt",
                                                   "color-contrast", "scrollable-region-focusable"}


def head(path):
    return head_of(path.read_text(encoding="utf-8"))


def head_of(html):
    page = BeautifulSoup(html, "html.parser")
    meta = {m.get("name") or m.get("property"): m["content"] for m in page.head.find_all("meta") if m.get("content")}
    return page.title.string, meta


DESCRIPTION = "商水县姚集镇人民政府2020年政府信息公开工作年度报告：主动公开、依申请公开、行政复议和行政诉讼情况。"


def test_a_shared_link_says_which_unit_year_and_report(page_of):
    title, meta = head(page_of("public"))
    assert title == meta["og:title"] == "姚集镇2020年政府信息公开工作年度报告"
    assert meta["description"] == meta["og:description"] == DESCRIPTION
    assert meta["og:type"] == "article"
    title, meta = head(page_of("review"))
    assert title == "姚集镇2020年政府信息公开工作年度报告"
    assert meta["description"] == DESCRIPTION + "本页为审阅版：检查结果在前，有问题的单元格已标出。"
    _, meta = head(page_of("review-errors"))      # demonstration data says so in the preview too
    assert meta["og:description"].startswith("示例数据（非真实）：商水县黄寨镇人民政府2020年")
    title, meta = head(page_of("index"))
    assert (title, meta["og:type"]) == ("商水县2020年政府信息公开工作年度报告（各乡镇、街道）", "website")
    assert meta["description"] == ("商水县2020年各乡镇（街道）政府信息公开工作年度报告：共3个单位"
                                   "（通过2个，有错误1个），每个单位的公开版、审阅版和检查结果。")
    title, meta = head(page_of("summary"))
    assert title == meta["og:title"] == "商水县2020年乡镇（街道）政府信息公开工作年度报告汇总"
    assert meta["og:description"].startswith("商水县2020年各乡镇（街道）政府信息公开工作年度报告汇总：")
    title, meta = head(page_of("home"))
    assert title == meta["og:title"] == "政府信息公开工作年度报告"
    assert meta["description"] == "商水县政府信息公开工作年度报告：共3份，涵盖1个年度，可按单位名称查找。"


def test_a_unit_name_with_markup_stays_text_in_the_preview(write_data, tmp_path):
    text = replace_line(seed_text(), r"^unit:", """unit: '姚集镇"><b>&人民政府'""")
    done = nianbao("run", write_data(text), "--pages-only", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    page = tmp_path / "out" / "商水县" / "2020" / "姚集镇.public.html"
    _, meta = head(page)
    assert meta["og:description"].startswith('商水县姚集镇"><b>&人民政府2020年')
    assert BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").head.find("b") is None


def test_charts_say_their_numbers_in_their_text_alternative(page_of):
    alts = [img["alt"] for img in BeautifulSoup(page_of("public").read_text(encoding="utf-8"),
                                                "html.parser").find_all("img")]
    assert alts[0] == ("图1　本年新收政府信息公开申请（按申请人类型）：自然人2件；商业企业0件；科研机构0件；"
                       "社会公益组织0件；法律服务机构0件；其他0件。")
    assert alts[2].startswith("图3　主动公开政府信息情况（第二十条各项，不含金额）：规章·本年新制作数量0件/项；")
    assert "行政许可·上一年项目数量6件/项" in alts[2] and "行政处罚·上一年项目数量38件/项" in alts[2]
    summary = BeautifulSoup(page_of("summary").read_text(encoding="utf-8"), "html.parser")
    first = summary.find("img")["alt"]
    assert first.startswith("图1　各单位本年新收政府信息公开申请数量：") and "姚集镇2件" in first


def test_a_notebook_run_before_descriptions_still_gets_one(seed_outputs):
    """`nianbao export` of an older executed notebook, whose header output has no description:
    the title says which report it is."""
    import nbformat

    from nianbao.notebook.export import export_pages, header_meta
    nb = nbformat.read(seed_outputs / "姚集镇.ipynb", as_version=4)
    assert header_meta(nb).pop("description") == DESCRIPTION      # the notebook's own dict: gone from it
    _, meta = head_of(export_pages(nb, "姚集镇2020年政府信息公开工作年度报告")[".public.html"])
    assert meta["og:description"] == "姚集镇2020年政府信息公开工作年度报告：主动公开、依申请公开、行政复议和行政诉讼情况。"
