"""The prose against the tables, on hand-made sentences and on the real published pages."""
import dataclasses
import re

import pytest

from conftest import PUBLISHED, ROOT, SEED, SEED_TEXT
from nianbao.checks import check_file, run_checks
from nianbao.io import read_report
from nianbao.checks.numerals import parse_number
from nianbao.checks.prose import _claims, numbers, year

PINGTAN = ROOT / "tests" / "data" / "typed" / "pingtan-county-2021.yaml"


@pytest.mark.parametrize("text, value", [
    ("12", 12), ("１２", 12), ("两", 2), ("十", 10), ("十二", 12), ("二十三", 23), ("一百零五", 105),
    ("〇", 0), ("二〇二〇", 2020), ("三四", None), ("件", None)])
def test_numerals(text, value):
    assert parse_number(text) == value


def claims(sentence):
    return [(c.what, c.value) for c in _claims(sentence)]


@pytest.mark.parametrize("sentence, expected", [
    # real sentences of the published pages
    ("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。",
     [("received", 70), ("handled", 69), ("carried_forward", 1)]),
    ("2020年，片区共受理依申请公开 0 件。", [("received", 0)]),
    ("2021年暂未接到群众对依申请公开信息申请。", [("received", 0)]),
    ("2022年，我局共受理政务信息公开的申请4条，均按期予以办理答复。", [("received", 4)]),
    ("办理因政府信息公开引起的行政复议1件，当事人后续主动撤诉，未出现被纠错的情况，行政诉讼0件。",
     [("review", 1), ("suits", 0)]),
    # hand-made
    ("共收到政府信息公开申请十二件，其中自然人两件，法人或其他组织十件，上年结转3件。",
     [("received", 12), ("natural_person", 2), ("legal_persons", 10), ("carried_over", 3)]),
    ("本年度未发生因政府信息公开引起的行政复议和行政诉讼。", [("review", 0), ("suits", 0)]),
    ("被申请行政复议和提起行政诉讼共3件。", [("appeals_and_suits", 3)]),
    # not about applications for disclosure, or only a part of a count: nothing read
    ("便民服务中心受理行政许可申请2293件。", []),
    ("未收到申请人的补正材料。", []),
    ("行政诉讼2件，其中尚未审结的行政诉讼1件。", [("suits", 2)]),
    ("收到三四件咨询。", []),
])
def test_what_a_sentence_says(sentence, expected):
    assert claims(sentence) == expected


def seed_with(text, **changes):
    report = read_report(SEED)
    return dataclasses.replace(report, narrative={**report.narrative, "overview": text}, **changes)


@pytest.mark.parametrize("text", [
    "2019年，我镇共收到政府信息公开申请5件；2020年共收到政府信息公开申请2件。",   # another year
    "与去年收到政府信息公开申请5件相比有所减少。",
    "共受理政府信息公开申请2件（含上年结转0件）。",
    "《关于做好2019年政府信息公开工作年度报告编制公布工作的通知》要求……",        # a document's title
    "文化发展规划（2021-2035）、二〇三五年远景目标纲要。",
    "本报告中所列数据的统计期限为2020年1月1日至12月31日止。",                     # the seed's own wording
])
def test_never_cry_wolf(text):
    report = seed_with(text)
    assert numbers(report) + year(report) == []


def test_received_may_count_the_carried_over_ones():
    report = read_report(ROOT / "tests" / "data" / "valid" / "商水县" / "2022" / "姚集镇.yaml")
    for said, ok in (("3", True), ("2", True), ("4", False)):
        changed = dataclasses.replace(report, narrative={**report.narrative, "overview": f"共收到政府信息公开申请{said}件。"})
        assert (numbers(changed) == []) is ok


def test_the_seed_narrative_is_clean_though_it_names_2020_often():
    report = read_report(SEED)
    assert report.narrative["overview"].count("2020") >= 2
    assert numbers(report) == year(report) == []


def page_text(path):
    return path.read_text(encoding="utf-8").split("==================== 正文 ====================")[-1]


@pytest.mark.parametrize("path", sorted(PUBLISHED.glob("*.txt")) + [SEED_TEXT],
                         ids=lambda p: p.stem)
def test_the_report_year_on_real_pages(path):
    # the whole published text (preamble, prose, flattened tables) as if it were the narrative
    text = page_text(path)
    report_year = int(re.search(r"(\d{4})年度?政府信息公开工作年度报告", text).group(1))
    found = [(f.rule, f.expected, f.actual) for f in year(seed_with(text, year=report_year))]
    if path.stem == "pingtan-haitan-2019":
        # a real finding: the unit was formed in August 2019, its statistics start on 1 September
        assert found == [("prose.year", "2019年1月1日至2019年12月31日", "2019年9月1日至2019年12月31日")]
    else:
        assert found == []


def test_pingtan_county_2021_typed_from_the_published_page_is_consistent():
    checked = check_file(PINGTAN)
    assert checked.findings == []
    assert "plausibility.township_rules" not in checked.coverage.ran     # county level: not asked
    report = checked.report
    assert report.value("requests", "new_received", "total") == 70
    assert report.value("proactive", "normative_documents", "in_force") == 665
    # its prose was read, not skipped: the three statements match the table
    assert claims("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。") == \
        [("received", 70), ("handled", 69), ("carried_forward", 1)]
    assert "本年度全区共收到70件申请" in report.narrative["overview"]
    # and the page's own preamble states the right statistics period
    assert year(seed_with(page_text(PUBLISHED / "pingtan-county-2021.txt"), year=2021)) == []


def test_pingtan_prose_against_a_changed_table_is_caught():
    report = read_report(PINGTAN)
    report.tables["requests"].at["total_handled", "total"] = 68
    [finding] = numbers(report)
    assert (finding.rule, finding.row, finding.column, finding.expected, finding.actual) == \
        ("prose.numbers", "total_handled", "total", 68, 69)
    assert "“本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。”" in finding.message


def test_an_overview_opening_with_last_year_and_never_naming_this_year():
    report = seed_with("2019年，在县委、县政府的正确领导下，我镇认真贯彻落实《条例》。")
    assert [(f.rule, f.expected, f.actual) for f in year(report)] == [("prose.year", 2020, 2019)]
    assert year(seed_with("2019年，我镇撤乡设镇。2020年，我镇认真贯彻落实《条例》。")) == []


def test_haitan_2021_as_published_has_real_errors():
    # a real page: 2019 layout for a 2021 report, and one 自然人 in （七）总计 that no outcome row
    # or incoming application accounts for; its prose (暂未接到…申请) agrees with the new ones (0)
    checked = check_file(ROOT / "tests" / "data" / "typed" / "pingtan-haitan-2021.yaml")
    assert [(f.rule, f.table, f.row, f.column, f.expected, f.actual) for f in checked.findings] == [
        ("edition.year", None, None, None, "2021", "2019"),
        ("cells.missing", "proactive", "procurement", "projects", "非负整数", None),
        ("cells.missing", "proactive", "procurement", "amount", "非负数（金额）", None),
        ("requests.balance", "requests", None, "natural_person", 1, 0),
        ("requests.outcomes_sum", "requests", "total_handled", "natural_person", 0, 1),
        ("requests.row_total", "requests", "total_handled", "total", 1, 0)]
    assert claims("2021年暂未接到群众对依申请公开信息申请。") == [("received", 0)]
    assert "暂未接到群众对依申请公开信息申请" in checked.report.narrative["overview"]


def test_the_fee_statement_is_due_by_the_year_even_in_an_old_layout():
    from nianbao.checks.prose import fee_statement
    report = read_report(ROOT / "tests" / "data" / "typed" / "pingtan-haitan-2021.yaml")
    assert report.edition.id == "2019" and fee_statement(report) == []
    silent = dataclasses.replace(report, narrative={**report.narrative, "other": "无其他需要报告的事项。"})
    assert [f.rule for f in run_checks(silent)][-1] == "narrative.fee_statement"
