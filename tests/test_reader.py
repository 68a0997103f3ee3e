"""The YAML reader: the seed's numbers, every unusable-file problem, every cell finding."""
import datetime as dt
import re

import pytest

from conftest import SEED, line_of, replace_line, seed_text
from nianbao.errors import DataFileError
from nianbao.io import read_report


def test_seed_reads_with_its_numbers():
    r = read_report(SEED)
    assert (r.unit, r.short_name, r.county, r.year, r.edition.id) == ("姚集镇人民政府", "姚集镇", "商水县", 2020, "2019")
    assert r.published == dt.date(2021, 1, 28)
    assert r.reader_findings == []
    assert r.value("proactive", "other_services", "previous_count") == 61
    assert r.value("proactive", "procurement", "amount") == pytest.approx(1306.14)
    assert r.value("requests", "new_received", "natural_person") == 2
    assert r.value("requests", "total_handled", "total") == 2
    assert r.value("appeals", "suit_after_review", "total") == 0
    assert r.narrative["other"] == "无其他需要报告的事项。"
    assert r.narrative["overview"].startswith("（一）强化领导，健全机构。")
    assert r.tables["requests"].shape == (23, 7)
    assert int(r.tables["requests"].sum().sum()) == 12


def problems_of(path):
    with pytest.raises(DataFileError) as info:
        read_report(path)
    return [str(p) for p in info.value.problems]


def test_yaml_syntax_error_names_the_line(write_data):
    text = replace_line(seed_text(), r"^  granted:", "  granted: {natural_person: 2, commercial: 0")
    path = write_data(text)
    [problem] = problems_of(path)
    assert str(path) in problem and "YAML 格式错误" in problem and "第" in problem and "行" in problem


@pytest.mark.parametrize("pattern, line, below, words", [
    (r"^  granted:", "  granted: {natural_person: 2, commercial: 0", 1,
     "花括号 { } 中的各项应以逗号分隔，最后以 } 结束"),
    (r"^  granted:", "\tgranted: {natural_person: 2}", 0, "不能用制表符（Tab）缩进或分隔，请改用空格"),
    (r"^unit:", "unit: 姚集镇人民政府: 办公室", 0, "这里不应有冒号：文字中含冒号时请给整段文字加引号，或检查这一行的缩进"),
    (r"^unit:", "unit: @姚集镇人民政府", 0, "值不能以“@”开头，请给这段文字加引号"),
    (r"^  suit_after_review:", '  suit_after_review: "未写完', 1,
     "引号没有配对：第{at}行第22列开始的引号直到文件末尾都没有结束"),
])
def test_a_yaml_mistake_is_said_in_a_clerks_words(write_data, pattern, line, below, words):
    """The common YAML mistakes, each located (the line, or the line after it where YAML
    notices) and said in Chinese, with no PyYAML English."""
    at = line_of(seed_text(), pattern)
    text = replace_line(seed_text(), pattern, line)
    [problem] = problems_of(write_data(text))
    assert problem.endswith(f"：YAML 格式错误：{words.replace('{at}', str(at))}"), problem
    assert f" 第{at + below}行第" in problem
    assert not re.search(r"[A-Za-z]{4,}", problem.split(" ", 1)[1].replace("YAML", "").replace("Tab", ""))


def test_not_a_mapping(write_data):
    [problem] = problems_of(write_data("- just\n- a list\n"))
    assert "应为“项目: 值”形式的数据" in problem


def test_empty_file(write_data):
    [problem] = problems_of(write_data(""))
    assert "实际为空" in problem


def test_unknown_ids_suggest_the_known_one(write_data):
    text = seed_text().replace("  granted:", "  grantd:")
    text = replace_line(text, r"^  carried_over:", "  carried_over: {natural_person: 0, commercial: 0, research: 0, "
                        "social_welfare: 0, legal_servic: 0, other_org: 0, total: 0}")
    text = text.replace("short_name:", "shortname:")
    problems = problems_of(write_data(text))
    assert any("shortname：未知的项目“shortname”，是否应为“short_name”？" in p for p in problems)
    assert any(f"第{line_of(text, '  grantd:')}行 requests：未知的行“grantd”，是否应为“granted”？" in p for p in problems)
    assert any("requests.carried_over.legal_servic：未知的列“legal_servic”，是否应为“legal_service”？" in p for p in problems)
    # the missing short_name is reported too: every problem at once
    assert any("short_name：缺少此项，必须填写" in p for p in problems)


def test_row_of_the_other_edition_is_named_as_such(write_data):
    text = seed_text().replace("  other: {natural_person", "  other_misc: {natural_person")
    [problem] = problems_of(write_data(text))
    assert "未知的行“other_misc”（这是2021版格式的项目）" in problem


def test_table_of_the_wrong_shape(write_data):
    text = replace_line(seed_text(), r"^  granted:", "  granted: [2, 0, 0, 0, 0, 0, 2]")
    [problem] = problems_of(write_data(text))
    assert "requests.granted：应为这一行各列的数值（列名: 数值）" in problem
    text = seed_text()
    [problem] = problems_of(write_data(text[:text.index("appeals:")] + "appeals: 0\n"))
    assert "appeals：应为按行列出的表格" in problem


def test_bad_metadata(write_data):
    text = seed_text().replace("year: 2020", "year: 二〇二〇").replace("published: 2021-01-28", "published: 明年")
    text = text.replace("level: township", "level: village").replace('edition: "2019"', 'edition: "2018"')
    problems = problems_of(write_data(text))
    assert any("year：应为报告年度（如 2020），实际为“二〇二〇”" in p for p in problems)
    assert any("published：应为日期（如 2021-01-28），实际为“明年”" in p for p in problems)
    assert any("level：应为 township（乡镇）" in p for p in problems)
    assert any("edition：应为 2019 或 2021，实际为“2018”" in p for p in problems)


def test_missing_file():
    [problem] = problems_of("no/such/file.yaml")
    assert problem == "no/such/file.yaml：找不到这个文件"


def test_text_where_a_number_belongs_is_a_finding_with_file_line_and_field(write_data):
    text = replace_line(seed_text(), r"^  granted:",
                        '  granted: {natural_person: 2, commercial: 0, research: 0, social_welfare: 0, '
                        'legal_service: 0, other_org: 0, total: "两"}')
    path = write_data(text)
    r = read_report(path)
    [f] = r.reader_findings
    line = line_of(text, r"^  granted:")
    assert (f.rule, f.severity, f.table, f.row, f.column, f.actual) == ("cells.type", "error", "requests", "granted", "total", "两")
    assert f.message == (f"{path} 第{line}行 requests.granted.total（三、收到和处理政府信息公开申请情况 "
                         "（一）予以公开·总计）：应为非负整数，实际为“两”")
    assert r.value("requests", "granted", "total") is None
    assert r.raw[("requests", "granted", "total")] == "两"


@pytest.mark.parametrize("value, rule", [("-1", "cells.type"), ("1.5", "cells.type"), ("true", "cells.type"),
                                         ("", "cells.missing"), ('" "', "cells.missing"), ("null", "cells.missing")])
def test_bad_counts(write_data, value, rule):
    text = replace_line(seed_text(), r"^  licensing:", f"  licensing: {{previous_count: 6, change: 0, decisions: {value}}}")
    [f] = read_report(write_data(text)).reader_findings
    assert (f.rule, f.table, f.row, f.column) == (rule, "proactive", "licensing", "decisions")


def test_absent_cell_is_missing_not_zero(write_data):
    text = replace_line(seed_text(), r"^  fees:", "  fees: {previous_count: 0}")
    r = read_report(write_data(text))
    [f] = r.reader_findings
    assert (f.rule, f.row, f.column, f.expected) == ("cells.missing", "fees", "change", "非负整数"[:0] + "整数（可为负数）")
    assert "缺少数据。空白不等于0，没有发生请填0" in f.message
    assert r.value("proactive", "fees", "change") is None


def test_a_whole_table_absent_is_every_cell_missing(write_data):
    text = seed_text()
    text = text[:text.index("appeals:")]
    findings = read_report(write_data(text)).reader_findings
    assert len(findings) == 15 and {f.rule for f in findings} == {"cells.missing"}


def test_negative_change_and_decimal_amount_are_fine(write_data):
    text = replace_line(seed_text(), r"^  licensing:", "  licensing: {previous_count: 6, change: -2, decisions: 0}")
    r = read_report(write_data(text))
    assert r.reader_findings == [] and r.value("proactive", "licensing", "change") == -2


def test_wrong_edition_for_the_year_is_a_finding(write_data):
    text = seed_text().replace("year: 2020", "year: 2021")
    r = read_report(write_data(text))
    [f] = r.reader_findings
    assert (f.rule, f.expected, f.actual) == ("edition.year", "2021", "2019")
    assert "2021年度报告应使用2021版格式" in f.message


def test_unknown_file_type(tmp_path):
    path = tmp_path / "姚集镇.docx"
    path.write_text("x")
    [problem] = problems_of(path)
    assert "无法识别的文件类型“.docx”" in problem
