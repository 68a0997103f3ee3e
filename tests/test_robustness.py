"""One bad file never sinks the batch: each hostile or broken input, made by hand, gives its
exact exit code and located Chinese message, in bounded memory, in `check` and `run` alike."""
import codecs
import csv
import io
import json
import re
import subprocess
import sys
import zipfile

import pytest
from bs4 import BeautifulSoup

from conftest import BIN, ROOT, line_of, nianbao, replace_line, seed_text
from nianbao.io.source import DATA_LIMIT
from nianbao.site.county_index import csv_cell, findings_csv
from nianbao.site.lock import output_lock

SEED = seed_text()
UNIT = "data/商水县/2020/姚集镇.yaml"


def with_short_name(name: str, text: str = SEED) -> str:
    return replace_line(text, r"^short_name:", f"short_name: {name}")


def check(tmp_path, text: str | bytes, name: str = "姚集镇.yaml", year: str = "2020"):
    """`nianbao check` on a file written at data/商水县/<year>/<name>, run from tmp_path."""
    path = tmp_path / "data" / "商水县" / year / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return nianbao("check", path.relative_to(tmp_path), cwd=tmp_path)


LAUGHS = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]\n" for i in range(1, 10))

# (case, file text, exit code, the exact message on stderr)
UNUSABLE = [
    ("calendar-invalid date", replace_line(SEED, r"^published:", "published: 2021-02-30"), 2,
     f"{UNIT} 第{line_of(SEED, '^published:')}行 published：应为日期（如 2021-01-28），"
     "实际为“2021-02-30”（日历上没有这一天）"),
    ("unknown tag", with_short_name("!!python/name:os.system 姚集镇"), 2,
     f"{UNIT} 第4行第13列：不支持的 YAML 标记“!!python/name:os.system”；数据文件中只能写文字、数字、日期、列表和“项目: 值”"),
    ("local tag", with_short_name("!custom 姚集镇"), 2,
     f"{UNIT} 第4行第13列：不支持的 YAML 标记“!custom”；数据文件中只能写文字、数字、日期、列表和“项目: 值”"),
    ("deep nesting", SEED + "x: " + "[" * 5000 + "]" * 5000 + "\n", 2,
     f"{UNIT} 第{len(SEED.splitlines()) + 1}行第15列：嵌套层次过深（超过12层）；数据文件最多为 表格·行·列 几层"),
    ("duplicate key", SEED + "year: 2019\n", 2,
     f"{UNIT} 第{len(SEED.splitlines()) + 1}行 year：与第7行重复：同一项目写了两次，无法确定以哪一个为准，请删去其中一个"),
    ("duplicate row", SEED.replace("requests:\n", "requests:\n  granted: {natural_person: 9}\n"), 2,
     f"{UNIT} 第{line_of(SEED, '^  granted:') + 1}行 granted：与第{line_of(SEED, '^requests:') + 1}行重复："
     "同一项目写了两次，无法确定以哪一个为准，请删去其中一个"),
    ("billion laughs", LAUGHS + SEED, 2,
     f"{UNIT} 第2行第10列：使用了 YAML 别名“*a0”；数据文件中不允许别名，请直接写出内容"),
    ("alias as a key", "a: &a [x]\n? *a\n: 1\n" + SEED, 2,
     f"{UNIT} 第2行第3列：使用了 YAML 别名“*a”；数据文件中不允许别名，请直接写出内容"),
    ("mapping as a key", "? {a: 1}\n: 1\n" + SEED, 2,
     f"{UNIT} 第1行第3列：项目名应为一个词（文字），实际为列表或映射"),
    ("year of another folder", SEED.replace("year: 2020", "year: 2019").replace('edition: "2019"\n', ""), 2,
     f"{UNIT} 第7行 year：文件写的是2019年度，却放在“2020”年度的文件夹中（data/<县>/<年度>/）；"
     "请改正 year，或把文件放到“2019”文件夹"),
    ("name too long", with_short_name("长" * 300), 2,
     f"{UNIT} 第4行 short_name：过长（300个字），应不超过50个字"),
    ("name with NUL", with_short_name('"姚\\0集镇"'), 2,
     f"{UNIT} 第4行 short_name：不能含有控制字符（编码 0x00）：它会用作报告的文件夹或文件名"),
    ("name with a separator", with_short_name('"../姚集镇"'), 2,
     f"{UNIT} 第4行 short_name：不能含有字符“/”：它会用作报告的文件夹或文件名"),
    ("county named ..", replace_line(SEED, r"^county:", 'county: ".."'), 2,
     f"{UNIT} 第6行 county：不能含有“..”：它会用作报告的文件夹或文件名"),
    ("file too large", SEED + "# " + "x" * DATA_LIMIT + "\n", 2,
     f"{UNIT}：文件过大（{(len(SEED.encode()) + DATA_LIMIT + 3 + 1023) // 1024} KB），"
     "年度报告数据文件不应超过 256 KB；请检查是否选错了文件"),
    ("UTF-16 without BOM", SEED.encode("utf-16-le"), 2,
     f"{UNIT}：无法识别文件的编码：应为 UTF-8、GBK/GB18030 或带 BOM 的 UTF-16 编码的文本（请在编辑器中“另存为”UTF-8）"),
]


@pytest.mark.parametrize("case, text, code, message", UNUSABLE, ids=[c[0] for c in UNUSABLE])
def test_unusable_input_is_one_located_message(tmp_path, case, text, code, message):
    done = check(tmp_path, text)
    assert done.returncode == code, done.stderr
    assert done.stderr.strip() == message
    assert done.stdout == ""


def test_a_number_too_large_is_a_finding_that_says_so(tmp_path):
    line = line_of(SEED, r"^  carried_over:")
    text = SEED.replace("carried_over: {natural_person: 0", "carried_over: {natural_person: " + "9" * 400)
    done = check(tmp_path, text)
    assert done.returncode == 1, done.stderr
    assert (f"{UNIT} 第{line}行 requests.carried_over.natural_person（三、收到和处理政府信息公开申请情况 "
            "二、上年结转政府信息公开申请数量·自然人）：数字过大（不应超过一万亿）；应为非负整数，"
            f"实际为“{'9' * 40}…（共400个字符）”") in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk", "utf-16"])
def test_encodings_chinese_editors_save_are_read(tmp_path, encoding):
    as_utf8 = check(tmp_path, SEED)
    done = check(tmp_path, SEED.encode(encoding))
    assert done.returncode == 0, done.stderr
    assert done.stdout == as_utf8.stdout and "检查通过" in done.stdout


def test_a_device_behind_a_symlink_is_refused_not_read(tmp_path):
    path = tmp_path / "data" / "商水县" / "2020" / "姚集镇.yaml"
    path.parent.mkdir(parents=True)
    path.symlink_to("/dev/zero")
    done = nianbao("check", path.relative_to(tmp_path), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == f"{UNIT}：不是普通文件（可能是设备、管道或文件夹），无法作为数据读取"


def test_template_and_import_refuse_the_same_way(tmp_path):
    bad = tmp_path / "data" / "商水县" / "2020" / "姚集镇.yaml"
    bad.parent.mkdir(parents=True)
    bad.write_text(SEED + "year: 2019\n", encoding="utf-8")
    done = nianbao("template", "--from", bad.relative_to(tmp_path), "-o", "x.xlsx", cwd=tmp_path)
    assert done.returncode == 2
    assert "year：与第7行重复" in done.stderr and not (tmp_path / "x.xlsx").exists()
    page = tmp_path / "page.txt"
    page.write_bytes("标题: 姚集镇2020年政府信息公开工作年度报告\n".encode("utf-16-le"))
    done = nianbao("import", "page.txt", cwd=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (2, "page.txt：无法识别文件的编码：应为 UTF-8、GBK/GB18030 "
                                                          "或带 BOM 的 UTF-16 编码的文本（请在编辑器中“另存为”UTF-8）")
    page.write_bytes(b"x" * (5 * 1024 * 1024 + 1))
    done = nianbao("import", "page.txt", cwd=tmp_path)
    assert (done.returncode, done.stderr.strip()) == (2, "page.txt：文件过大（6 MB），公开发布的报告页面不应超过 5 MB；"
                                                          "请检查是否选错了文件")


# ---- bounded memory: the peak RSS of the command, measured in a fresh parent ----

PEAK = ("import resource, subprocess, sys\n"
        "done = subprocess.run(sys.argv[1:], capture_output=True)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n")


def peak_mib(*args, cwd) -> tuple[int, int]:
    """(exit code, peak resident memory in MiB) of `nianbao *args`."""
    out = subprocess.run([sys.executable, "-c", PEAK, str(BIN / "nianbao"), *map(str, args)],
                         cwd=cwd, capture_output=True, text=True, timeout=600).stdout.split()
    return int(out[0]), int(out[1])


def workbook_with(tmp_path, name: str, grow) -> str:
    """The seed's workbook with sheet 「三」's XML changed by `grow` (bytes → bytes)."""
    form = tmp_path / "form.xlsx"
    if not form.exists():
        assert nianbao("template", "--from", ROOT / UNIT, "-o", form).returncode == 0
    with zipfile.ZipFile(form) as source, zipfile.ZipFile(tmp_path / name, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            out.writestr(info.filename, grow(data) if info.filename == "xl/worksheets/sheet3.xml" else data)
    return name


def rows(n: int):
    def grow(data: bytes) -> bytes:
        extra = "".join(f'<row r="{i}"><c r="Z{i}"><v>1</v></c></row>' for i in range(200, 200 + n))
        return data.replace(b"</sheetData>", extra.encode() + b"</sheetData>")
    return grow


def test_hostile_inputs_are_refused_in_bounded_memory(tmp_path):
    baseline = peak_mib("check", ROOT / UNIT, cwd=tmp_path)
    assert baseline[0] == 0
    folder = tmp_path / "data" / "商水县" / "2020"
    folder.mkdir(parents=True)
    cases = {"laughs.yaml": LAUGHS * 1 + "b: [*a9, *a9, *a9, *a9]\n" + SEED,
             "huge.yaml": SEED + "# " + "x" * (50 * 1024 * 1024) + "\n",
             "deep.yaml": SEED + "x: " + "[" * 100000 + "]" * 100000 + "\n"}
    for name, text in cases.items():
        (folder / name).write_text(text, encoding="utf-8")
    files = [folder / name for name in cases]
    files.append(tmp_path / workbook_with(tmp_path, "million.xlsx", rows(1_000_000)))
    files.append(tmp_path / workbook_with(tmp_path, "bomb.xlsx",
                                          lambda d: d.replace(b"</worksheet>", b"<!--" + b" " * 2 ** 30 + b"--></worksheet>")))
    for path in files:
        code, mib = peak_mib("check", path, cwd=tmp_path)
        assert code == 2, path.name
        assert mib < baseline[1] + 40, (path.name, mib, baseline)


def test_the_largest_accepted_workbook_stays_bounded(tmp_path):
    baseline = peak_mib("check", ROOT / UNIT, cwd=tmp_path)
    code, mib = peak_mib("check", workbook_with(tmp_path, "padded.xlsx", rows(80_000)), cwd=tmp_path)
    assert code == 0
    assert mib < baseline[1] + 100, (mib, baseline)
    code, _ = peak_mib("check", workbook_with(tmp_path, "over.xlsx", rows(120_000)), cwd=tmp_path)
    assert code == 2


# ---- safe CSV and workbooks ----

def test_formula_leading_cells_are_neutralised_in_findings_csv():
    assert [csv_cell(v) for v in ("=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\t=1", "-3", "+4", "2.5",
                                  "黄寨镇", None)] == \
        ["'=HYPERLINK(\"http://x\")", "'+1+2", "'-2+3", "'@SUM(A1)", "'\t=1", "-3", "+4", "2.5", "黄寨镇", ""]
    records = [{"short_name": "=HYPERLINK(\"http://evil\",\"点我\")", "display": "x",
                "findings": [{"rule": "cells.type", "severity": "error", "table": "requests", "row": "granted",
                              "column": "total", "expected": "非负整数", "actual": "=1+1", "message": "-5 件"}]}]
    [header, row] = list(csv.reader(io.StringIO(findings_csv(records).lstrip("\ufeff"))))
    cells = dict(zip(header, row))
    assert cells["unit"] == "'=HYPERLINK(\"http://evil\",\"点我\")"
    assert (cells["actual"], cells["message"]) == ("'=1+1", "'-5 件")


def test_user_text_in_a_written_workbook_is_text_not_a_formula(tmp_path):
    from openpyxl import load_workbook
    text = replace_line(SEED, r"^unit:", 'unit: "=HYPERLINK(\\"http://evil\\",\\"点我\\")"')
    source = tmp_path / "data" / "商水县" / "2020" / "姚集镇.yaml"
    source.parent.mkdir(parents=True)
    source.write_text(text, encoding="utf-8")
    assert nianbao("template", "--from", source, "-o", tmp_path / "f.xlsx").returncode == 0
    ws = load_workbook(tmp_path / "f.xlsx")["基本信息"]
    [cell] = [c for row in ws.iter_rows() for c in row if c.value == '=HYPERLINK("http://evil","点我")']
    assert cell.data_type == "s" and cell.quotePrefix
    assert nianbao("check", tmp_path / "f.xlsx").returncode == 0      # and it reads back as the name


# ---- the batch ----

def test_one_bad_file_among_good_ones(tmp_path):
    """Good units, hostile ones and odd files in one folder: every good unit, the index, the
    findings, run.json and the summary are written; each bad unit is listed with its reason."""
    folder = tmp_path / "data" / "商水县" / "2020"
    folder.mkdir(parents=True)
    (folder / "姚集镇.yaml").write_text(SEED, encoding="utf-8")
    hostile = '"=HYPERLINK(1)$x^{$<b>"'
    (folder / "公式镇.yaml").write_text(with_short_name(hostile).replace("（二）", "<script>x</script>（二）"),
                                      encoding="utf-8")
    bad = {"坏日期": replace_line(with_short_name("坏日期"), r"^published:", "published: 2021-02-30"),
           "长名": with_short_name("长" * 300),
           "炸弹": LAUGHS,
           "标记": with_short_name("!!python/name:os.system 姚集镇"),
           "大": SEED + "# " + "x" * (50 * 1024 * 1024) + "\n"}
    for name, text in bad.items():
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    (folder / "零.yaml").symlink_to("/dev/zero")               # not a regular file: not a unit
    (folder / "环").symlink_to(tmp_path)                        # a loop and a way out: not followed
    done = nianbao("run", "data/商水县/2020", "--out", "out", "--workers", "2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    assert "共7个单位：新生成6份，未变化跳过0份；通过2，有错误0，失败0，无法使用5。" in done.stderr
    out = tmp_path / "out" / "商水县" / "2020"
    for name in ("index.html", "findings.csv", "run.json", "summary.html", "姚集镇.html", "姚集镇.public.html"):
        assert (out / name).is_file(), name
    assert sorted(p.name for p in out.glob("=HYPERLINK*")) == sorted(
        f"=HYPERLINK(1)$x^{{$_b_{suffix}" for suffix in (".html", ".ipynb", ".public.html", ".pdf", ".docx",
                                                         ".data.csv", ".data.json"))
    # its open data: the name made safe for Excel, as in findings.csv
    data = (out / "=HYPERLINK(1)$x^{$_b_.data.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(data) == 199 and data[1].startswith("商水县,2020,'=HYPERLINK(1)$x^{$<b>,proactive,")
    written = {p for p in tmp_path.rglob("*") if p.is_file() and "out" not in p.relative_to(tmp_path).parts[:1]}
    assert written == {p for p in (tmp_path / "data").rglob("*") if p.is_file() and "环" not in p.parts}
    page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    reasons = {tr.find_all("td")[1].get_text(): tr.find("td", class_="reason").get_text()
               for tr in page.find("tbody").find_all("tr")}
    assert len(reasons) == 7 and reasons["姚集镇"] == "" and reasons["=HYPERLINK(1)$x^{$<b>"] == ""
    expected = {"坏日期": "published：应为日期（如 2021-01-28），实际为“2021-02-30”（日历上没有这一天）",
                "长名": "short_name：过长（300个字），应不超过50个字",
                "炸弹": "使用了 YAML 别名“*a0”",
                "标记": "不支持的 YAML 标记“!!python/name:os.system”",
                "大": "文件过大（51 MB），年度报告数据文件不应超过 256 KB"}
    for name, words in expected.items():
        [reason] = [r for r in reasons.values() if r.startswith(f"data/商水县/2020/{name}.yaml")]
        assert words in reason, (name, reason)
        assert reason in done.stderr
    summary = BeautifulSoup((out / "summary.html").read_text(encoding="utf-8"), "html.parser")
    assert not summary.find_all("script") and not summary.find_all("b")
    assert "=HYPERLINK(1)$x^{$<b>" in summary.get_text()
    assert len(summary.find_all("figure")) == 3          # the charts drew the name


def test_check_and_run_refuse_a_name_alike(tmp_path):
    folder = tmp_path / "data" / "商水县" / "2020"
    folder.mkdir(parents=True)
    (folder / "姚集镇.yaml").write_text(with_short_name("长" * 300), encoding="utf-8")
    checked = nianbao("check", "data/商水县/2020/姚集镇.yaml", cwd=tmp_path)
    ran = nianbao("run", "data/商水县/2020", "--out", "out", cwd=tmp_path)
    assert (checked.returncode, ran.returncode) == (2, 2)
    assert checked.stderr.strip() in ran.stderr
    assert not (tmp_path / "out" / "商水县").exists()


def test_a_second_run_on_the_same_output_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    with output_lock(tmp_path / "out"):
        done = nianbao("run", ROOT / UNIT, "--out", "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == "输出文件夹“out”正由另一个 nianbao run 写入；请等它结束后再运行，或用 --out 指定另一个文件夹"
    assert not (tmp_path / "out" / "商水县").exists()


def test_a_data_folder_too_large_to_be_a_county_is_refused(tmp_path):
    params = tmp_path / "params" / "根" / "2020.yaml"
    params.parent.mkdir(parents=True)
    params.write_text("data: /\n", encoding="utf-8")
    done = nianbao("run", params, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == ("/：文件夹中的文件超过5000个，不像是一个县的数据文件夹（data/<县>/<年度>/）；"
                                   "请指定具体的文件夹")


def test_a_failing_cell_is_reported_by_its_error_not_a_banner(tmp_path):
    import nbformat
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    nb.cells.insert(2, nbformat.v4.new_code_cell("# a cell that fails\nraise ValueError('第三张表的数据不一致：' + 'x' * 400)"))
    params = tmp_path / "params" / "商水县" / "2020.yaml"
    params.parent.mkdir(parents=True)
    nbformat.write(nb, params.parent / "failing.ipynb")
    params.write_text(f"data: {ROOT / 'data' / '商水县' / '2020'}\nunits: [姚集镇]\nnotebook: failing.ipynb\n",
                      encoding="utf-8")
    done = nianbao("run", params, "--out", tmp_path / "out", cwd=ROOT)
    assert done.returncode == 1
    [line] = [line for line in done.stderr.splitlines() if "报告生成失败" in line]
    # inserted as the 3rd cell; the 4th of the executed notebook, after papermill's parameters
    assert line == (f"{UNIT}：报告生成失败，第4个单元格“# a cell that fails”出错（ValueError: "
                    f"第三张表的数据不一致：{'x' * 289}…）")
    [unit] = json.loads((tmp_path / "out" / "商水县" / "2020" / "run.json").read_text(encoding="utf-8"))["units"]
    assert unit["status"] == "failed" and "\x1b" not in unit["traceback"]
    assert unit["traceback"].splitlines()[-1] == f"ValueError: 第三张表的数据不一致：{'x' * 400}"


# ---- the command line speaks Chinese ----

@pytest.mark.parametrize("command", [[], ["run"], ["check"], ["template"], ["import"], ["lab"]])
def test_help_is_in_chinese(command):
    done = nianbao(*command, "--help")
    assert done.returncode == 0
    for english in ("usage:", "options:", "positional arguments", "show this help", "the batch", "default:"):
        assert english not in done.stdout, english
    assert done.stdout.startswith("用法：nianbao")
    helps = re.findall(r"^  (-\S.*?|\S+)\s{2,}(.+)$", done.stdout, re.M)
    assert helps and all(re.search(r"[\u4e00-\u9fff]", text) for _, text in helps), helps


def test_argument_errors_are_in_chinese():
    done = nianbao("run", "--workers", "x")
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == "nianbao run：错误：参数 --workers：应为正整数，实际为“x”"
    done = nianbao("check")
    assert done.stderr.splitlines()[-1] == "nianbao check：错误：缺少必需的参数：数据文件"


def test_codecs_of_the_policy():
    from nianbao.io.source import decode
    assert decode(codecs.BOM_UTF8 + "姚集镇".encode()) == "姚集镇"
    assert decode("姚集镇".encode("utf-16-be") and codecs.BOM_UTF16_BE + "姚集镇".encode("utf-16-be")) == "姚集镇"
    assert decode("姚集镇".encode("gbk")) == "姚集镇"
