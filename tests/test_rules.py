"""Every rule of lib/nianbao/model/editions/README.md, each broken by hand in one file of tests/data/broken/.

Each case asserts the exact findings (rule, severity, table, row, column, expected, actual) and
nothing else; the files' first lines say what was broken and which previous year goes with them.
"""
import json

import pytest

from conftest import ROOT, SEED, nianbao
from nianbao.checks import CONTEXT_RULES, RULES, check_file, coverage, run_checks
from nianbao.model.edition import all_editions
from nianbao.io import read_report

BROKEN = ROOT / "tests" / "data" / "broken"
VALID = ROOT / "tests" / "data" / "valid" / "商水县"
V2019, V2021, V2022 = (VALID / str(y) / "姚集镇.yaml" for y in (2019, 2021, 2022))
TREND_2021 = ROOT / "tests" / "data" / "trend" / "商水县" / "2021" / "姚集镇.yaml"
E, W = "error", "warning"
REQ, PRO, APP = "requests", "proactive", "appeals"

CASES = {
    "requests.balance": (None, [
        ("requests.balance", E, REQ, None, "other_org", 1, 0),
        ("requests.balance", E, REQ, None, "total", 3, 2)]),
    # the known real trap: the printed balance holds, the outcome rows do not add up
    "requests.outcomes_sum": (None, [
        ("requests.outcomes_sum", E, REQ, "total_handled", "natural_person", 3, 2),
        ("requests.outcomes_sum", E, REQ, "total_handled", "total", 3, 2)]),
    "requests.row_total": (None, [
        ("requests.row_total", E, REQ, "carried_over", "total", 1, 0),
        ("requests.row_total", E, REQ, "carried_forward", "total", 1, 0)]),
    "appeals.group_total": (None, [("appeals.group_total", E, APP, "suit_direct", "total", 2, 1)]),
    "cells.missing": (None, [("cells.missing", E, REQ, "granted", "natural_person", "非负整数", None)]),
    "cells.type": (None, [("cells.type", E, REQ, "granted", "natural_person", "非负整数", "两")]),
    "edition.year": (None, [("edition.year", E, None, None, None, "2019", "2021")]),
    "cross_year.carry_over": (SEED, [
        ("cross_year.carry_over", E, REQ, "carried_over", "natural_person", 0, 1),
        ("cross_year.carry_over", E, REQ, "carried_over", "total", 0, 1)]),
    "cross_year.unit_name": (V2019, [("cross_year.unit_name", W, None, None, None, "姚集乡人民政府", "姚集镇人民政府")]),
    "cross_year.in_force": (V2021, [("cross_year.in_force", W, PRO, "normative_documents", "in_force", 11, 12)]),
    "cross_year.item_count": (V2019, [("cross_year.item_count", W, PRO, "licensing", "previous_count", 6, 7)]),
    "plausibility.township_rules": (None, [("plausibility.township_rules", W, PRO, "rules", "total_published", 0, 1)]),
    "proactive.published_total": (None, [
        ("proactive.published_total", W, PRO, "normative_documents", "total_published", 3, 2)]),
    "prose.numbers": (None, [("prose.numbers", W, REQ, "new_received", "total", 2, 3)]),
    "prose.numbers.chinese": (None, [
        ("prose.numbers", W, REQ, "new_received", "total", 2, 12),
        ("prose.numbers", W, REQ, "new_received", "natural_person", 2, 10)]),
    "prose.numbers.none": (None, [("prose.numbers", W, REQ, "new_received", "total", 2, 0)]),
    "prose.numbers.appeals": (None, [
        ("prose.numbers", W, APP, "review", "total", 0, 2),
        ("prose.numbers", W, APP, None, "total", 0, 1)]),
    "prose.numbers.no_appeals": (None, [("prose.numbers", W, APP, "review", "total", 1, 0)]),
    "prose.year": (None, [("prose.year", W, None, None, None, 2020, 2019)]),
    "prose.year.period": (None, [
        ("prose.year", W, None, None, None, "2020年1月1日至2020年12月31日", "2020年1月1日至2020年11月30日")]),
    "narrative.fee_statement": (None, [("narrative.fee_statement", W, None, None, None, "信息处理费", None)]),
    "narrative.copied": (SEED, [("narrative.copied", W, "narrative", "problems", None, "本单位2020年度报告", "100%")]),
    "published.deadline": (None, [("published.deadline", E, None, "published", None, "2021年1月1日以后", "2020-12-28")]),
    # 20 requests received and 19 handled last year, 2 and 3 this year
    "trend.jump": (TREND_2021, [("trend.jump", W, REQ, "new_received", "total", 20, 2),
                                ("trend.jump", W, REQ, "total_handled", "total", 19, 3)]),
}
# No county deadline is given here: a township's report is only checked against the year's end.
NO_DEADLINE = ("没有县里规定的乡镇（街道）报告公布期限（参数文件中的 deadline:，或 nianbao check --deadline），"
               "只检查了公布日期是否在年度结束以后")


def found(name, previous):
    findings = check_file(BROKEN / f"{name}.yaml", previous).findings
    return [(f.rule, f.severity, f.table, f.row, f.column, f.expected, f.actual) for f in findings]


@pytest.mark.parametrize("name", CASES)
def test_each_broken_file_gives_exactly_its_findings(name):
    previous, expected = CASES[name]
    assert found(name, previous) == expected


def test_every_rule_of_the_contract_has_a_broken_case():
    rules = {r["id"] for e in all_editions() for r in e.rules} | {r.id for r in RULES} | set(CONTEXT_RULES)
    rules |= {"cells.missing", "cells.type", "edition.year"}
    assert rules == {expected[0][0] for _, expected in CASES.values()}
    assert sorted(p.stem for p in BROKEN.glob("*.yaml")) == sorted(CASES)


@pytest.mark.parametrize("path, previous", [
    (SEED, None), (SEED, V2019), (V2019, None), (V2021, None), (V2021, SEED), (V2022, None), (V2022, V2021)])
def test_consistent_inputs_give_no_finding(path, previous):
    assert check_file(path, previous).findings == []


def test_messages_name_the_official_labels_and_quote_the_sentence():
    def messages(name, previous=None):
        return [f.message for f in check_file(BROKEN / f"{name}.yaml", previous).findings]
    assert messages("requests.outcomes_sum")[0] == \
        "「三、收到和处理政府信息公开申请情况」（七）总计·自然人：各项办理结果之和为3，表中为2"
    assert messages("cross_year.carry_over", SEED)[0] == (
        "「三、收到和处理政府信息公开申请情况」二、上年结转政府信息公开申请数量·自然人："
        "应等于2020年度报告的“四、结转下年度继续办理”（0），表中为1")
    assert messages("cross_year.item_count", V2019) == [
        "「二、主动公开政府信息情况」第二十条第（五）项 行政许可·上一年项目数量："
        "按2019年度报告（上一年项目数量5，本年增/减+1）应为6，表中为7"]
    assert messages("prose.numbers.chinese")[0] == (
        "「一、总体情况」写道“2020年，我镇共受理政府信息公开申请十二件，其中自然人十件。”："
        "文中收到（新收）的申请为12件，而「三、收到和处理政府信息公开申请情况」"
        "一、本年新收政府信息公开申请数量·总计为2")
    assert messages("prose.numbers.none") == [
        "「六、其他需要报告的事项」写道“本年度未收到政府信息公开申请，无其他需要报告的事项。”："
        "文中说没有收到（新收）的申请，而「三、收到和处理政府信息公开申请情况」"
        "一、本年新收政府信息公开申请数量·总计为2"]
    assert messages("prose.year") == [
        "「一、总体情况」写道“（四）2019年政府信息公开工作情况。”：文中以2019年为报告年度，本报告是2020年度的"]


def test_findings_frame_keeps_the_values_as_they_are():
    from nianbao.model.findings import COLUMNS, findings_frame
    a = check_file(BROKEN / "cells.missing.yaml").findings
    b = check_file(BROKEN / "proactive.published_total.yaml").findings
    frame = findings_frame(b + a)
    assert list(frame.columns) == COLUMNS
    assert frame[["rule", "expected", "actual"]].values.tolist() == [
        ["cells.missing", "非负整数", None], ["proactive.published_total", 3, 2]]    # errors first


def test_warnings_mark_their_cells_too():
    from nianbao.model.findings import flagged_cells
    marks = flagged_cells(check_file(BROKEN / "cross_year.in_force.yaml", V2021).findings)
    assert marks == {(PRO, "normative_documents", c): "warning" for c in ("issued", "repealed", "in_force")}


def test_the_seed_is_clean_and_says_which_rules_were_skipped():
    checked = check_file(SEED)
    assert checked.findings == []
    assert set(checked.coverage.skipped) == {"cross_year.carry_over", "cross_year.item_count", "trend.jump",
                                             "published.deadline"}
    assert "cross_year.in_force" not in checked.coverage.ran + tuple(checked.coverage.skipped)
    assert {"prose.numbers", "prose.year", "proactive.published_total"} <= set(checked.coverage.ran)
    assert checked.coverage.skipped["cross_year.carry_over"] == "没有找到2019年度的数据文件（应为 商水县/2019/姚集镇.yaml）"


def test_across_the_edition_change_only_carry_over_runs():
    cover = coverage(read_report(V2021), read_report(SEED))
    assert "cross_year.carry_over" in cover.ran
    assert cover.skipped == {"cross_year.in_force": "2020年度使用2019版格式，本年度使用2021版格式，两年的表格不可比",
                             "published.deadline": NO_DEADLINE}


def test_previous_year_is_found_in_the_same_data_tree():
    checked = check_file(V2022)                    # valid/商水县/2021/姚集镇.yaml is next to it
    assert checked.previous.path == V2021 and checked.coverage.skipped == {"published.deadline": NO_DEADLINE}
    assert "cross_year.in_force" in checked.coverage.ran


def test_a_broken_previous_year_found_by_itself_skips_the_cross_year_rules(tmp_path):
    for year, text in ((2021, "year: [oops\n"), (2022, V2022.read_text(encoding="utf-8"))):
        (tmp_path / "商水县" / str(year)).mkdir(parents=True)
        (tmp_path / "商水县" / str(year) / "姚集镇.yaml").write_text(text, encoding="utf-8")
    checked = check_file(tmp_path / "商水县" / "2022" / "姚集镇.yaml")
    assert checked.findings == []
    why = checked.coverage.skipped["cross_year.carry_over"]
    assert why.startswith("2021年度的数据文件 商水县/2021/姚集镇.yaml 无法使用（YAML 格式错误")


def test_run_checks_without_previous_runs_no_cross_year_rule():
    report = read_report(BROKEN / "cross_year.carry_over.yaml")
    assert run_checks(report) == []


# ---- the command line ----------------------------------------------------------------------

KEYS = ["rule", "severity", "table", "row", "column", "expected", "actual", "message"]


def test_check_json_returns_exactly_the_planted_finding():
    done = nianbao("check", BROKEN / "appeals.group_total.yaml", "--json")
    assert done.returncode == 1, done.stderr
    assert json.loads(done.stdout) == [{
        "rule": "appeals.group_total", "severity": "error", "table": "appeals", "row": "suit_direct",
        "column": "total", "expected": 2, "actual": 1,
        "message": "「四、政府信息公开行政复议、行政诉讼情况」行政诉讼 未经复议直接起诉·总计："
                   "结果维持、结果纠正、其他结果、尚未审结之和为2，表中为1"}]
    assert "未进行cross_year.carry_over、cross_year.item_count" in done.stderr


def test_check_json_with_previous_and_warnings_only_exits_0():
    done = nianbao("check", BROKEN / "cross_year.in_force.yaml", "--previous", V2021, "--json")
    assert done.returncode == 0, done.stderr
    [record] = json.loads(done.stdout)
    assert list(record) == KEYS
    assert (record["rule"], record["row"], record["expected"], record["actual"]) == \
        ("cross_year.in_force", "normative_documents", 11, 12)
    assert done.stderr == f"部分进行published.deadline：{NO_DEADLINE}。\n"


def test_check_readable_output():
    done = nianbao("check", BROKEN / "requests.outcomes_sum.yaml")
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines[0] == "错误  requests.outcomes_sum  requests.total_handled.natural_person  应为 3，实际 2"
    assert lines[1].strip() == "「三、收到和处理政府信息公开申请情况」（七）总计·自然人：各项办理结果之和为3，表中为2"
    assert lines[-1].startswith("tests/data/broken/requests.outcomes_sum.yaml：错误2项，提醒0项。未进行cross_year.")
    clean = nianbao("check", SEED)
    assert clean.returncode == 0
    assert clean.stdout.startswith("data/商水县/2020/姚集镇.yaml：全部13项检查通过（cells.missing、")
    assert "未进行cross_year.carry_over、cross_year.item_count、trend.jump：没有找到2019年度的数据文件" in clean.stdout


def test_check_an_unusable_previous_file_exits_2_and_names_it(tmp_path):
    done = nianbao("check", SEED, "--previous", tmp_path / "nope.yaml")
    assert done.returncode == 2
    assert done.stdout == ""
    assert "上一年度的数据文件无法使用" in done.stderr and "nope.yaml：找不到这个文件" in done.stderr
    wrong_year = nianbao("check", SEED, "--previous", V2021)
    assert wrong_year.returncode == 2
    assert "year：作为上一年度的数据，应为2019年度，实际为2021年度" in wrong_year.stderr


def test_check_an_unusable_data_file_exits_2(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("year: [oops\n", encoding="utf-8")
    done = nianbao("check", bad, "--json")
    assert done.returncode == 2 and done.stdout == "" and "YAML 格式错误" in done.stderr


def test_findings_panel_names_skipped_rules_with_or_without_findings():
    from bs4 import BeautifulSoup
    from nianbao.render import sections
    report, findings, cover, _ = sections.load(str(BROKEN / "proactive.published_total.yaml"))
    panel = BeautifulSoup(sections.findings_panel(report, findings, cover).data, "html.parser")
    assert [li["class"] for li in panel.select("li")] == [["warning"]]
    assert panel.select_one("p.skipped").get_text() == \
        f"未进行cross_year.carry_over、cross_year.item_count、trend.jump：没有找到2019年度的数据文件；部分进行published.deadline：{NO_DEADLINE}。"
    report, findings, cover, _ = sections.load(str(V2022))
    clean = BeautifulSoup(sections.findings_panel(report, findings, cover).data, "html.parser").get_text()
    assert clean == ("检查结果：全部17项检查通过（cells.missing、cells.type、edition.year、requests.balance、"
                     "requests.outcomes_sum、requests.row_total、appeals.group_total、cross_year.unit_name、"
                     "cross_year.carry_over、"
                     "cross_year.in_force、plausibility.township_rules、prose.numbers、prose.year、"
                     f"narrative.fee_statement、narrative.copied、trend.jump、published.deadline）；部分进行published.deadline：{NO_DEADLINE}。")


def test_previous_of_another_county_exits_2_a_renamed_unit_only_warns(tmp_path):
    other = tmp_path / "姚集镇.yaml"
    other.write_text(V2019.read_text(encoding="utf-8").replace("county: 商水县", "county: 淮阳县"), encoding="utf-8")
    done = nianbao("check", SEED, "--previous", other)
    assert done.returncode == 2
    assert "county：作为上一年度的数据，应为同一县（区）“商水县”，实际为“淮阳县”" in done.stderr
    renamed = nianbao("check", BROKEN / "cross_year.unit_name.yaml", "--previous", V2019)
    assert renamed.returncode == 0, renamed.stderr            # a warning only; the rules ran
    assert "2019年度数据的单位名称为“姚集镇人民政府”，本年度为“姚集乡人民政府”" in renamed.stdout


def test_names_that_differ_only_by_report_words_are_one_unit(tmp_path):
    from nianbao.model.names import organ_name, signing_organ, unit_key
    assert organ_name("平潭综合实验区海坛片区管理局关于报送") == "平潭综合实验区海坛片区管理局"
    assert signing_organ("平潭综合实验区财政金融局办公室", "平潭综合实验区财政金融局") == "平潭综合实验区财政金融局"
    assert signing_organ("商水县人民政府办公室", None) == "商水县人民政府办公室"     # an organ of its own
    assert signing_organ("威海市文登区人民政府办公室", "威海市文登区") == "威海市文登区人民政府"   # signs the county's
    assert unit_key("姚集镇") == unit_key("姚集镇人民政府") == unit_key("姚集镇 人民政府")
    previous = tmp_path / "姚集镇.yaml"
    previous.write_text(V2019.read_text(encoding="utf-8").replace("unit: 姚集镇人民政府", "unit: 姚集镇"), encoding="utf-8")
    assert not [f for f in check_file(SEED, previous).findings if f.rule == "cross_year.unit_name"]


def test_a_reader_that_stops_reading_is_not_an_internal_error():
    """`nianbao check … | head`: the pipe is closed before the output is written."""
    import subprocess

    from conftest import BIN
    proc = subprocess.Popen([str(BIN / "nianbao"), "check", str(SEED)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, cwd=ROOT)
    proc.stdout.close()                   # the reader is gone before the command prints
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and stderr == ""


# ---------------------------------------------------------------- not applicable (/, —, 无, 不适用)

def not_applicable_seed() -> str:
    """The seed as a unit that charges no fees (/) and has no 其他处理 for natural persons (无)."""
    text = SEED.read_text(encoding="utf-8")
    text = text.replace("fees: {previous_count: 0, change: 0}", "fees: {previous_count: /, change: /}")
    return text.replace("  other: {natural_person: 0,", "  other: {natural_person: 无,")


def test_not_applicable_cells_are_neither_missing_nor_zero_and_the_rules_that_need_them_run_in_part(write_data):
    path = write_data(not_applicable_seed())
    report = read_report(path)
    assert report.not_applicable == {("proactive", "fees", "previous_count"): "/", ("proactive", "fees", "change"): "/",
                                     ("requests", "other", "natural_person"): "无"}
    assert report.value("proactive", "fees", "previous_count") is None and report.raw == {}
    done = nianbao("check", path, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []                 # no cells.missing, no cells.type, no rule broken
    assert ("部分进行requests.outcomes_sum、requests.row_total：「三、收到和处理政府信息公开申请情况」"
            "（六）其他处理·自然人填为不适用（“无”），用到它的核对未进行") in done.stderr
    # the other columns are still checked: a wrong one is found
    broken = not_applicable_seed().replace("  other: {natural_person: 无, commercial: 0,", "  other: {natural_person: 无, commercial: 1,")
    findings = run_checks(read_report(write_data(broken, "broken.yaml")))
    # 商业企业's column adds up to 1, not 0; the row of 其他处理 has the 无: its total is not compared
    assert [(f.rule, f.row, f.column) for f in findings] == [("requests.outcomes_sum", "total_handled", "commercial")]


def test_a_not_applicable_cell_last_year_makes_the_cross_year_rule_run_in_part(write_data):
    last = not_applicable_seed().replace("year: 2020", "year: 2019").replace(
        "  carried_forward: {natural_person: 0,", "  carried_forward: {natural_person: /,")
    write_data(last)
    checked = check_file(write_data(SEED.read_text(encoding="utf-8")))
    assert checked.previous.report is not None
    assert [f for f in checked.findings if f.rule.startswith("cross_year")] == []
    note = checked.coverage.skipped_note()
    assert ("部分进行cross_year.carry_over：2019年度「三、收到和处理政府信息公开申请情况」四、结转下年度继续办理·自然人"
            "填为不适用（“/”），用到它的核对未进行") in note
    assert ("部分进行cross_year.item_count：2019年度「二、主动公开政府信息情况」行政事业性收费·上一年项目数量等2个单元格"
            "填为不适用（“/”），用到它们的核对未进行") in note
