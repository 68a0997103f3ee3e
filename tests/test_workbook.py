"""The Excel workbook: the official form, its protection and validation, its live checks, and
reading a filled workbook back into the same Report as the YAML reader gives."""
from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, SEED, nianbao
from nianbao.checks import run_checks
from nianbao.checks.registry import check_file
from nianbao.model.edition import load_edition
from nianbao.errors import DataFileError
from nianbao.io import read_report
from nianbao.io.form import layout

COUNTY_2021 = ROOT / "tests" / "data" / "published" / "pingtan-county-2021.yaml"


def template(tmp_path, *args, name="姚集镇.xlsx") -> Path:
    out = tmp_path / name
    done = nianbao("template", *args, "-o", out)
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture
def seed_book(tmp_path):
    return template(tmp_path, "--from", SEED)


def edit(path: Path, sheet: str, cell: str, value) -> Path:
    wb = openpyxl.load_workbook(path)
    wb[sheet][cell] = value
    wb.save(path)
    return path


def same(a, b):
    assert (a.unit, a.short_name, a.level, a.county, a.year, a.edition.id, a.published, a.demo) == \
           (b.unit, b.short_name, b.level, b.county, b.year, b.edition.id, b.published, b.demo)
    assert a.narrative == b.narrative and a.units == b.units and a.raw == b.raw
    assert a.not_applicable == b.not_applicable
    for tid in a.tables:
        assert a.tables[tid].equals(b.tables[tid])
    assert [(f.rule, f.table, f.row, f.column, f.actual) for f in run_checks(a)] == \
           [(f.rule, f.table, f.row, f.column, f.actual) for f in run_checks(b)]


# ---------------------------------------------------------------- round trips

def test_round_trip_of_the_seed_is_lossless(seed_book):
    same(read_report(seed_book), read_report(SEED))


def test_from_accepts_any_reader(seed_book, tmp_path):
    again = template(tmp_path, "--from", seed_book, name="again.xlsx")
    same(read_report(again), read_report(SEED))


def test_round_trip_of_a_2021_report_with_open_cells(tmp_path):
    book = template(tmp_path, "--from", COUNTY_2021, name="county.xlsx")
    got, want = read_report(book), read_report(COUNTY_2021)
    same(got, want)
    assert got.value("proactive", "normative_documents", "issued") is None      # missing stays missing
    assert got.value("proactive", "fees", "amount") == pytest.approx(24252.311082)


def test_round_trip_keeps_an_amount_unit_and_a_mark(tmp_path, write_data):
    text = SEED.read_text(encoding="utf-8").replace("procurement: {projects: 7, amount: 1306.14}",
                                                    "procurement: {projects: 7, amount: 1306.14, unit: 万元}")
    text = text.replace("licensing: {previous_count: 6, change: 0, decisions: 0}",
                        "licensing: {previous_count: 6, change: /, decisions: 0}")
    source = write_data(text)
    book = template(tmp_path, "--from", source)
    same(read_report(book), read_report(source))


def test_workbook_is_accepted_by_check_and_run(seed_book, tmp_path):
    done = nianbao("check", seed_book)
    assert done.returncode == 0 and "项检查通过" in done.stdout
    done = nianbao("run", seed_book, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "商水县" / "2020" / "姚集镇.html").is_file()


# ---------------------------------------------------------------- the form itself

def test_the_form_has_the_official_labels_and_merged_headers(tmp_path):
    wb = openpyxl.load_workbook(template(tmp_path, "--edition", "2021"))
    assert wb.sheetnames == ["基本信息", "二", "三", "四"]
    ws = wb["三"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）" and "A2:C4" in merged
    assert ws["D2"].value == "申请人情况" and "D2:J2" in merged
    assert ws["E3"].value == "法人或其他组织" and "E3:I3" in merged
    assert [ws.cell(4, c).value for c in range(5, 10)] == ["商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert ws["D3"].value == "自然人" and "D3:D4" in merged
    table = load_edition("2021").tables["requests"]
    labels = [ws.cell(r, c).value for r in range(5, 5 + len(table.rows)) for c in (1, 2, 3)]
    for row in table.rows:
        assert row.label in labels
    assert ws["A7"].value == "三、本年度办理结果" and "A7:A28" in merged       # 22 rows of outcomes
    assert ws["B25"].value == "（六）其他处理" and "B25:B27" in merged
    four = wb["四"]
    assert four["A2"].value == "行政复议" and "A2:E2" in {str(r) for r in four.merged_cells.ranges}
    assert four["F2"].value == "行政诉讼" and "F2:O2" in {str(r) for r in four.merged_cells.ranges}
    assert [four.cell(3, c).value for c in (6, 11)] == ["未经复议直接起诉", "复议后起诉"]
    two = wb["二"]
    assert [two.cell(3, c).value for c in range(1, 5)] == ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]


def test_only_the_input_cells_are_unlocked_and_they_are_validated(tmp_path):
    wb = openpyxl.load_workbook(template(tmp_path, "--edition", "2019"))
    lay = layout(load_edition("2019"))
    for sheet in lay.tables.values():
        ws = wb[sheet.name]
        assert ws.protection.sheet
        inputs = {(r, c) for r, c, _ in sheet.inputs.values()}
        for row, col, *_ in sheet.labels:
            assert ws.cell(row, col).protection.locked
        for check in sheet.checks:
            assert ws.cell(check.row, check.col).protection.locked
        for r, c in inputs:
            assert not ws.cell(r, c).protection.locked

    def rule_of(sheet, cell):
        [(kind, formula, sqref)] = [(v.type, v.formula1, str(v.sqref)) for v in wb[sheet].data_validations.dataValidation
                                    if cell in v.sqref]
        first = sqref.split(":")[0]           # a rule's formula speaks of its range's first cell
        return kind, formula.replace(first, "X")
    two = lay.tables["proactive"]
    at = lambda row, col: openpyxl.utils.get_column_letter(two.inputs[("proactive", row, col)][1]) + \
        str(two.inputs[("proactive", row, col)][0])
    marks = 'X="/",X="／",X="—",X="——",X="－",X="-",X="无",X="不适用"'       # or not applicable
    assert rule_of("二", at("licensing", "previous_count")) == ("custom", f"OR(AND(ISNUMBER(X),X>=0,X=INT(X)),{marks})")
    assert rule_of("二", at("licensing", "change")) == ("custom", f"OR(AND(ISNUMBER(X),X=INT(X)),{marks})")
    assert rule_of("二", at("procurement", "amount")) == ("custom", f"OR(AND(ISNUMBER(X),X>=0),{marks})")
    assert rule_of("三", "D5") == rule_of("三", "D27") == rule_of("三", "J5") == rule_of("二", at("licensing", "previous_count"))
    assert wb["基本信息"]["B2"].protection.locked and wb["基本信息"]["B2"].value == "2019"   # fixed by the template
    assert not wb["基本信息"]["B3"].protection.locked


def test_check_formulas_come_from_the_rules_of_the_edition():
    for edition_id in ("2019", "2021"):
        edition = load_edition(edition_id)
        lay = layout(edition)
        checks = [c for sheet in lay.tables.values() for c in sheet.checks]
        def lines_with_cells(rule):
            table = edition.tables[rule["table"]]
            per_column = rule["per"] == "column"
            return sum(all(((i, line.id) if per_column else (line.id, i)) in table.cells
                           for i in rule["left"] + rule["right"])
                       for line in (table.columns if per_column else table.rows))
        per_rule = {r["id"]: lines_with_cells(r) for r in edition.rules}
        if edition_id == "2019":
            assert per_rule["proactive.published_total"] == 2 and per_rule["requests.balance"] == 7
        assert {rule: sum(c.rule == rule for c in checks) for rule in per_rule} == per_rule
    balance = next(c for c in layout(load_edition("2019")).tables["requests"].checks
                   if c.rule == "requests.balance" and c.line == "natural_person")
    assert balance.formula == ('=IF(COUNTA(D5:D6,D26:D27)<4,"待填",IF(COUNT(D5:D6,D26:D27)<4,"不适用，未核对",'
                               'IF(SUM(D5:D6)=SUM(D26:D27),"相符",'
                               '"不符：自然人列：第一项加第二项之和（"&SUM(D5:D6)&"）应等于第三项加第四项之和（"&SUM(D26:D27)&"）")))')


def test_a_broken_rule_turns_the_check_cell_red(seed_book):
    ws = openpyxl.load_workbook(seed_book)["三"]
    rules = {str(cf.sqref): [r.formula for r in cf.rules] for cf in ws.conditional_formatting}
    check = next(c for c in layout(load_edition("2019")).tables["requests"].checks)
    cell = f"{openpyxl.utils.get_column_letter(check.col)}{check.row}"
    assert rules[cell] == [[f'LEFT({cell},2)="不符"']]
    assert ws[cell].value == check.formula


SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_recalculates_the_checks(seed_book, tmp_path):
    """What the clerk sees in a spreadsheet program: the checks computed by LibreOffice itself."""
    edit(seed_book, "三", "D7", 3)          # （一）予以公开·自然人 2 → 3: breaks three rules
    edit(seed_book, "四", "A5", None)       # 行政复议·结果维持 left blank
    edit(seed_book, "四", "F5", "无")       # 未经复议直接起诉·结果维持 not applicable
    out = tmp_path / "recalculated"
    subprocess.run([SOFFICE, "--headless", "--calc", "--convert-to", "xlsx", "--outdir", str(out), str(seed_book)],
                   check=True, capture_output=True, timeout=120, env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"})
    wb = openpyxl.load_workbook(out / seed_book.name, data_only=True)
    lay = layout(load_edition("2019"))
    values = {(c.rule, c.line): wb[sheet.name].cell(c.row, c.col).value
              for sheet in lay.tables.values() for c in sheet.checks}
    broken = {k: v for k, v in values.items() if v != "相符"}
    assert broken == {
        ("requests.outcomes_sum", "natural_person"): "不符：（七）总计·自然人：各项办理结果之和为3，表中为2",
        ("requests.row_total", "granted"): "不符：（一）予以公开·总计：各类申请人之和为3，表中为2",
        ("appeals.group_total", "review"): "待填",
        ("appeals.group_total", "suit_direct"): "不适用，未核对",
    }


# ---------------------------------------------------------------- broken workbooks

def findings_of(path):
    return [f.message for f in read_report(path).reader_findings]


def test_text_in_a_number_cell(seed_book):
    [message] = findings_of(edit(seed_book, "三", "D7", "两"))
    assert message.endswith("姚集镇.xlsx 工作表「三」D7 requests.granted.natural_person"
                            "（三、收到和处理政府信息公开申请情况 （一）予以公开·自然人）：应为非负整数，实际为“两”")


def test_a_not_applicable_mark_is_kept_not_missing_and_the_rule_runs_in_part(seed_book):
    report = read_report(edit(seed_book, "三", "E7", "无"))      # （一）予以公开·商业企业
    assert report.not_applicable == {("requests", "granted", "commercial"): "无"}
    assert report.value("requests", "granted", "commercial") is None and report.reader_findings == []
    checked = check_file(seed_book)
    assert [f.rule for f in checked.findings] == []
    assert ("部分进行requests.outcomes_sum、requests.row_total：「三、收到和处理政府信息公开申请情况」"
            "（一）予以公开·商业企业填为不适用（“无”），用到它的核对未进行") in checked.coverage.skipped_note()
    again = template(seed_book.parent, "--from", seed_book, name="again.xlsx")   # the mark written back
    assert openpyxl.load_workbook(again)["三"]["E7"].value == "无"


def test_blank_cell(seed_book):
    [message] = findings_of(edit(seed_book, "二", "B8", None))
    assert "工作表「二」B8 proactive.licensing.previous_count" in message and "缺少数据。空白不等于0" in message


def test_negative_count_and_negative_change(seed_book):
    edit(seed_book, "三", "J5", -2)
    wb = openpyxl.load_workbook(seed_book)
    lay = layout(load_edition("2019")).tables["proactive"]
    r, c, _ = lay.inputs[("proactive", "licensing", "change")]
    wb["二"].cell(r, c).value = -1          # 本年增/减 may be negative
    wb.save(seed_book)
    report = read_report(seed_book)
    assert [f.message.split(" ", 1)[1] for f in report.reader_findings] == [
        "工作表「三」J5 requests.new_received.total（三、收到和处理政府信息公开申请情况 一、本年新收政府信息公开申请数量·总计）"
        "：应为非负整数，实际为“-2”"]
    assert report.value("proactive", "licensing", "change") == -1


def test_bad_metadata_is_located(seed_book):
    edit(seed_book, "基本信息", layout(load_edition("2019")).meta_cells["year"], "去年")
    with pytest.raises(DataFileError) as info:
        read_report(seed_book)
    assert "工作表「基本信息」B7 year：应为报告年度（如 2020），实际为“去年”" in str(info.value)


def test_wrong_or_missing_sheet(seed_book):
    wb = openpyxl.load_workbook(seed_book)
    del wb["三"]
    wb.save(seed_book)
    done = nianbao("check", seed_book)
    assert done.returncode == 2
    assert "缺少工作表「三」" in done.stderr and "Traceback" not in done.stderr


def test_rearranged_sheet_is_refused(seed_book):
    edit(seed_book, "三", "B7", "（一）予以公开（含部分公开）")
    with pytest.raises(DataFileError) as info:
        read_report(seed_book)
    assert "工作表「三」B7：应为“（一）予以公开”，实际为“（一）予以公开（含部分公开）”" in str(info.value)


def test_not_our_workbook_and_not_a_workbook(tmp_path):
    other = tmp_path / "其他.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "hello"
    wb.save(other)
    with pytest.raises(DataFileError) as info:
        read_report(other)
    assert "不是用 nianbao template 生成的填报表：缺少工作表「基本信息」" in str(info.value)
    fake = tmp_path / "假的.xlsx"
    fake.write_text("unit: 姚集镇人民政府\n", encoding="utf-8")
    done = nianbao("check", fake)
    assert done.returncode == 2 and "不是 Excel 工作簿（.xlsx）" in done.stderr


def test_template_options(tmp_path):
    done = nianbao("template", "-o", tmp_path / "x.xlsx")
    assert done.returncode == 2 and "--edition" in done.stderr
    done = nianbao("template", "--edition", "2021", "--from", SEED, "-o", tmp_path / "x.xlsx")
    assert done.returncode == 2 and "数据使用2019版格式，与 --edition 2021 不符" in done.stderr
    done = nianbao("template", "--edition", "2019", "-o", tmp_path / "x.txt")
    assert done.returncode == 2 and not (tmp_path / "x.txt").exists()
