"""`nianbao import` of Word and PDF reports, made the way offices make them: nianbao's own public
page of the seed saved as .docx by LibreOffice, that .docx printed to PDF by LibreOffice, an old
binary .doc, and a scan without text. Files are generated here (LibreOffice: a few seconds)."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import BIN, SEED, nianbao
from nianbao.batch.unit import run_one
from nianbao.io import read_report

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None, reason="needs LibreOffice (make system-deps)")


def soffice(source: Path, target: str, outdir: Path) -> Path:
    profile = outdir / "lo-profile"
    subprocess.run(["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--convert-to", target,
                    "--outdir", str(outdir), str(source)], check=True, capture_output=True, timeout=180)
    return outdir / f"{source.stem}.{target.split(':')[0]}"


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


@pytest.mark.parametrize("kind", ["html", "docx", "doc"])
def test_the_seeds_public_page_and_its_word_files_give_all_198_cells(tmp_path, made, kind):
    done, out = imported(tmp_path, made[kind])
    assert done.returncode == 0, done.stderr
    assert "读出198/198个单元格，缺失0个，非数字0个，有歧义0个" in done.stderr
    got, want = read_report(out), read_report(SEED)
    same_cells(got, want)
    assert (got.unit, got.year, got.edition.id, got.published) == (want.unit, want.year, want.edition.id, want.published)
    assert got.narrative["problems"] == want.narrative["problems"]


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
    notes = yaml.safe_load(out.read_text(encoding="utf-8"))["import_notes"]
    assert notes["missing"] or notes["ambiguous"]


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
