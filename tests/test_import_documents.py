"""`nianbao import` of Word and PDF reports, made the way offices make them: nianbao's own public
page of the seed saved as .docx by LibreOffice, that .docx printed to PDF by LibreOffice, an old
binary .doc, a scan without text; and Word files with real Word tables (python-docx, office_docs.py)
printed by LibreOffice: labels wrapping in a narrow column, § 三 running over a page break with a
row cut in two, blank cells. All are generated here (LibreOffice: a few seconds each).

The expected cells are the seed's, typed by hand from its published text (data/商水县/2020/姚集镇.yaml),
less the cells a fixture leaves blank or its layout loses (named in each test)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN, ROOT, SEED, nianbao
from office_docs import report_docx, soffice
from nianbao.batch.unit import run_one
from nianbao.io import read_report

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (make system-deps)")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The seed's public page, its .docx saved by LibreOffice, the PDF printed from it, a .doc."""
    root = tmp_path_factory.mktemp("documents")
    outcome = run_one(SEED, root / "out", engine="fork")
    assert outcome.status == "ok"
    page = root / "姚集镇.html"
    shutil.copy(next((root / "out").rglob("*.public.html")), page)
    docx = soffice(page, 'docx:MS Word 2007 XML', root)
    files = {"html": page, "docx": docx, "pdf": soffice(docx, "pdf", root)}
    for suffix in (".pdf", ".docx"):                    # nianbao's own, made with the page
        files[f"own{suffix}"] = next((root / "out").rglob(f"*{suffix}"))
    old = root / "old"
    old.mkdir()
    files["doc"] = soffice(docx, "doc", old)
    return files


def imported(tmp_path, source, *options):
    out = tmp_path / "imported.yaml"
    return nianbao("import", source, "-o", out, "--county", "商水县", *options), out


def same_cells(got, want):
    for tid in want.tables:
        assert got.tables[tid].equals(want.tables[tid]), (tid, got.tables[tid].compare(want.tables[tid]))


def all_198_cells(tmp_path, source):
    """Import `source`: it must read every one of the seed's 198 cells, each the seed's value;
    returns (what was read, the seed)."""
    done, out = imported(tmp_path, source)
    assert done.returncode == 0, done.stderr
    assert "读出198/198个单元格，缺失0个，非数字0个，有歧义0个" in done.stderr
    got, want = read_report(out), read_report(SEED)
    same_cells(got, want)
    return got, want


@pytest.mark.parametrize("kind", ["html", "docx", "doc"])
def test_the_seeds_public_page_and_its_word_files_give_all_198_cells(tmp_path, made, kind):
    got, want = all_198_cells(tmp_path, made[kind])
    assert (got.unit, got.year, got.edition.id, got.published) == (want.unit, want.year, want.edition.id, want.published)
    assert got.narrative["problems"] == want.narrative["problems"]


@pytest.mark.parametrize("kind", ["own.pdf", "own.docx"])
def test_nianbaos_own_pdf_and_word_file_give_all_198_cells(tmp_path, made, kind):
    """nianbao's PDF cuts table 三 at a page break inside the merged label “三、本年度办理结果”;
    the label's cell, left without its bottom rule there, must not read the values beside it."""
    all_198_cells(tmp_path, made[kind])


def test_a_pdf_printed_by_libreoffice_reads_what_its_layout_settles_and_never_guesses(tmp_path, made):
    """The page the .docx prints to is narrower than its § 三 table: the 总计 column is cut off.
    What is read must be the seed's number; what is not is missing or ambiguous, and said so."""
    done, out = imported(tmp_path, made["pdf"])
    assert done.returncode == 1, done.stderr
    got, want = read_report(out), read_report(SEED)
    assert got.year == 2020 and got.unit == want.unit
    for tid, frame in got.tables.items():
        for row in frame.index:
            for col in frame.columns:
                value = got.value(tid, row, col)
                if value is not None:
                    assert value == want.value(tid, row, col), (tid, row, col)
    same_cells_of = lambda report: report.tables["proactive"]          # noqa: E731
    assert same_cells_of(got).equals(same_cells_of(want))              # § 二: every cell
    # § 二 read in full; § 三 lost its 总计 column to the page edge and § 四 a column too:
    # every cell of both is missing (said so), none guessed
    assert "读出22/198个单元格，缺失176个，非数字0个，有歧义0个" in done.stderr
    assert "不能读作7个单元格的数值（requests.new_received.natural_person、requests.new_received.commercial等）" \
        in done.stderr


def test_an_old_doc_without_libreoffice_is_refused_with_what_to_do(tmp_path, made):
    env = {**os.environ, "PATH": str(tmp_path / "nowhere")}             # no soffice to be found
    out = tmp_path / "x.yaml"
    done = subprocess.run([str(BIN / "nianbao"), "import", str(made["doc"]), "-o", str(out)],
                          env=env, capture_output=True, text=True)
    assert done.returncode == 2 and not out.exists()
    assert "这是旧版 Word 文档（.doc），请用 Word 或 WPS“另存为”.docx 后再导入" in done.stderr


def test_a_scanned_pdf_has_no_text_to_read(tmp_path, made):
    subprocess.run(["pdftoppm", "-f", "1", "-l", "1", "-r", "40", "-png", str(made["pdf"]), str(tmp_path / "scan")],
                   check=True)
    from PIL import Image
    scan = tmp_path / "scan.pdf"
    Image.open(next(tmp_path.glob("scan*.png"))).convert("RGB").save(scan)
    done, out = imported(tmp_path, scan)
    assert done.returncode == 2 and not out.exists()
    assert "这个 PDF 没有文字层（可能是扫描件或图片），nianbao 不做文字识别" in done.stderr


def test_a_damaged_word_file_is_unusable_not_a_traceback(tmp_path):
    bad = tmp_path / "报告.docx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    done, out = imported(tmp_path, bad)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "无法作为 Word 文档（.docx）打开" in done.stderr


# ---------------------------------------------------------------- Word tables, printed to PDF

BLANKS = [("proactive", "penalties", "change"), ("requests", "granted", "commercial"), ("appeals", "review", "upheld")]


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    root = tmp_path_factory.mktemp("office")
    seed = read_report(SEED)
    wrapped = dict(label_cm=2.2, overview_times=2, title_pt=26, header="姚集镇政务公开", repeat_header=True,
                   title="姚集镇人民政府2020年度政府信息公开工作年度报告")
    blank = read_report(SEED)
    for tid, row, col in BLANKS:
        blank.tables[tid].at[row, col] = float("nan")
    files = {}
    for rules in ("", "unruled-"):      # tables drawn with rules (the form), and without any
        ruled = not rules
        files[f"{rules}plain"] = report_docx(seed, root / f"{rules}plain.docx", ruled=ruled)
        files[f"{rules}wrapped"] = report_docx(seed, root / f"{rules}wrapped.docx", ruled=ruled, **wrapped)
        files[f"{rules}blank"] = report_docx(blank, root / f"{rules}blank.docx", ruled=ruled)
    for name in list(files):
        files[f"{name}.pdf"] = soffice(files[name], "pdf", root)
    return files


def pdf_pages(path: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return text.split("\f")


@pytest.mark.parametrize("name", ["plain", "plain.pdf", "wrapped", "wrapped.pdf",
                                  "unruled-plain.pdf", "unruled-wrapped.pdf"])
def test_word_tables_and_their_pdf_give_all_198_cells(tmp_path, office, name):
    """Ruled PDF tables are read by their rules; unruled ones rebuilt from the words' places."""
    got, want = all_198_cells(tmp_path, office[name])
    assert (got.unit, got.published) == (want.unit, want.published)
    for key in ("problems", "improvements", "other"):          # paragraphs rejoined from PDF lines
        assert got.narrative[key] == want.narrative[key], key
    overview = want.narrative["overview"]                      # (written twice in the wrapped fixture)
    assert got.narrative["overview"] in (overview, overview + "\n" + overview)   # no header, no page number


@pytest.mark.parametrize("name", ["wrapped.pdf", "unruled-wrapped.pdf"])
def test_the_wrapped_fixture_really_wraps_and_splits(office, name):
    """What the test above survives: labels over several lines, § 三 over two pages, a row cut."""
    pages = pdf_pages(office[name])
    on = lambda text: [i for i, page in enumerate(pages) if text in page.replace(" ", "")]   # noqa: E731
    assert on("一、本年新收政府信息公开申请数量") == [] and on("一、本年新收")         # wrapped
    assert on("（七）总计")[0] > on("（一）予以公开")[0]                                # § 三 over a break
    assert len(on("法人或其他组织")) > 1                                              # its header repeated
    lines = [line.strip().replace(" ", "") for line in pages[0].splitlines() if line.strip()]
    assert lines[0] == "姚集镇政务公开"                                                    # a running header
    assert lines[1].startswith("姚集镇人民政府2020年度") and "年度报告" in lines[2]          # the title wraps
    assert [page.split("\n")[-2].replace(" ", "") for page in pages[:3]] == ["-1-", "-2-", "-3-"]   # page numbers


def test_blank_cells_are_missing_never_zero(tmp_path, office):
    for name in ("blank", "blank.pdf", "unruled-blank.pdf"):
        done, out = imported(tmp_path, office[name])
        assert done.returncode == 1, done.stderr
        assert "读出195/198个单元格，缺失3个，非数字0个，有歧义0个" in done.stderr
        notes = yaml.safe_load(out.read_text(encoding="utf-8"))["import_notes"]
        assert sorted(notes["missing"]) == sorted(".".join(c) for c in BLANKS)
        got, want = read_report(out), read_report(SEED)
        for tid, row, col in BLANKS:
            want.tables[tid].at[row, col] = float("nan")
        same_cells(got, want)


def test_a_damaged_pdf_is_unusable_not_a_traceback(tmp_path):
    bad = tmp_path / "报告.pdf"
    bad.write_bytes(b"%PDF-1.4\nnot really a PDF")
    done, out = imported(tmp_path, bad)
    assert done.returncode == 2 and not out.exists() and "Traceback" not in done.stderr
    assert "无法作为 PDF 文件打开（文件可能已损坏" in done.stderr


def test_an_edition_2021_report_in_word_and_pdf_gives_all_200_cells(tmp_path):
    v2021 = read_report(ROOT / "tests" / "data" / "valid" / "商水县" / "2021" / "姚集镇.yaml")
    docx = report_docx(v2021, tmp_path / "2021.docx")
    bare = report_docx(v2021, tmp_path / "2021-unruled.docx", ruled=False, label_cm=2.2)
    for source in (docx, soffice(docx, "pdf", tmp_path), soffice(bare, "pdf", tmp_path)):
        done, out = imported(tmp_path, source)
        assert done.returncode == 0, done.stderr
        assert "2021年度，2021版格式，读出200/200个单元格" in done.stderr
        same_cells(read_report(out), v2021)


def test_tables_inside_content_controls_are_read(tmp_path):
    """WPS and Word templates wrap parts of a document in content controls (w:sdt)."""
    from docx import Document
    from docx.oxml import OxmlElement
    path = report_docx(read_report(SEED), tmp_path / "sdt.docx")
    document = Document(str(path))
    body = document.element.body
    for table in list(body.iterchildren("{*}tbl")):
        sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
        table.addprevious(sdt)
        content.append(table)
        sdt.append(content)
    assert len(list(body.iterchildren("{*}sdt"))) == 3 and not list(body.iterchildren("{*}tbl"))
    document.save(str(path))
    done, out = imported(tmp_path, path)
    assert done.returncode == 0, done.stderr
    same_cells(read_report(out), read_report(SEED))


def test_what_a_file_is_comes_from_its_bytes_not_its_name(tmp_path, made):
    """Portals serve Word's HTML export as “.doc”; a .docx renamed .doc is still a .docx."""
    html_as_doc = tmp_path / "报告.doc"
    html_as_doc.write_bytes(made["html"].read_bytes())
    docx_as_doc = tmp_path / "报告2.doc"
    docx_as_doc.write_bytes(made["docx"].read_bytes())
    for source in (html_as_doc, docx_as_doc):
        done, out = imported(tmp_path, source)
        assert done.returncode == 0, done.stderr
        same_cells(read_report(out), read_report(SEED))


def test_a_document_over_its_size_limit_is_refused(tmp_path):
    big = tmp_path / "报告.pdf"
    with open(big, "wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(31 * 1024 * 1024)
    done, out = imported(tmp_path, big)
    assert done.returncode == 2 and not out.exists()
    assert "文件过大（31 MB），公开发布的报告（Word、PDF）不应超过 30 MB" in done.stderr


def test_not_applicable_marks_in_word_and_pdf_tables_are_read_as_such(tmp_path):
    marked = read_report(SEED)
    marks = dict(zip(BLANKS, ("—", "不适用", "/")))
    for tid, row, col in BLANKS:
        marked.tables[tid].at[row, col] = float("nan")
    marked.not_applicable = marks
    docx = report_docx(marked, tmp_path / "marked.docx")
    unruled = report_docx(marked, tmp_path / "unruled-marked.docx", ruled=False)
    for source in (docx, soffice(docx, "pdf", tmp_path), soffice(unruled, "pdf", tmp_path)):
        done, out = imported(tmp_path, source)
        assert done.returncode == 0, done.stderr
        assert "读出198/198个单元格（其中不适用3个），缺失0个，非数字0个，有歧义0个" in done.stderr, source.name
        got = read_report(out)
        assert got.not_applicable == marks and got.reader_findings == [], source.name
        wrong = [(t, r, c) for t, table in got.edition.tables.items() for r, c in table.cells
                 if (t, r, c) not in marks and got.value(t, r, c) != marked.value(t, r, c)]
        assert wrong == [], source.name
