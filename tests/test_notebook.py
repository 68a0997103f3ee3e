"""The notebook run by papermill with a real kernel, and the HTML pages it exports."""
import json
import re

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import BIN, ROOT, SEED, nianbao, replace_line, seed_text
from htmlgrid import cell_at, grid
from nianbao.io import read_report
from nianbao.model.edition import load_edition
from nianbao.site.nav import county_anchor

FORBIDDEN = re.compile(r"Warning|Traceback|findfont|Glyph|sections\.|import |data_path|DataFileError")


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    done = nianbao("run", SEED, "--out", out)
    assert done.returncode == 0, done.stderr
    folder = out / "商水县" / "2020"
    return {kind: folder / f"姚集镇{kind}" for kind in (".html", ".public.html", ".ipynb")}


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def tables_of(page):
    return {t["class"][1]: t for t in page.find_all("table", class_="form-table")}


def formatted(value):
    return f"{value:g}" if isinstance(value, float) else str(value)


@pytest.mark.parametrize("kind", [".html", ".public.html"])
def test_every_seed_cell_stands_at_its_official_row_and_column(seed_run, kind):
    report = read_report(SEED)
    edition = load_edition("2019")
    tables = tables_of(soup(seed_run[kind]))
    found = 0
    for tid, table in edition.tables.items():
        g = grid(tables[tid])
        assert len(tables[tid].find_all("td")) == len(table.cells)
        for row_id, col_id in table.cells:
            row, col = table.row(row_id), table.column(col_id)
            cell = cell_at(g, {row.label, *row.groups} if tid != "appeals" else set(),
                           {col.label, *col.groups} | ({row.label, *row.groups} if tid == "appeals" else set()))
            assert cell.get_text(strip=True) == formatted(report.value(tid, row_id, col_id)), (tid, row_id, col_id)
            found += 1
    assert found == 198


def test_headers_are_the_merged_headers_of_the_form(seed_run):
    tables = tables_of(soup(seed_run[".html"]))
    corner = tables["requests"].find("th", class_="corner")
    assert corner.get_text() == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert (corner["rowspan"], corner["colspan"]) == ("3", "3")
    assert tables["requests"].find("th", string="法人或其他组织")["colspan"] == "5"
    assert tables["requests"].find("th", string="申请人情况")["colspan"] == "7"
    assert tables["appeals"].find("th", string="行政诉讼")["colspan"] == "10"
    assert tables["appeals"].find("th", string="行政复议")["colspan"] == "5"
    group = tables["requests"].find("th", string="（三）不予公开")
    assert group["rowspan"] == "8"


def test_pages_show_no_code_no_remote_resource_no_warning(seed_run):
    for kind in (".html", ".public.html"):
        html = seed_run[kind].read_text(encoding="utf-8")
        page = BeautifulSoup(html, "html.parser")
        assert not page.find_all(["script", "link", "iframe", "pre", "code", "textarea"])
        assert not page.select(".input, .input_area, .prompt, .highlight")
        nav = page.find("nav", class_="site")           # the site's navigation: relative links
        assert [a["href"] for a in nav.find_all("a")][:3] == ["../../index.html", f"../../index.html#{county_anchor('商水县')}",
                                                             "index.html"]
        assert all(":" not in a["href"] and not a["href"].startswith("/") for a in nav.find_all("a"))
        nav.decompose()
        for tag in page.find_all(True):
            for attr in ("src", "href", "data", "action", "poster"):
                value = tag.get(attr)
                assert value is None or value.startswith("data:"), (tag.name, value)
        assert "http" not in re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
        assert "@import" not in html and "url(" not in html
        assert not FORBIDDEN.search(page.get_text()), FORBIDDEN.search(page.get_text())
        assert page.find("h1").get_text() == "姚集镇2020年政府信息公开工作年度报告"
        headings = [h.get_text(strip=True) for h in page.find_all("h2") if "findings-title" not in h.get("class", [])]
        assert headings == [h for _, h in load_edition("2019").sections]
        assert len(page.select("figure.chart img[src^='data:image/png;base64,']")) == 3
        assert "本报告中所列数据的统计期限为2020年1月1日至2020年12月31日" in page.get_text()
        assert page.find("p", class_="signature date").get_text() == "2021年1月28日"


def test_review_page_has_the_findings_and_the_public_page_does_not(seed_run):
    review, public = soup(seed_run[".html"]), soup(seed_run[".public.html"])
    assert review.body["class"] == ["review"] and public.body["class"] == ["public"]
    panel = review.find("section", class_="findings").get_text()
    assert panel.startswith("检查结果：全部12项检查通过（cells.missing、cells.type、edition.year、requests.balance、")
    # a batch of one unit has no other unit to compare with: narrative.copied needs last year's too
    assert ("未进行cross_year.carry_over、cross_year.item_count、narrative.copied、trend.jump：没有找到2019年度的数据文件"
            "（应为 商水县/2019/姚集镇.yaml）") in panel
    assert public.find("section", class_="findings") is None


def test_generated_prose_takes_its_numbers_from_the_tables(seed_run):
    text = soup(seed_run[".html"]).get_text()
    generated = [p.get_text() for p in soup(seed_run[".html"]).select("p.generated")]
    assert generated == [
        "主动公开方面，全年未制发规章和规范性文件，公开的事项有行政许可6项、其他对外管理服务事项61项、"
        "行政处罚38项、行政强制3项，公开政府集中采购金额1306.14万元。",
        "依申请公开方面，全年新收政府信息公开申请2件，均予以公开。",
        "监督保障方面，全年未发生因政府信息公开引起的行政复议和行政诉讼。"]
    assert "本年新制作数量0" not in text          # no dump of every cell


def test_all_zero_chart_says_so(seed_run):
    # the seed has no outcomes other than 予以公开 but does have requests; its appeals are all zero
    page = soup(seed_run[".html"])
    assert len(page.select("figure.chart")) == 3
    assert not page.select("figure.chart.empty")
    from nianbao.render import charts
    report = read_report(SEED)
    report.tables["requests"].loc[:, :] = 0
    assert not charts.drawable(charts.applicants(report)) and not charts.drawable(charts.outcomes(report))
    assert "不绘制此图" in charts.all_charts(report) and charts.all_charts(report).count("<img") == 1


def test_executed_notebook_is_kept_and_clean(seed_run):
    nb = nbformat.read(seed_run[".ipynb"], as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type in ("stream", "error")]
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and str(SEED) in injected[0].source


def test_data_errors_exit_1_with_findings_on_top_and_cells_marked(write_data, tmp_path):
    zero = "commercial: 0, research: 0, social_welfare: 0, legal_service: 0, other_org: 0"
    text = replace_line(seed_text(), r"^  withheld_process:", f"  withheld_process: {{natural_person: 1, {zero}, total: 1}}")
    text = replace_line(text, r"^  review:", '  review: {upheld: 0, corrected: 0, other: 0, pending: "<b>x</b>", total: 0}')
    done = nianbao("run", write_data(text), "--out", tmp_path / "out")
    assert done.returncode == 1, done.stderr
    review = soup(tmp_path / "out" / "商水县" / "2020" / "姚集镇.html")
    items = review.select("section.findings li")
    assert [li.select_one(".rule").get_text() for li in items] == \
        ["cells.type", "requests.outcomes_sum", "requests.outcomes_sum"]
    # the findings come before the first table
    assert review.find("section", class_="findings").find_next("table") is not None
    assert review.find("table").find_previous("section", class_="findings") is not None
    g = grid(tables_of(review)["requests"])
    cell = cell_at(g, {"（七）总计"}, {"自然人"})
    assert "flag-error" in cell["class"]
    # text typed by the user is escaped, shown as text, not markup
    bad = cell_at(grid(tables_of(review)["appeals"]), set(), {"行政复议", "尚未审结"})
    assert bad.get_text() == "<b>x</b>" and bad.find("b") is None


def test_unusable_input_exits_2_and_writes_nothing(write_data, tmp_path):
    path = write_data(seed_text().replace("  granted:", "  grantd:"))
    done = nianbao("run", path, "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "未知的行“grantd”，是否应为“granted”？" in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_name_never_becomes_a_path_outside_the_output(write_data, tmp_path):
    path = write_data(seed_text().replace("short_name: 姚集镇", "short_name: ../../../evil"))
    done = nianbao("run", path, "--out", tmp_path / "out")
    # refused by the reader, before any work (issue 11: names a file system cannot hold)
    assert done.returncode == 2, done.stderr
    assert "第4行 short_name：不能含有字符“/”：它会用作报告的文件夹或文件名" in done.stderr
    assert not list(tmp_path.rglob("*.html")) and not (tmp_path / "out").exists()


def test_notebook_runs_out_of_the_box_with_plain_papermill(tmp_path):
    import subprocess
    out = tmp_path / "run.ipynb"
    done = subprocess.run([str(BIN / "papermill"), "township_report.ipynb", str(out)],
                          cwd=ROOT / "notebooks", capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    nb = json.loads(out.read_text())
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "姚集镇2020年政府信息公开工作年度报告" in html


def test_each_chart_draws_chinese_with_no_missing_glyph_warning():
    # a fresh interpreter, each chart on its own: the font must not depend on call order
    import subprocess
    code = ("from nianbao.render import charts\nfrom nianbao.io import read_report\n"
            f"r = read_report({str(SEED)!r})\n"
            "for data in (charts.proactive, charts.outcomes, charts.applicants):\n"
            "    assert '<img' in charts.show(charts.bars(data(r)), 1, 'x').data\n")
    done = subprocess.run([str(BIN / "python"), "-W", "error::UserWarning", "-c", code],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    from nianbao.render.fonts import use_cjk_font
    assert "CJK" in use_cjk_font() or "Han" in use_cjk_font() or "WenQuanYi" in use_cjk_font()


def test_cross_year_run_finds_last_year_lists_errors_first_and_marks_warning_cells(tmp_path):
    from test_rules import BROKEN, V2021
    tree = tmp_path / "data" / "商水县"
    (tree / "2021").mkdir(parents=True)
    (tree / "2022").mkdir()
    (tree / "2021" / "姚集镇.yaml").write_text(V2021.read_text(encoding="utf-8"), encoding="utf-8")
    text = (BROKEN / "cross_year.in_force.yaml").read_text(encoding="utf-8")
    zero = "commercial: 0, research: 0, social_welfare: 0, legal_service: 0, other_org: 0"
    text = replace_line(text, r"^  withheld_process:", f"  withheld_process: {{natural_person: 1, {zero}, total: 1}}")
    data = tree / "2022" / "姚集镇.yaml"
    data.write_text(text, encoding="utf-8")
    done = nianbao("run", data, "--out", tmp_path / "out")
    assert done.returncode == 1, done.stderr
    folder = tmp_path / "out" / "商水县" / "2022"
    review = soup(folder / "姚集镇.html")
    items = review.select("section.findings li")
    assert [(li["class"], li.select_one(".rule").get_text()) for li in items] == [
        (["error"], "requests.outcomes_sum"), (["error"], "requests.outcomes_sum"), (["warning"], "cross_year.in_force")]
    assert "2021年度现行有效件数10加本年制发件数1减本年废止件数0应为11，表中为12" in items[2].get_text()
    # last year was found: only the county's deadline is missing (no params file here)
    assert review.select_one("section.findings p.skipped").get_text().startswith(
        "部分进行published.deadline：没有县里规定的乡镇（街道）报告公布期限")
    g = grid(tables_of(review)["proactive"])
    for label in ("本年制发件数", "本年废止件数", "现行有效件数"):
        assert "flag-warning" in cell_at(g, {"行政规范性文件"}, {label})["class"]
    assert "flag-error" in cell_at(grid(tables_of(review)["requests"]), {"（七）总计"}, {"自然人"})["class"]
    nb = nbformat.read(folder / "姚集镇.ipynb", as_version=4)
    [injected] = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert f"previous_path = {str((tree / '2021' / '姚集镇.yaml').resolve())!r}" in injected.source


# A staff member's pyplot chart in Chinese, default font, above any import of nianbao.
CHART_FIRST = '''import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.bar(["自然人", "法人或其他组织"], [2, 1])
ax.set_title("申请人情况")
plt.show()'''


@pytest.mark.parametrize("engine", ["nbclient", "nianbao-fork"])
def test_a_chart_above_every_import_draws_chinese_in_the_kernel_by_papermill(engine, tmp_path):
    import papermill
    from nbformat.v4 import new_code_cell, new_notebook
    loaded = "import sys\nprint(sorted(m for m in ('matplotlib', 'pandas') if m in sys.modules))"
    nb = new_notebook(cells=[new_code_cell(loaded), new_code_cell(CHART_FIRST)],
                      metadata={"kernelspec": {"name": "nianbao", "language": "python", "display_name": "nianbao"}})
    nbformat.write(nb, tmp_path / "chart.ipynb")
    done = papermill.execute_notebook(str(tmp_path / "chart.ipynb"), None, engine_name=engine,
                                      kernel_name="nianbao", progress_bar=False)
    first, chart = done.cells
    if engine == "nbclient":          # the kernel's startup imports neither (render/fonts.py)
        assert first.outputs[0].text == "[]\n"
    assert [o.output_type for o in chart.outputs] == ["display_data"]       # no stderr: no Glyph … missing
    assert "image/png" in chart.outputs[0].data


@pytest.mark.parametrize("engine", ["fork", "kernel"])
def test_a_chart_above_the_first_import_gives_no_missing_glyph_finding_in_the_batch(engine, tmp_path):
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    [first_import] = [i for i, c in enumerate(nb.cells) if c.source.startswith("from nianbao")]
    nb.cells.insert(first_import, nbformat.v4.new_code_cell(CHART_FIRST))
    nbformat.write(nb, tmp_path / "chart_first.ipynb")
    data = tmp_path / "data" / "商水县" / "2020"
    data.mkdir(parents=True)
    (data / SEED.name).write_bytes(SEED.read_bytes())
    (tmp_path / "params.yaml").write_text("data: data/商水县/2020\nnotebook: chart_first.ipynb\n", encoding="utf-8")
    done = nianbao("run", tmp_path / "params.yaml", "--out", tmp_path / "out", "--engine", engine)
    assert done.returncode == 0, done.stderr
    findings = (tmp_path / "out" / "商水县" / "2020" / "findings.csv").read_text(encoding="utf-8-sig")
    assert "notebook.warnings" not in findings and "Glyph" not in findings
    executed = nbformat.read(tmp_path / "out" / "商水县" / "2020" / "姚集镇.ipynb", as_version=4)
    [chart] = [c for c in executed.cells if c.source == CHART_FIRST]
    assert [o.output_type for o in chart.outputs] == ["display_data"]


def test_not_applicable_cells_show_their_mark_on_every_page_and_count_as_nothing_in_the_county(tmp_path):
    from docx import Document
    from test_rules import not_applicable_seed
    data = tmp_path / "data" / "商水县" / "2020"
    data.mkdir(parents=True)
    (data / "姚集镇.yaml").write_text(not_applicable_seed(), encoding="utf-8")
    done = nianbao("run", data, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "商水县" / "2020"
    edition = load_edition("2019")
    fees, other = edition.tables["proactive"].row("fees"), edition.tables["requests"].row("other")
    for kind in (".html", ".public.html"):
        tables = tables_of(soup(folder / f"姚集镇{kind}"))
        g = grid(tables["proactive"])
        assert [cell_at(g, {fees.label}, {c}).get_text() for c in ("上一年项目数量", "本年增/减")] == ["/", "/"]
        g = grid(tables["requests"])
        assert cell_at(g, {other.label}, {"自然人"}).get_text() == "无"
        assert cell_at(g, {other.label}, {"商业企业"}).get_text() == "0"
    review = soup(folder / "姚集镇.html")
    assert "cells.missing" not in (folder / "findings.csv").read_text(encoding="utf-8-sig")
    assert "部分进行requests.outcomes_sum、requests.row_total：" in review.select_one("section.findings").get_text()
    # the Word file (made from the public page) writes the marks as the page does
    rows = [[c.text for c in row.cells] for t in Document(folder / "姚集镇.docx").tables for row in t.rows]
    assert any(r[0] == fees.label and r[1:3] == ["/", "/"] for r in rows), rows      # 增/减 spans two
    # the record keeps the marks; the county's totals show a cell every unit marks, no missing cell
    [unit] = json.loads((folder / "run.json").read_text(encoding="utf-8"))["units"]
    assert (unit["values"]["proactive"]["fees"]["previous_count"], unit["values"]["proactive"]["fees"]["change"]) == ("/", "/")
    assert unit["values"]["requests"]["other"]["natural_person"] == "无"
    summary = soup(folder / "summary.html")
    assert "缺少数据" not in summary.get_text()
    g = grid(tables_of(summary)["proactive"])
    assert cell_at(g, {fees.label}, {"上一年项目数量"}).get_text() == "/"


def test_a_font_that_cannot_be_read_never_stops_matplotlib_from_loading(tmp_path):
    import subprocess
    bad = tmp_path / "broken.ttc"
    bad.write_bytes(b"not a font")
    code = ("from nianbao.render import fonts\n"
            f"fonts.CANDIDATES = (({str(bad)!r}, 'Broken'),)\n"
            "import matplotlib.pyplot as plt\nprint(plt.figure() is not None)")
    done = subprocess.run([str(BIN / "python"), "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout == "True\n", done.stderr
    assert "中文字体未能设置" in done.stderr and "Traceback" not in done.stderr
