"""Files that inflate (issue 30): a Word file, a workbook and a PDF are compressed containers.
Every part and stream counts toward the bounds of io/inflate.py, word.py, xlsx_reader.py,
pdf.py and pdf_limits.py; a file past them is refused before it is inflated — the file, what is
too large and the limit named, exit 2 — and any input up to them is read (or refused) in
≤ 30 s and ≤ 1.5 GiB, measured on the real CLI: its peak memory in a fresh parent process."""
import json
import math
import subprocess
import sys
import zipfile

import pytest

from bombs import MB, declared, deflated, pdf_file, rezipped, text_ops
from conftest import BIN, ROOT, SEED, nianbao
from nianbao.io import read_report
from office_docs import report_docx

SECONDS, MIB = 30, 1536          # the bounds for any input up to the limits

MEASURED = ("import json, resource, subprocess, sys, time\n"
            "start = time.monotonic()\n"
            "done = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
            "usage = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
            "print(json.dumps({'code': done.returncode, 'stderr': done.stderr,\n"
            "                  'seconds': time.monotonic() - start, 'cpu': usage.ru_utime + usage.ru_stime,\n"
            "                  'mib': usage.ru_maxrss // 1024}))\n")


def measured(*args, cwd) -> dict:
    """`nianbao *args`: its exit code, stderr, wall and CPU time, and peak resident memory (MiB)."""
    out = subprocess.run([sys.executable, "-c", MEASURED, str(BIN / "nianbao"), *map(str, args)],
                         cwd=cwd, capture_output=True, text=True, timeout=900)
    result = json.loads(out.stdout)
    print(args[:2], {k: v for k, v in result.items() if k != "stderr"})      # shown with -s
    return result


def within_bounds(result: dict) -> None:
    """The time bound is on the command's CPU time: six sessions share two cores here, and the
    wall time (printed with -s) grows with the load, not with the input."""
    assert "Traceback" not in result["stderr"] and "程序内部错误" not in result["stderr"], result["stderr"]
    assert result["cpu"] < SECONDS and result["mib"] < MIB, result


def size_mb(size: int) -> int:
    return math.ceil(size / MB)


PARAGRAPH = "<w:p><w:r><w:t>（一）主动公开情况。本年度共主动公开政府信息1234条，其中规范性文件12件。</w:t></w:r></w:p>".encode()
WORD_ADVICE = "请用 Word 或 WPS 打开后“另存为”.docx 再导入（图片过多、过大时请先压缩图片）"
PDF_ADVICE = "不像是一份年度报告（可能已损坏或是恶意构造的文件）；请用原始的 Word 文件导入，或重新导出 PDF"
BOOK_ADVICE = "填报表解压后只有约 70 KB；请在 nianbao template 生成的原表中填写，不要粘贴大量数据或图片"


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("bombs")
    made = {"report.docx": report_docx(read_report(SEED), root / "report.docx")}
    assert nianbao("template", "--from", SEED, "-o", root / "form.xlsx").returncode == 0
    made["form.xlsx"] = root / "form.xlsx"
    return root, made


# ---- Word ----

def test_a_word_file_whose_document_inflates_to_480_mb_is_refused_before(tmp_path, files):
    _, made = files
    bomb = rezipped(made["report.docx"], tmp_path / "报告.docx",
                    {"word/document.xml": (b"<w:sectPr", PARAGRAPH * 64, 480 * MB)})
    assert 0.3 * MB < bomb.stat().st_size < 2 * MB
    declared = zipfile.ZipFile(bomb).getinfo("word/document.xml").file_size
    result = measured("import", bomb.name, cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (
        2, f"报告.docx：Word 文档中的部件“word/document.xml”解压后超过 16 MB（为 {size_mb(declared)} MB）；{WORD_ADVICE}\n")
    within_bounds(result)
    assert result["mib"] < 300, result           # refused before it is inflated: nothing grew


def test_a_word_part_that_holds_more_than_it_declares_is_damaged(tmp_path, files):
    """zipfile stops a part at its declared size, but python-docx asks for a part whole, which
    inflates it all first: the parts are inflated in bounded chunks before python-docx has them."""
    _, made = files
    grown = rezipped(made["report.docx"], tmp_path / "报告.docx",
                     {"word/document.xml": (b"<w:sectPr", b" " * 4096, 300 * MB)})
    declared(grown, "word/document.xml", 64 * 1024)
    assert zipfile.ZipFile(grown).getinfo("word/document.xml").file_size == 64 * 1024
    result = measured("import", "报告.docx", cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (2, f"报告.docx：Word 文档已损坏（BadZipFile），无法解压；{WORD_ADVICE}\n")
    within_bounds(result)
    assert result["mib"] < 300, result


def test_broken_markup_in_a_word_file_is_unusable_not_an_internal_error(tmp_path, files):
    _, made = files
    rezipped(made["report.docx"], tmp_path / "报告.docx", {"word/document.xml": (b"<w:sectPr", b"<w:p>", 5)})
    result = measured("import", "报告.docx", cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (2, "报告.docx：无法作为 Word 文档（.docx）打开：XMLSyntaxError\n")


def test_a_word_file_just_under_the_bounds_is_read(tmp_path, files):
    """Parts of 15 MB (a picture, a custom XML part) and 46 MB in all, within the bounds: the
    report is read, all 198 cells, as the same file without them."""
    _, made = files
    padded = tmp_path / "报告.docx"
    rezipped(made["report.docx"], padded)
    with zipfile.ZipFile(padded, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/photo.bin", bytes(range(256)) * (15 * MB // 256))
        archive.writestr("customXml/item9.xml", b"<a>" + b" " * (15 * MB) + b"</a>")
        archive.writestr("customXml/item10.xml", b"<a>" + b" " * (15 * MB) + b"</a>")
    result = measured("import", padded.name, "-o", "out.yaml", "--county", "商水县", cwd=tmp_path)
    assert result["code"] == 0, result["stderr"]
    assert "读出198/198个单元格，缺失0个，非数字0个，有歧义0个" in result["stderr"]
    within_bounds(result)


def test_a_word_body_just_under_the_bounds_is_read_or_refused_in_bounds(tmp_path, files):
    """The densest body the part bound lets through is refused by the elements' count; one just
    under that count is read, its text within a page's bound or refused by it, in bounds."""
    _, made = files
    over = rezipped(made["report.docx"], tmp_path / "长.docx",
                    {"word/document.xml": (b"<w:sectPr", b"<w:p/>" * 1024, 16 * MB - 64 * 1024)})
    result = measured("import", over.name, cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (
        2, "长.docx：Word 文档的正文过长（段落、表格单元格和文字片段等超过 100000 个），不像是一份年度报告；请检查是否选错了文件\n")
    within_bounds(result)
    under = rezipped(made["report.docx"], tmp_path / "报告.docx",
                     {"word/document.xml": (b"<w:sectPr", PARAGRAPH * 10, 24_000 * len(PARAGRAPH))})
    result = measured("import", under.name, "-o", "out.yaml", "--county", "商水县", cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (2, "报告.docx：文件中的文字超过 100 万字，不像是一份年度报告；请检查是否选错了文件\n")
    within_bounds(result)


# ---- PDF ----

def test_a_pdf_whose_page_inflates_to_1_gb_is_refused_before(tmp_path):
    bomb = pdf_file(tmp_path / "报告.pdf", deflated(text_ops("2020 report text", 0), 1024 * MB))
    assert bomb.stat().st_size < 3 * MB
    result = measured("import", bomb.name, cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (2, f"报告.pdf：PDF 文件中的一个数据流解压后超过 32 MB，{PDF_ADVICE}\n")
    within_bounds(result)
    assert result["mib"] < 400, result


def test_a_run_length_pdf_stream_counts_its_runs_before_it_is_decoded(tmp_path):
    """RunLength makes 128 bytes of 2: the decoded size is read off the runs, nothing decoded."""
    bomb = pdf_file(tmp_path / "报告.pdf", b"\x81 " * (MB // 2) + b"\x80", filters=b"/RunLengthDecode")
    result = measured("import", bomb.name, cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (2, f"报告.pdf：PDF 文件中的一个数据流解压后超过 32 MB，{PDF_ADVICE}\n")
    within_bounds(result)


def test_pdf_page_content_past_its_bounds_is_refused(tmp_path):
    """Content that inflates within the stream bound but is more than pdfplumber lays out in
    bounds: 5 MB of page description, 60,000 characters, 7,000 drawn rectangles, 501 pages."""
    lines = b"".join(text_ops("2020 report text", i) for i in range(64))
    cases = {"内容.pdf": (deflated(b"0 0 m\n", 5 * MB), "PDF 的页面内容（到第1页）解压后超过 4 MB"),
             "文字.pdf": (deflated(lines, 60_000 // 16 * len(lines) // 64), "PDF 中的文字（到第1页）超过 50000 个"),
             "线条.pdf": (deflated(b"10 10 5 5 re S\n", 7_000 * 15), "PDF 中画出的线条和图形（到第1页）超过 6000 个")}
    for name, (contents, words) in cases.items():
        pdf_file(tmp_path / name, contents)
    pdf_file(tmp_path / "页数.pdf", *[deflated(b"q Q\n", 4)] * 501)
    cases["页数.pdf"] = (None, "PDF 超过 500 页")
    for name, (_, words) in cases.items():
        result = measured("import", name, cwd=tmp_path)
        assert (result["code"], result["stderr"]) == (2, f"{name}：{words}，{PDF_ADVICE}\n")
        within_bounds(result)


def test_a_pdf_just_under_the_bounds_is_read_in_bounds(tmp_path):
    """49,000 characters over 40 pages and 5,900 rectangles on one, 3.5 MB of content: laid out
    and read (it is no report: refused as such), in bounds."""
    page = b"".join(text_ops("2020 report text, line %d" % i, i) for i in range(50))       # ~1,225 characters
    grid = b"".join(b"%d %d 5 5 re S\n" % (20 + (i % 100) * 5, 20 + (i // 100) * 5) for i in range(5_900))
    pages = [deflated(page, len(page)) for _ in range(39)]
    pages.append(deflated(b"% padding\n", 3 * MB, head=grid))
    pdf_file(tmp_path / "报告.pdf", *pages)
    result = measured("import", "报告.pdf", cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (
        2, "报告.pdf：不是可以导入的政府信息公开工作年度报告（找不到报告年度（标题应如“××2020年政府信息公开工作年度报告”））\n")
    within_bounds(result)


# ---- the clerks' workbook ----

SHEET = "xl/worksheets/sheet3.xml"
RENAMED = "xl/worksheets/三.dat"


def test_a_workbook_reads_its_sheets_under_any_name(tmp_path, files):
    """The workbook finds a sheet's part by its relationships, whatever the part's name."""
    _, made = files
    renamed = rezipped(made["form.xlsx"], tmp_path / "姚集镇.xlsx", rename={SHEET: RENAMED})
    assert RENAMED in zipfile.ZipFile(renamed).namelist()
    result = measured("check", renamed.name, cwd=tmp_path)
    assert result["code"] == 0, result["stderr"]


def test_a_sheet_part_of_any_name_that_inflates_is_refused(tmp_path, files):
    _, made = files
    bomb = rezipped(made["form.xlsx"], tmp_path / "姚集镇.xlsx", rename={SHEET: RENAMED},
                    grow={SHEET: (b"</worksheet>", b"<!--" + b" " * 65536 + b"-->", 1024 * MB)})
    declared = zipfile.ZipFile(bomb).getinfo(RENAMED).file_size
    result = measured("check", bomb.name, cwd=tmp_path)
    assert (result["code"], result["stderr"]) == (
        2, f"姚集镇.xlsx：工作簿中的部件“{RENAMED}”解压后超过 4 MB（为 {size_mb(declared)} MB）；{BOOK_ADVICE}\n")
    within_bounds(result)
    assert result["mib"] < 300, result


def test_a_workbook_just_under_the_bounds_is_read(tmp_path, files):
    _, made = files
    rows = "".join(f'<row r="{i}"><c r="Z{i}"><v>1</v></c></row>' for i in range(200, 80_200)).encode()
    padded = rezipped(made["form.xlsx"], tmp_path / "姚集镇.xlsx", rename={SHEET: RENAMED},
                      grow={SHEET: (b"</sheetData>", rows, len(rows))})
    assert 3.5 * MB < zipfile.ZipFile(padded).getinfo(RENAMED).file_size < 4 * MB
    result = measured("check", padded.name, cwd=tmp_path)
    assert result["code"] == 0, result["stderr"]
    within_bounds(result)


def test_a_workbook_bomb_in_a_batch_fails_its_unit_and_the_rest_is_built(tmp_path, files):
    _, made = files
    folder = tmp_path / "data" / "商水县" / "2020"
    folder.mkdir(parents=True)
    (folder / "姚集镇.yaml").write_bytes(SEED.read_bytes())
    bomb = rezipped(made["form.xlsx"], folder / "炸弹.xlsx", rename={SHEET: RENAMED},
                    grow={SHEET: (b"</worksheet>", b"<!--" + b" " * 65536 + b"-->", 1024 * MB)})
    declared = zipfile.ZipFile(bomb).getinfo(RENAMED).file_size
    done = nianbao("run", "data/商水县/2020", "--out", "out", "--workers", "1", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr and "程序内部错误" not in done.stderr
    assert "共2个单位：新生成2份，未变化跳过0份；通过1，有错误0，失败0，无法使用1。" in done.stderr
    assert (f"data/商水县/2020/炸弹.xlsx：工作簿中的部件“{RENAMED}”解压后超过 4 MB（为 {size_mb(declared)} MB）；"
            f"{BOOK_ADVICE}") in done.stderr
    out = tmp_path / "out" / "商水县" / "2020"
    assert (out / "姚集镇.html").is_file() and (out / "index.html").is_file()
