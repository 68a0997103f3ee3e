"""`nianbao import`: the seed text, every real page of 平潭, HTML pages, and what must not be guessed."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import PUBLISHED, ROOT, SEED, SEED_TEXT, nianbao
from nianbao.checks import run_checks
from nianbao.importer.digits import Mark, cell_values, split_run, tokens, value_run
from nianbao.importer.page_tables import Line, resolve
from nianbao.io import read_report
from nianbao.render.tables import table_html

EXPECTED = PUBLISHED     # the import typed by hand beside each page
PAGES = sorted(p.stem for p in PUBLISHED.glob("*.txt"))
HAITAN_LEVEL = ["--level", "township"]       # 海坛片区管理局 is township-level; its name says 局


def imported(tmp_path, source, *options):
    out = tmp_path / "imported.yaml"
    done = nianbao("import", source, "-o", out, *options)
    return done, out


def notes(path) -> dict:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")).get("import_notes", {})


def same_report(a, b):
    assert (a.unit, a.short_name, a.level, a.county, a.year, a.edition.id, a.published) == \
           (b.unit, b.short_name, b.level, b.county, b.year, b.edition.id, b.published)
    for tid in a.tables:
        assert a.tables[tid].equals(b.tables[tid]), (tid, a.tables[tid].compare(b.tables[tid]))
    assert a.units == b.units and a.raw == b.raw


# ---------------------------------------------------------------- the seed

def test_seed_text_imports_to_exactly_the_bundled_data(tmp_path):
    done, out = imported(tmp_path, SEED_TEXT, "--county", "商水县")
    assert done.returncode == 0, done.stderr
    assert "读出198/198个单元格，缺失0个，非数字0个，有歧义0个" in done.stderr
    got, want = read_report(out), read_report(SEED)
    same_report(got, want)
    assert got.narrative == want.narrative
    assert run_checks(got) == []


def test_seed_without_a_county_asks_for_one(tmp_path):
    done, out = imported(tmp_path, SEED_TEXT)
    assert done.returncode == 2 and not out.exists()
    assert "页面没有写明所属县（区），请用 --county 指定" in done.stderr


# ---------------------------------------------------------------- the real pages of 平潭

# What the rules find in each page as published, worked out by hand from the expected cells.
RULE_FINDINGS = {
    "pingtan-county-2021": {("cells.missing", "proactive", "normative_documents", c) for c in ("issued", "repealed", "in_force")},
    "pingtan-finance-2021": set(),
    "pingtan-haitan-2019": {("cells.missing", "proactive", "procurement", c) for c in ("projects", "amount")},
    "pingtan-haitan-2020": {("cells.missing", "proactive", "procurement", c) for c in ("projects", "amount")},
    "pingtan-haitan-2021": {("cells.missing", "proactive", "procurement", c) for c in ("projects", "amount")} | {
        ("edition.year", None, None, None), ("requests.balance", "requests", None, "natural_person"),
        ("requests.outcomes_sum", "requests", "total_handled", "natural_person"),
        ("requests.row_total", "requests", "total_handled", "total")},
    "pingtan-haitan-2022": {
        ("edition.year", None, None, None),
        ("requests.balance", "requests", None, "natural_person"), ("requests.balance", "requests", None, "total"),
        ("requests.outcomes_sum", "requests", "total_handled", "natural_person"),
        ("requests.outcomes_sum", "requests", "total_handled", "total")},
    "pingtan-haitan-2023": {("cells.missing", "proactive", "rules", c) for c in ("issued", "repealed", "in_force")},
    "pingtan-haitan-2024": {("cells.missing", "proactive", "rules", c) for c in ("issued", "repealed", "in_force")} | {
        ("requests.row_total", "requests", r, "total") for r in (
            "new_received", "unavailable_not_held", "unavailable_unclear", "other_no_correction", "other_misc",
            "total_handled")} | {("requests.outcomes_sum", "requests", "total_handled", "natural_person")},
}
BASE_RULES = {"cells.missing", "cells.type", "edition.year", "requests.balance", "requests.outcomes_sum",
              "requests.row_total", "appeals.group_total"}


def test_the_real_pages_are_in_the_repository():
    # each real page (tests/data/README.md says where it came from) with its import typed by hand;
    # without them the tests below would be collected empty and pass on nothing
    assert SEED_TEXT.stat().st_size > 5_000
    assert PAGES == sorted(RULE_FINDINGS) and len(PAGES) >= 8
    assert all((EXPECTED / f"{page}.yaml").exists() for page in PAGES)


@pytest.mark.parametrize("page", PAGES)
def test_expected_cells_as_the_rules_see_them(page):
    """The hand-typed expectations are checked too: they show exactly the published errors."""
    found = {(f.rule, f.table, f.row, f.column) for f in run_checks(read_report(EXPECTED / f"{page}.yaml"))
             if f.rule in BASE_RULES}
    assert found == RULE_FINDINGS[page]


@pytest.mark.parametrize("page", PAGES)
def test_real_page_imports_with_its_expected_cells(tmp_path, page):
    options = HAITAN_LEVEL if "haitan" in page else []
    done, out = imported(tmp_path, PUBLISHED / f"{page}.txt", *options)
    expected = EXPECTED / f"{page}.yaml"
    want_ambiguous = notes(expected).get("ambiguous", [])
    complete = not want_ambiguous and not any(r[0] == "cells.missing" for r in RULE_FINDINGS[page])
    assert done.returncode == (0 if complete else 1), done.stderr
    same_report(read_report(out), read_report(expected))
    got_ambiguous = [{k: a[k] for k in ("cells", "candidates")} for a in notes(out).get("ambiguous", [])]
    assert got_ambiguous == [{k: a[k] for k in ("cells", "candidates")} for a in want_ambiguous]
    for a in want_ambiguous:      # the user hears about it, with the text that could not be split
        assert f"“{a['text']}”有多种拆分，未采用任何一种" in done.stderr


def deviations(tmp_path, page, *options):
    done, out = imported(tmp_path, PUBLISHED / f"{page}.txt", *options)
    listed = notes(out).get("deviations", [])
    for text in listed:
        assert text in done.stderr
    return listed


def test_altered_labels_and_the_wrong_edition_are_reported(tmp_path):
    listed = deviations(tmp_path, "pingtan-haitan-2021", *HAITAN_LEVEL)
    assert "页面使用2019版格式的表格，2021年度报告应使用2021版格式（国办公开办函〔2021〕30号）" in listed
    assert any("表头“（本列数据的钩稽关系为：" in d and "与官方“（本列数据的勾稽关系为：" in d for d in listed)


def test_a_page_mixing_the_editions_is_read_as_far_as_it_goes(tmp_path):
    listed = deviations(tmp_path, "pingtan-haitan-2023", *HAITAN_LEVEL)
    assert "二、主动公开政府信息情况：未找到“规章”这一行，其数值按缺失处理" in listed
    assert "二、主动公开政府信息情况：行“规范性文件”与官方“行政规范性文件”不同" in listed
    assert "二、主动公开政府信息情况第二十条第（一）项表头“先行有效件数”与官方“现行有效件数”不同" in listed
    assert ("三、收到和处理政府信息公开申请情况：“（六）其他处理”是2019版格式的一行（合计：自然人0、商业企业0、"
            "科研机构0、社会公益组织0、法律服务机构0、其他0、总计0），2021版格式分为3项；合计为0的栏（自然人、商业企业、"
            "科研机构、社会公益组织、法律服务机构、其他、总计）各项均为0（数量不能为负）") in listed
    assert "标题“五、存在的主要问题及改进措施”与官方“五、存在的主要问题及改进情况”不同" in listed


def test_metadata_and_narrative_of_a_department_page(tmp_path):
    listed = deviations(tmp_path, "pingtan-finance-2021")
    assert "未找到“六、其他需要报告的事项”这一部分" in listed
    assert "落款“平潭综合实验区财政全融局”与标题中的“平潭综合实验区财政金融局”不同，采用标题中的名称" in listed
    report = read_report(tmp_path / "imported.yaml")
    assert report.narrative["overview"].startswith("2021年，我局坚持以习近平新时代中国特色社会主义思想为指导")
    assert report.narrative["problems"].startswith("2021年，我局政府信息公开工作立足财政金融实际")
    assert report.narrative["improvements"].endswith("保证政府信息公开工作持续良好地开展。")   # signature cut off
    assert "<!--" not in report.narrative["overview"]                  # Word's conditional comments
    assert report.narrative["other"] == ""


def test_county_page_drops_the_portal_furniture(tmp_path):
    listed = deviations(tmp_path, "pingtan-county-2021")
    assert "页面末尾的“附件下载”不是报告正文，未导入" in listed
    report = read_report(tmp_path / "imported.yaml")
    assert report.narrative["other"] == "2021年，无收取信息处理费情况。"
    assert yaml.safe_load((tmp_path / "imported.yaml").read_text())["source"].endswith("t20220208_80613.htm")


def test_options_override_what_the_page_says(tmp_path):
    done, out = imported(tmp_path, PUBLISHED / "pingtan-haitan-2019.txt", "--unit", "海坛片区管理局",
                         "--short-name", "海坛", "--county", "平潭县", "--level", "subdistrict")
    report = read_report(out)
    assert (report.unit, report.short_name, report.county, report.level) == ("海坛片区管理局", "海坛", "平潭县", "subdistrict")


# ---------------------------------------------------------------- marks, blanks, brackets

def seed_variant(tmp_path, edit) -> Path:
    path = tmp_path / "variant.txt"
    path.write_text(edit(SEED_TEXT.read_text(encoding="utf-8")), encoding="utf-8")
    return path


def test_marks_are_read_as_not_applicable_and_other_text_stays_missing(tmp_path):
    def edit(text):
        # 行政许可 6 | 0 | 0 → 6 | / | —, 予以公开's 商业企业 → 无, 科研机构 → 不适用; 行政处罚's 增/减 → 见附件
        text = text.replace("\t行政许可\n\t6\n\t0\n\t0", "\t行政许可\n\t6\n\t/\n\t—")
        text = text.replace("\t行政处罚\n\t38\n\t0", "\t行政处罚\n\t38\n\t见附件")
        return text.replace("\t（一）予以公开\n\t2\n\t0\n\t0", "\t（一）予以公开\n\t2\n\t无\n\t不适用")
    done, out = imported(tmp_path, seed_variant(tmp_path, edit), "--county", "商水县")
    assert done.returncode == 1                                    # 见附件 is left to a person
    assert "读出197/198个单元格（其中不适用4个），缺失0个，非数字1个，有歧义0个" in done.stderr
    assert "proactive.licensing.change：页面上是“/”，按不适用记录（不是0，也不是缺失）" in done.stderr
    assert "proactive.penalties.change：页面上是“见附件”，不是数字，按缺失处理" in done.stderr
    assert notes(out)["not_applicable"] == {"proactive.licensing.change": "/", "proactive.licensing.decisions": "—",
                                            "requests.granted.commercial": "无", "requests.granted.research": "不适用"}
    report = read_report(out)
    assert report.not_applicable == {("proactive", "licensing", "change"): "/",
                                     ("proactive", "licensing", "decisions"): "—",
                                     ("requests", "granted", "commercial"): "无",
                                     ("requests", "granted", "research"): "不适用"}
    assert report.raw == {("proactive", "penalties", "change"): "见附件"}
    assert report.value("proactive", "licensing", "previous_count") == 6
    assert report.value("proactive", "licensing", "change") is None
    assert [(f.rule, f.column) for f in report.reader_findings] == [("cells.type", "change")]


def test_a_blank_cell_is_missing_not_zero(tmp_path):
    edit = lambda text: text.replace("\t行政处罚\n\t38\n\t0", "\t行政处罚\n\t38\n\t")
    done, out = imported(tmp_path, seed_variant(tmp_path, edit), "--county", "商水县")
    assert done.returncode == 1
    assert notes(out)["missing"] == ["proactive.penalties.change"]
    assert read_report(out).value("proactive", "penalties", "change") is None


def test_full_width_digits_are_digits(tmp_path):
    edit = lambda text: text.replace("\t其他对外管理服务事项\n\t61", "\t其他对外管理服务事项\n\t６１")
    done, out = imported(tmp_path, seed_variant(tmp_path, edit), "--county", "商水县")
    assert done.returncode == 0, done.stderr
    assert read_report(out).value("proactive", "other_services", "previous_count") == 61


def test_half_width_brackets_are_read_and_reported(tmp_path):
    edit = lambda text: text.replace("（三）不予公开", "(三)不予公开").replace("（一）予以公开", "(一)予以公开")
    done, out = imported(tmp_path, seed_variant(tmp_path, edit), "--county", "商水县")
    assert done.returncode == 0, done.stderr
    assert "“(一)予以公开”写法与官方“（一）予以公开”不同（括号或标点）" in done.stderr
    same_report(read_report(out), read_report(SEED))


# ---------------------------------------------------------------- HTML pages

WORD_CELL = ('<{tag} width=64 valign=top style="width:48.0pt;border:solid windowtext 1.0pt;'
             'mso-border-alt:solid windowtext .5pt;padding:0cm 5.4pt 0cm 5.4pt"{attrs}><p class=MsoNormal '
             'align=center style="text-align:center"><span lang=EN-US style="font-size:10.5pt;'
             'font-family:仿宋_GB2312;mso-bidi-font-family:宋体">{text}<o:p></o:p></span></p></{tag}>')


def word_html(report) -> str:
    """The seed as Word exports it: tables in the official layout, every cell wrapped in mso markup."""
    def wordify(html):
        def cell(found):
            tag, attrs, text = found.group(1), found.group(2), found.group(3)
            attrs = re.sub(r'\s*class="[^"]*"', "", attrs)
            return WORD_CELL.format(tag=tag, attrs=attrs, text=text or "&nbsp;")
        return re.sub(r"<(td|th)\b([^>]*)>(.*?)</\1>", cell, html)   # \b: not <thead>
    paragraphs = lambda text: "".join(
        f'<p class=MsoNormal style="text-indent:32.0pt;mso-char-indent-count:2.0">'
        f'<span style="font-family:仿宋_GB2312">{line}</span></p>\n' for line in text.splitlines())
    head = lambda text: f'<p class=MsoNormal><b><span style="font-family:黑体">{text}<o:p></o:p></span></b></p>\n'
    parts = [f"<html xmlns:o='urn:schemas-microsoft-com:office:office'><head><title>{report.title}</title>"
             "<!--[if gte mso 9]><xml><o:DocumentProperties></o:DocumentProperties></xml><![endif]-->"
             "<style>p.MsoNormal {mso-style-parent:'';}</style></head><body lang=ZH-CN>",
             paragraphs(report.title), head("一、总体情况"), paragraphs(report.narrative["overview"])]
    for tid in ("proactive", "requests", "appeals"):
        parts += [head(report.edition.tables[tid].title),
                  "<div align=center><table class=MsoNormalTable border=1 cellspacing=0 cellpadding=0 "
                  "style='border-collapse:collapse;mso-table-layout-alt:fixed'>",
                  wordify(table_html(report, tid)), "</table></div>"]
    parts += [head("五、存在的主要问题及改进情况"), head("（一）存在问题"), paragraphs(report.narrative["problems"]),
              head("（二）改进措施"), paragraphs(report.narrative["improvements"]),
              head("六、其他需要报告的事项"), paragraphs(report.narrative["other"]),
              paragraphs(f"{report.unit}\n2021年1月28日"), "</body></html>"]
    return "".join(parts)


def test_word_exported_html_with_tables(tmp_path):
    page = tmp_path / "姚集镇.html"
    page.write_text(word_html(read_report(SEED)), encoding="utf-8")
    done, out = imported(tmp_path, page, "--county", "商水县")
    assert done.returncode == 0, done.stderr
    got = read_report(out)
    same_report(got, read_report(SEED))
    assert got.narrative == read_report(SEED).narrative


def test_html_page_with_the_tables_flattened_into_text(tmp_path):
    text = (PUBLISHED / "pingtan-haitan-2020.txt").read_text(encoding="utf-8")
    body = text.split("==================== 正文 ====================", 1)[1]
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>平潭综合实验区海坛片区管理局2020年度政府信息公开工作年度报告"
            "</title><meta name='PubDate' content='2021-01-27 08:52'><script>var x = '2019年度';</script></head>"
            "<body><div class='TRS_Editor'>" + "".join(f"<p>{part}</p>" for part in body.split("。")) + "</div></body></html>")
    page = tmp_path / "haitan-2020.html"
    page.write_text(html, encoding="gb18030")           # older portals serve GBK
    done, out = imported(tmp_path, page, *HAITAN_LEVEL)
    assert done.returncode == 1, done.stderr
    want = read_report(EXPECTED / "pingtan-haitan-2020.yaml")
    got = read_report(out)
    assert (got.unit, got.year, got.published) == (want.unit, want.year, want.published)
    for tid in want.tables:
        assert got.tables[tid].equals(want.tables[tid])
    assert [a["text"] for a in notes(out)["ambiguous"]] == ["3922533.2元"]


@pytest.mark.parametrize("content", [
    "这是一份会议通知。\n请各单位于2021年3月1日前报送材料。\n",
    "<html><head><title>关于2020年度工作总结的通知</title></head><body><p>各单位：请于2021年1月底前报送。</p></body></html>",
    "平潭综合实验区2021年度政府信息公开工作年度报告\n一、总体情况\n本年度工作平稳。\n",
])
def test_not_a_report(tmp_path, content):
    page = tmp_path / "page.html"
    page.write_text(content, encoding="utf-8")
    done, out = imported(tmp_path, page)
    assert done.returncode == 2 and not out.exists()
    assert "不是可以导入的政府信息公开工作年度报告" in done.stderr


def test_an_unusable_page_leaves_an_earlier_output_alone(tmp_path):
    out = tmp_path / "imported.yaml"
    out.write_text("unit: 旧的\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("这是一份会议通知。\n", encoding="utf-8")
    assert nianbao("import", page, "-o", out).returncode == 2
    assert out.read_text(encoding="utf-8") == "unit: 旧的\n"


def test_missing_file(tmp_path):
    done, _ = imported(tmp_path, tmp_path / "nowhere.txt")
    assert done.returncode == 2 and "找不到这个文件" in done.stderr


# ---------------------------------------------------------------- splitting runs of digits

def test_a_flattened_run_has_every_reading_that_fits_the_cell_types():
    assert len(split_run(tokens("693665"), ["count"] * 3)) == 10
    assert split_run(tokens("033"), ["count"] * 3) == [(0, 3, 3)]          # no leading zeros
    assert split_run(tokens("0 0 0 0 0 00"), ["count"] * 7) == [(0,) * 7]    # spaces are hard borders
    assert split_run(tokens("6 -3 0"), ["count", "signed_count", "count"]) == [(6, -3, 0)]
    assert split_run(tokens("7 /"), ["count", "amount"]) == [(7, Mark("/"))]
    assert split_run(tokens("00"), ["count"] * 3) == []                      # too few digits: unreadable
    assert cell_values(["1,306.14元", "７"], ["amount", "count"]) == (1306.14, Mark("７"))
    assert cell_values(["", "1 2"], ["count", "count"]) == (Mark(""), Mark("1 2"))
    assert value_run("0000000（六）其他处理1.申请人") == ("0000000", "（六）其他处理1.申请人")
    assert value_run("0 1.申请人") == ("0 ", "1.申请人")


def test_column_rules_settle_what_a_row_leaves_open():
    rules = [{"table": "t", "per": "row", "left": ["total"], "right": ["a", "b"]},
             {"table": "t", "per": "column", "left": ["x"], "right": ["y"]}]
    keys = lambda row: [("t", row, c) for c in ("a", "b", "total")]
    open_line = Line(keys("x"), "11011", [(1, 10, 11), (11, 0, 11)])
    fixed = Line(keys("y"), "11011", [(11, 0, 11)])
    resolve([open_line, fixed], rules)
    assert (open_line.chosen, open_line.how) == ((11, 0, 11), "column rule")
    undecided = Line(keys("x"), "11011", [(1, 10, 11), (11, 0, 11)])
    resolve([undecided], rules)
    assert undecided.chosen is None and len(undecided.readings) == 2


def test_digit_splitting_honours_a_rule_of_inequality():
    # 2019's proactive.published_total is 对外公开总数量 ≥ 本年新公开数量, not equality
    from nianbao.importer.digits import holds
    from nianbao.model.edition import load_edition
    rule = next(r for r in load_edition("2019").rules if r["id"] == "proactive.published_total")
    cell = lambda col, v: (("proactive", "normative_documents", col), v)   # noqa: E731
    assert holds(rule, "normative_documents", dict([cell("new_published", 5), cell("total_published", 10)]))
    assert not holds(rule, "normative_documents", dict([cell("new_published", 10), cell("total_published", 5)]))
    assert holds(rule, "normative_documents", dict([cell("new_published", 5)])) is None


# ---------------------------------------------------------------- signed changes, names from titles

@pytest.mark.parametrize("written, value", [("减12", -12), ("增3", 3), ("－2", -2), ("−2", -2), ("(4)", -4), ("（4）", -4)])
def test_a_signed_change_is_read_as_the_signed_number(tmp_path, written, value):
    edit = lambda text: text.replace("\t行政处罚\n\t38\n\t0", f"\t行政处罚\n\t38\n\t{written}")   # noqa: E731
    done, out = imported(tmp_path, seed_variant(tmp_path, edit), "--county", "商水县")
    assert done.returncode == 0, done.stderr
    assert read_report(out).value("proactive", "penalties", "change") == value
    # and in a run of values, as a portal's text view has it
    kinds = ["count", "signed_count", "count"]
    assert split_run(tokens(value_run(f"38 {written} 0 行政强制")[0]), kinds) == [(38, value, 0)]


@pytest.mark.parametrize("written, value", [("减12", -12), ("（3）", -3), ("增3", 3), ("－2", -2)])
def test_the_yaml_reader_takes_a_signed_change_as_clerks_type_it(write_data, written, value):
    from conftest import replace_line, seed_text
    path = write_data(replace_line(seed_text(), r"^\s*penalties:", f"  penalties: {{previous_count: 38, change: '{written}', decisions: 0}}"))
    report = read_report(path)
    assert report.value("proactive", "penalties", "change") == value
    assert not [f for f in report.reader_findings if f.rule == "cells.type"]


def test_a_cover_letters_title_and_an_office_signature_name_the_organ(tmp_path):
    def edit(text):
        text = text.replace("姚集镇2020年政府信息公开工作年度报告", "商水县姚集镇人民政府关于报送2020年度政府信息公开工作年度报告的函", 1)
        return text.replace("姚集镇人民政府\n\n2021年1月28日", "商水县姚集镇人民政府办公室\n\n2021年1月28日")
    done, out = imported(tmp_path, seed_variant(tmp_path, edit))
    assert done.returncode == 0, done.stderr
    report = read_report(out)
    assert (report.unit, report.county, report.short_name) == ("商水县姚集镇人民政府", "商水县", "姚集镇")


@pytest.mark.parametrize("written, value", [("减1", -1), ("（2）", -2), ("增3", 3), ("−4", -4)])
def test_the_workbook_reader_takes_a_signed_change_as_clerks_type_it(tmp_path, written, value):
    import openpyxl
    from nianbao.io.form import layout
    from nianbao.model.edition import load_edition
    book = tmp_path / "姚集镇.xlsx"
    assert nianbao("template", "--from", SEED, "-o", book).returncode == 0
    wb = openpyxl.load_workbook(book)
    r, c, _ = layout(load_edition("2019")).tables["proactive"].inputs[("proactive", "licensing", "change")]
    wb["二"].cell(r, c).value = written            # typed as text: LibreOffice and WPS let it through
    wb.save(book)
    report = read_report(book)
    assert report.value("proactive", "licensing", "change") == value
    assert not report.reader_findings
