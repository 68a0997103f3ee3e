"""The arithmetic rules of the editions, each broken by hand in a copy of the seed."""
from conftest import SEED, replace_line, seed_text
from nianbao.checks import run_checks
from nianbao.io import read_report

ZERO = "commercial: 0, research: 0, social_welfare: 0, legal_service: 0, other_org: 0"


def findings_for(write_data, text):
    return [f.record() for f in run_checks(read_report(write_data(text)))]


def test_the_seed_is_consistent():
    assert run_checks(read_report(SEED)) == []


def test_outcome_row_breaking_the_total_with_the_balance_holding(write_data):
    # The known real trap: 一+二 = 三（七）+四 holds, yet the outcome rows add up to more.
    text = replace_line(seed_text(), r"^  withheld_process:", f"  withheld_process: {{natural_person: 1, {ZERO}, total: 1}}")
    assert findings_for(write_data, text) == [{
        "rule": "requests.outcomes_sum", "severity": "error", "table": "requests", "row": "total_handled",
        "column": "natural_person", "expected": 3, "actual": 2,
        "message": "「三、收到和处理政府信息公开申请情况」（七）总计·自然人：各项办理结果之和为3，表中为2"}, {
        "rule": "requests.outcomes_sum", "severity": "error", "table": "requests", "row": "total_handled",
        "column": "total", "expected": 3, "actual": 2,
        "message": "「三、收到和处理政府信息公开申请情况」（七）总计·总计：各项办理结果之和为3，表中为2"}]


def test_balance(write_data):
    text = replace_line(seed_text(), r"^  carried_forward:", f"  carried_forward: {{natural_person: 0, {ZERO.replace('other_org: 0', 'other_org: 1')}, total: 1}}")
    assert findings_for(write_data, text) == [{
        "rule": "requests.balance", "severity": "error", "table": "requests", "row": None,
        "column": "other_org", "expected": 1, "actual": 0,
        "message": "「三、收到和处理政府信息公开申请情况」法人或其他组织 其他列：第一项加第二项之和（0）应等于第三项加第四项之和（1）"}, {
        "rule": "requests.balance", "severity": "error", "table": "requests", "row": None,
        "column": "total", "expected": 3, "actual": 2,
        "message": "「三、收到和处理政府信息公开申请情况」总计列：第一项加第二项之和（2）应等于第三项加第四项之和（3）"}]


def test_row_total(write_data):
    text = replace_line(seed_text(), r"^  new_received:", f"  new_received: {{natural_person: 2, {ZERO}, total: 3}}")
    found = findings_for(write_data, text)
    assert found[-1] == {
        "rule": "requests.row_total", "severity": "error", "table": "requests", "row": "new_received",
        "column": "total", "expected": 2, "actual": 3,
        "message": "「三、收到和处理政府信息公开申请情况」一、本年新收政府信息公开申请数量·总计：各类申请人之和为2，表中为3"}
    # the same cell also breaks the balance of the 总计 column, and only that
    assert [(f["rule"], f["column"]) for f in found] == [("requests.balance", "total"), ("requests.row_total", "total")]


def test_appeals_group_total(write_data):
    text = replace_line(seed_text(), r"^  suit_direct:", "  suit_direct: {upheld: 1, corrected: 0, other: 0, pending: 1, total: 1}")
    assert findings_for(write_data, text) == [{
        "rule": "appeals.group_total", "severity": "error", "table": "appeals", "row": "suit_direct",
        "column": "total", "expected": 2, "actual": 1,
        "message": "「四、政府信息公开行政复议、行政诉讼情况」行政诉讼 未经复议直接起诉·总计：结果维持、结果纠正、其他结果、尚未审结之和为2，表中为1"}]


def test_a_missing_cell_is_reported_once_not_as_broken_sums(write_data):
    text = replace_line(seed_text(), r"^  granted:", f"  granted: {{natural_person: null, {ZERO}, total: 2}}")
    found = findings_for(write_data, text)
    assert [(f["rule"], f["row"], f["column"]) for f in found] == [("cells.missing", "granted", "natural_person")]


def test_cells_of_a_finding_are_marked():
    from nianbao.model.findings import flagged_cells
    r = read_report(SEED)
    r.tables["appeals"].at["review", "upheld"] = 1
    marks = flagged_cells(run_checks(r))
    assert marks[("appeals", "review", "total")] == "error"
    assert marks[("appeals", "review", "upheld")] == "error"
    assert ("appeals", "suit_direct", "total") not in marks
