"""`nianbao import` of the layouts of issue 22, with known answers for every cell: a 2021-edition
report (tests/data/layouts/青山区-2024.yaml, hand-made, distinct non-zero values in the rows of
（三）不予公开 and （六）其他处理) printed by WeasyPrint with narrow label columns (labels over two
to four lines, group labels merged across their rows and centred beside them, § 三 over page
breaks), with and without rules, its title over two lines; and the text renderings of those
PDFs (pdftotext), one with every character of the title spaced out (“青 山 区 2 0 2 4 年…”).
tests/layout_docs.py makes them and tallies an import against the known cells."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from layout_docs import layout_pdf, tally, text_rendering
from nianbao.io import read_report
from test_import import imported, notes

KNOWN = ROOT / "tests" / "data" / "layouts" / "青山区-2024.yaml"
# the same report with not-applicable marks: the fee row of （六） all “/”, 规章 “－”, 行政强制 “无”,
# the fee amount “不适用” (12 cells)
MARKED = ROOT / "tests" / "data" / "layouts" / "青山区-2024-不适用.yaml"
TITLE = "青山区 2024 年政府信息公开工作年度报告"
PRINTS = {"ruled": dict(ruled=True), "unruled": dict(ruled=False),
          "spaced": dict(ruled=True, title_spacing=0.6, title_em=20),
          "numbered": dict(ruled=True, numbered=True),
          "marked": dict(ruled=True, numbered=True), "marked-unruled": dict(ruled=False)}


def known(name: str) -> Path:
    return MARKED if name.startswith("marked") else KNOWN


def marks(name: str) -> str:
    """What the import's summary says of the marks it read."""
    return "（其中不适用12个）" if name.startswith("marked") else ""

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


@pytest.fixture(scope="module")
def made(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("layouts")
    files = {}
    for name, options in PRINTS.items():
        pdf = files[f"{name}.pdf"] = layout_pdf(read_report(known(name)), root / f"{name}.pdf", title=TITLE, **options)
        files[f"{name}-layout.txt"] = text_rendering(pdf, root / f"{name}-layout.txt", layout=True)
        files[f"{name}-raw.txt"] = text_rendering(pdf, root / f"{name}-raw.txt", layout=False)
    return files


def test_the_fixtures_have_the_traps(made):
    """What the tests below survive, seen in the PDFs' own text."""
    raw = made["ruled-raw.txt"].read_text(encoding="utf-8").splitlines()
    assert raw[:2] == ["青山区 2024 年政府信息公开工作年", "度报告"]                       # the title wraps
    spaced = made["spaced-raw.txt"].read_text(encoding="utf-8").splitlines()
    assert spaced[0].startswith("青 山 区 2 0 2 4 年 政 府")                            # spaced out
    layout = made["unruled-layout.txt"].read_text(encoding="utf-8")
    compact = layout.replace(" ", "")
    for label in ("2.其他法律行政法规禁止公开", "（三）不予公开", "（六）其他处理",
                  "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
                  "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"):
        assert label not in compact, label                                                  # all wrapped
    assert "（六）其" in compact and "他处理" in compact
    page_3 = made["numbered-raw.txt"].read_text(encoding="utf-8").split("\f")[2].split()
    assert page_3[-6:] == ["3", "0", "0", "1", "0", "1"]      # its number before § 四's last values


@pytest.mark.parametrize("text, body", [
    ("甲\n\n1\n\f乙\n2\n\f丙\n3\n\n5\n\f", "甲\n\n\f乙\n\f丙\n\n5"),   # counting up: dropped
    ("甲\n\n1\n\f乙\n2\n\f丙\n3\n\n3\n\f", "甲\n\n\f乙\n\f丙\n3"),            # the last line
    ("甲\n\n1\n\f乙\n2\n\f丙\n3\n\n3\n5\f", "甲\n\n\f乙\n\f丙\n3\n\n3\n5"),  # two 3s not last: kept
    ("甲\n\n7\n\f乙\n\f丙\n2\n\f", "甲\n\n7\n\f乙\n\f丙\n2"),            # not counting up: kept
])
def test_page_numbers_of_a_raw_text_are_known_by_counting_up(text, body):
    from nianbao.importer.page_text import page_text
    assert page_text(text).body == body


@pytest.mark.parametrize("name", sorted(PRINTS))
def test_every_cell_of_a_narrow_2021_table_in_pdf_is_read_by_its_place(tmp_path, made, name):
    """Wrapped labels, group labels merged beside their rows, a row cut by a page break with no
    rule under it (WeasyPrint draws none): all 200 cells, each the known value; the group
    （六）其他处理 is never taken for the 2019 edition's row of that name."""
    done, out = imported(tmp_path, made[f"{name}.pdf"])
    assert done.returncode == 0, done.stderr
    assert f"2024年度，2021版格式，读出200/200个单元格{marks(name)}，缺失0个，非数字0个，有歧义0个" in done.stderr
    assert "2019版格式" not in done.stderr
    got, want = read_report(out), read_report(known(name))
    assert (got.unit, got.county, got.year, got.published) == (want.unit, want.county, want.year, want.published)
    for tid in want.tables:
        assert got.tables[tid].equals(want.tables[tid]), (tid, got.tables[tid].compare(want.tables[tid]))
    assert got.not_applicable == want.not_applicable


# What the text renderings give, by the tally of layout_docs.py (read, missing; none ambiguous,
# none wrong): `-layout` text is read by where its words stand (importer/pdf_text.py); the raw text,
# whose labels pdftotext writes out of order, and the rows of the `-layout` text the grid does not
# settle (a row cut by a page break, a label line right under the row above) are read by the
# order of their values, confirmed by every arithmetic rule and by the labels that do stand right
# before values (importer/page_order.py); the raw text's last group of § 四, which pdftotext writes after
# the paragraphs of § 五, is taken back from there.
# A page number, a line of its own, is dropped where the pages' last lines count up (the raw
# text may write the table's last values after it: page 3 of the numbered PDF).
# A not-applicable mark (“/” …) is a value line of its own, a cell of its row: the comparisons
# that need it are skipped, as the checks skip them, and the order is taken only when every
# number is still in a comparison that ran and held.
TEXT = [f"{name}-{kind}.txt" for name in PRINTS for kind in ("raw", "layout")]


@pytest.mark.parametrize("name", TEXT)
def test_a_text_rendering_of_the_pdf_is_read_cell_by_cell(tmp_path, made, name):
    done, out = imported(tmp_path, made[name])
    assert done.returncode == 0, done.stderr                       # read, not refused (2)
    assert f"2024年度，2021版格式，读出200/200个单元格{marks(name)}，缺失0个" in done.stderr
    got, want = read_report(out), read_report(known(name))
    assert got.not_applicable == want.not_applicable
    assert (got.unit, got.year, got.edition.id) == ("青山区人民政府", 2024, "2021")
    assert tally(out, want) == {"read": 200, "missing": 0, "ambiguous": 0, "wrong": 0}
    assert got.narrative["improvements"] == want.narrative["improvements"]   # no value left in § 五
    said = notes(out)
    assert any("数值按各行的顺序读取" in d for d in said["deviations"])   # said how it was read
    if name in ("ruled-raw.txt", "numbered-raw.txt", "marked-raw.txt"):
        assert any("最后5个数值在后面的正文中" in d for d in said["deviations"])


def _raw_requests(made) -> tuple[list[str], list[int]]:
    """The ruled PDF's raw text as lines, and where each run of § 三's values starts."""
    lines = made["ruled-raw.txt"].read_text(encoding="utf-8").split("\n")
    start = lines.index("三、收到和处理政府信息公开申请情况")
    end = lines.index("四、政府信息公开行政复议、行政诉讼情况")
    value = [start < i < end and lines[i].strip().isdigit() for i in range(len(lines))]
    starts = [i for i in range(len(lines)) if value[i] and not any(value[j] for j in range(i - 2, i))]
    return lines, starts


@pytest.mark.parametrize("broken, reason", [
    ("one row's values gone", "数值有24行，表格有25行"),
    ("a value changed", "按位置对应时勾稽关系不成立"),
    ("a row's values moved after the next row's", "行标签与数值的位置不一致"),
])
def test_raw_text_not_settled_by_order_stays_missing(tmp_path, made, broken, reason):
    """Read by position only when nothing is left to guess: a row's values lost (the count is
    off), a value the rules refute, a row's values read after the next row's (the rules cannot
    see it; the label standing right before the values can) — the rows stay missing, the reason
    is said, nothing is guessed."""
    lines, starts = _raw_requests(made)
    at = starts[4]                                   # 1.属于国家秘密: 0 0 0 0 0 0 0, its label before it
    assert lines[at - 2] == "秘密" and lines[starts[5] - 2] == "止公开"
    if broken == "one row's values gone":
        del lines[at:at + 14]
    elif broken == "a value changed":
        lines[at] = "9"
    else:                                            # read after 2.其他法律…'s 1 1 0 0 0 0 2
        moved = lines[at:at + 14]
        lines[starts[5] + 14:starts[5] + 14] = moved
        del lines[at:at + 14]
    page = tmp_path / "broken.txt"
    page.write_text("\n".join(lines), encoding="utf-8")
    done, out = imported(tmp_path, page)
    assert done.returncode == 1, done.stderr
    assert f"不能按数值的顺序读取（{reason}）" in done.stderr
    counts = tally(out, read_report(KNOWN))
    assert counts["missing"] >= 7 * 8, counts
    if broken == "a value changed":                  # its label stands before it: read as the page has it
        assert counts["wrong"] == 1 and read_report(out).value("requests", "withheld_state_secret",
                                                               "natural_person") == 9
    else:
        assert counts["wrong"] == 0, counts


@pytest.mark.parametrize("lost", ["labels", "labels and a row"])
def test_the_group_other_processing_is_never_read_as_the_2019_row(tmp_path, lost):
    """A 2021 page whose three rows under （六）其他处理 lost their labels: the values stand right
    after the group's label, which is also the label of the 2019 edition's single row. They are
    not read (nor noted) as that row — 21 values are not one row of 7 (a page that does use the
    2019 row, pingtan-haitan-2023, is still noted: tests/test_import.py) —: each row of the table
    still holds its own cells, so the rows are read by their order, every rule confirming it
    (importer/page_order.py). With one of those rows gone as well, the order settles nothing: the
    three rows are missing, each said so, nothing guessed."""
    import re

    from layout_docs import layout_html
    from nianbao.importer.published import import_text
    report = read_report(KNOWN)
    page = layout_html(report)
    rows = report.edition.tables["requests"]
    if lost == "labels and a row":
        page, gone = re.subn(r"<tr><th[^>]*>3\.其他</th>.*?</tr>", "", page)
        assert gone == 1
    for row in ("other_no_correction", "other_unpaid_fee", "other_misc")[:2 if lost != "labels" else 3]:
        label = rows.row(row).label
        assert page.count(f">{label}<") == 1
        page = page.replace(f">{label}<", "><")
    got = import_text(page)
    missing = {f"requests.{r}.{c}" for r in ("other_no_correction", "other_unpaid_fee", "other_misc")
               for c in ("natural_person", "commercial", "research", "social_welfare", "legal_service",
                         "other_org", "total")}
    assert not any("2019版格式" in d for d in got.deviations), got.deviations
    if lost == "labels":
        assert not got.missing and not got.ambiguous
        assert any("数值按各行的顺序读取" in d for d in got.deviations), got.deviations
        missing = set()
    else:
        assert set(got.missing) == missing and not got.ambiguous
        assert sum("未找到" in d and "其政府信息公开申请" in d for d in got.deviations) == 2
        assert any("不能按数值的顺序读取（数值有24行，表格有25行）" in d for d in got.deviations)
    for tid, table in report.edition.tables.items():
        for row, col in table.cells:
            if f"{tid}.{row}.{col}" not in missing:
                assert got.data[tid][row][col] == report.value(tid, row, col), (tid, row, col)


def test_two_rows_labels_run_together_are_not_read():
    """A grid that joined the wrapped label of 1.本机关不掌握相关政府信息 with that of 2.没有现成信息
    需要另行制作 into one cell, the first row's values after it, the second row's label lost
    (“1.本机关不掌握相关息2.没有现成…”: what `pdftotext -layout` gave with 3.5 em label columns
    before a value row at a page's foot stopped being taken for a footer). Those values could
    be either row's: not read by the label; nor by the order, whose label check sees
    “2.没有现成…” before the first row's values. Both rows missing, said so, none read wrong."""
    from layout_docs import layout_html
    from nianbao.importer.published import import_text
    report = read_report(KNOWN)
    rows = report.edition.tables["requests"]
    first, second = rows.row("unavailable_not_held").label, rows.row("unavailable_needs_creation").label
    page = layout_html(report)
    assert page.count(f">{first}<") == page.count(f">{second}<") == 1
    page = page.replace(f">{first}<", ">1.本机关不掌握相关息2.没有现成信息需要另行制作<").replace(f">{second}<", "><")
    got = import_text(page)
    assert any("“2.没有现成信息需要另行制作”与别的行标签连在一起" in d for d in got.deviations), got.deviations
    assert any("不能按数值的顺序读取（行标签与数值的位置不一致）" in d for d in got.deviations), got.deviations
    assert {c.rsplit(".", 1)[0] for c in got.missing} == {"requests.unavailable_not_held",
                                                          "requests.unavailable_needs_creation"}
    for tid, table in report.edition.tables.items():
        for row, col in table.cells:
            if f"{tid}.{row}.{col}" not in got.missing:
                assert got.data[tid][row][col] == report.value(tid, row, col), (tid, row, col)


def test_the_last_group_of_section_four_is_taken_back_from_section_six(tmp_path):
    """Label columns of 6 em: pdftotext's raw text writes § 四's last five values right under the
    heading of § 六. They are the one run of value lines after the table and exactly the cells it
    lacks, every group's 总计 holds: read, and gone from § 六's text."""
    report = read_report(KNOWN)
    pdf = layout_pdf(report, tmp_path / "wide.pdf", title=TITLE, label_em=6)
    raw = text_rendering(pdf, tmp_path / "wide.txt", layout=False)
    text = raw.read_text(encoding="utf-8")
    assert "六、其他需要报告的事项\n\n0\n\n0\n\n1\n\n0\n\n1\n" in text                 # the trap
    done, out = imported(tmp_path, raw)
    assert done.returncode == 0, done.stderr
    assert tally(out, report) == {"read": 200, "missing": 0, "ambiguous": 0, "wrong": 0}
    assert "最后5个数值在后面的正文中" in done.stderr
    assert read_report(out).narrative["other"] == report.narrative["other"]


def test_marks_that_leave_values_unchecked_stop_the_reading_by_order(tmp_path, made):
    """The marked raw text, its 3.其他 row's 总计 (4) written “/” as well: that row's other values
    (2 1 1 0 0 0) are in no comparison that can run any more — their row's total is not
    applicable, and every column's outcome sum has the fee row's “/” — so nothing confirms where
    they stand (a row shifted by a cell would pass): the order is not taken, the reason said,
    nothing read wrong."""
    lines = made["marked-raw.txt"].read_text(encoding="utf-8").split("\n")
    values = [i for i, line in enumerate(lines) if line in ("/", "0", "1", "2", "3", "4")]
    fee = next(k for k in range(len(values)) if [lines[i] for i in values[k:k + 7]] == ["/"] * 7)
    misc = values[fee + 7:fee + 14]
    assert [lines[i] for i in misc] == ["2", "1", "1", "0", "0", "0", "4"]
    lines[misc[-1]] = "/"
    page = tmp_path / "marked.txt"
    page.write_text("\n".join(lines), encoding="utf-8")
    done, out = imported(tmp_path, page)
    assert done.returncode == 1, done.stderr
    assert "不能按数值的顺序读取（6个数值所在的勾稽关系都用到不适用的单元格，无法核对其位置）" in done.stderr
    counts = tally(out, read_report(MARKED))
    assert counts["wrong"] == 0 and counts["missing"] >= 7, counts


# The same report printed with other label columns (tests/layout_docs.py's label_em), ruled and
# not: what each rendering reads of 200 (missing the rest, each with its reason; never a wrong
# cell). 4 em raw: pdftotext writes the last row's first value after the others, and a header
# word between (a row two runs share is tried in its rotations: one passes every check); the
# `-layout` grids: two pages end with a row of values, which is no page footer; the ruled PDFs:
# a row's values at a page's foot, its label after the break and the repeated header (the rest
# of the group's label between the two tables), is joined. 8 em raw stays missing: three labels
# stand before four rows' values, as a row's values moved after the next row's would look.
WIDTHS = {
    (3.5, "ruled"): {"pdf": 200, "raw": 200, "layout": 200},
    (3.5, "unruled"): {"pdf": 200, "raw": 200, "layout": 200},
    (4, "ruled"): {"pdf": 200, "raw": 200, "layout": 200},
    (4, "unruled"): {"pdf": 200, "raw": 200, "layout": 200},
    (6, "ruled"): {"pdf": 200, "raw": 200, "layout": 200},
    (6, "unruled"): {"pdf": 200, "raw": 200, "layout": 200},
    (8, "ruled"): {"pdf": 200, "raw": 53, "layout": 200},
    (8, "unruled"): {"pdf": 200, "raw": 102, "layout": 200},
}


@pytest.fixture(scope="module")
def widths(tmp_path_factory) -> dict:
    """{(label_em, print): {rendering: its file}}, printed on first use."""
    root, made = tmp_path_factory.mktemp("widths"), {}

    def get(label_em: float, name: str) -> dict[str, Path]:
        if (label_em, name) not in made:
            pdf = layout_pdf(read_report(KNOWN), root / f"{label_em}-{name}.pdf", title=TITLE,
                             label_em=label_em, ruled=name == "ruled")
            made[label_em, name] = {"pdf": pdf, **{kind: text_rendering(pdf, root / f"{label_em}-{name}-{kind}.txt",
                                                                        layout=kind == "layout")
                                                   for kind in ("raw", "layout")}}
        return made[label_em, name]
    return get


@pytest.mark.parametrize("label_em, name, kind", [(*key, kind) for key in WIDTHS for kind in ("pdf", "raw", "layout")])
def test_label_columns_of_other_widths(tmp_path, widths, label_em, name, kind):
    done, out = imported(tmp_path, widths(label_em, name)[kind])
    read = WIDTHS[label_em, name][kind]
    assert done.returncode == (0 if read == 200 else 1), done.stderr
    assert tally(out, read_report(KNOWN)) == {"read": read, "missing": 200 - read, "ambiguous": 0, "wrong": 0}
    if (label_em, name, kind) == (4, "ruled", "raw"):      # said how the split row was read
        assert "“四、结转下年度继续办理”的数值被表头隔开、顺序不同，按唯一符合勾稽关系的顺序读取" in done.stderr


def test_a_split_row_no_order_of_which_holds_stays_missing(tmp_path, widths):
    """4 em raw, the last row's values “0 0 0 0 0 2 总计 2” with its total written 3: no rotation
    of the row passes the rules — refused, the reason said, nothing read wrong."""
    text = widths(4, "ruled")["raw"].read_text(encoding="utf-8")
    assert text.count("\n2\n\n总计\n2\n") == 1
    page = tmp_path / "split.txt"
    page.write_text(text.replace("\n2\n\n总计\n2\n", "\n2\n\n总计\n3\n"), encoding="utf-8")
    done, out = imported(tmp_path, page)
    assert done.returncode == 1, done.stderr
    assert "不能按数值的顺序读取（按位置对应时勾稽关系不成立）" in done.stderr
    counts = tally(out, read_report(KNOWN))
    assert counts["wrong"] == 0 and counts["missing"] >= 7 * 10, counts
