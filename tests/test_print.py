"""The report as an office prints and files it: the PDF and the Word file of `nianbao run`,
looked at as a person would — pages rendered to images (kept under output/screenshots/), text
read per page, the Word file opened by LibreOffice — and every cell read back."""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, SEED, nianbao
from printed import cells_from_rows, compact, data_cells, docx_rows, pdf_rows

SHOTS = ROOT / "output" / "screenshots"
SOFFICE = shutil.which("soffice")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler is installed by `make test`")


@pytest.fixture
def unit(seed_outputs):
    return seed_outputs


@pytest.fixture(scope="module")
def seed():
    from nianbao.io import read_report
    return read_report(SEED)


def page_texts(pdf: Path) -> list[str]:
    pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True,
                                                             text=True, check=True).stdout).group(1))
    return [subprocess.run(["pdftotext", "-layout", "-f", str(n), "-l", str(n), pdf, "-"],
                           capture_output=True, text=True, check=True).stdout for n in range(1, pages + 1)]


def render_pages(pdf: Path, name: str) -> list[Path]:
    """Every page as a PNG under output/screenshots/ (replacing an earlier run's)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob(f"{name}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-r", "80", "-png", pdf, SHOTS / name], check=True)
    return sorted(SHOTS.glob(f"{name}-*.png"))


def requests_pages(texts: list[str], first_label: str = "一、本年新收") -> list[int]:
    """Indexes of the pages that show rows of table 三 (by its row labels' first characters)."""
    rows = ("一、本年新收", "二、上年结转", "予以公开", "属于国家秘", "本机关不掌", "信访举报", "重复申请",
            "其他处理", "（七）总计", "四、结转下年度")
    return [i for i, t in enumerate(texts) if any(r in compact(t) for r in rows)]


# ---- the PDF ----

@needs_poppler
def test_pdf_pages_are_numbered_and_rendered(unit):
    pdf = unit / "姚集镇.pdf"
    texts = page_texts(pdf)
    assert len(texts) >= 5
    images = render_pages(pdf, "姚集镇.pdf")
    assert len(images) == len(texts) and all(p.stat().st_size > 5000 for p in images)
    import pdfplumber
    with pdfplumber.open(pdf) as document:
        for number, (page, text) in enumerate(zip(document.pages, texts), start=1):
            # “— N —” at the foot of every page, below the text, on the outer side: right on odd
            # pages, left on even ones
            foot = [line for line in text.splitlines() if line.strip()][-1]
            assert re.fullmatch(rf"\s*—\s*{number}\s*—\s*", foot), (number, foot)
            lowest = max(page.extract_words(), key=lambda w: w["bottom"])
            assert lowest["top"] > page.height - 35 / 25.4 * 72           # in the bottom margin
            centre = (lowest["x0"] + lowest["x1"]) / 2
            assert centre > page.width * 0.75 if number % 2 else centre < page.width * 0.25, (number, lowest)


@needs_poppler
def test_pdf_table_three_repeats_its_header_on_every_page_it_continues_on(unit):
    texts = page_texts(unit / "姚集镇.pdf")
    pages = requests_pages(texts)
    start = next(i for i in pages if "三、收到和处理政府信息公开申请情况" in compact(texts[i]))
    continued = [i for i in pages if i > start]
    assert continued, "the seed's table 三 crosses a page"
    for i in continued:
        body = compact(texts[i])
        assert body.startswith(("申请人情况", "（本列数据的勾稽关系为")), texts[i][:200]
        assert "法人或其他组织" in body and "自然人" in body and "总计" in body
    # a row is never split: each of its labels stands whole on one page
    assert sum("（七）总计" in compact(texts[i]) for i in pages) == 1


@needs_poppler
def test_pdf_gives_back_every_cell_of_the_data(unit, seed):
    rows, texts = pdf_rows(unit / "姚集镇.pdf")
    expected = data_cells(seed)
    assert len(expected) == 198
    found = cells_from_rows(seed.edition, rows)
    assert {k: float(v) for k, v in found.items()} == expected
    assert "姚集镇2020年政府信息公开工作年度报告" in compact(texts[0])     # text selectable, in order


@needs_poppler
def test_pdf_embeds_its_fonts_and_sharp_charts(unit):
    fonts = subprocess.run(["pdffonts", unit / "姚集镇.pdf"], capture_output=True, text=True, check=True)
    lines = fonts.stdout.splitlines()[2:]
    assert lines and all(re.search(r"\byes\s+yes\s+yes\b", line) for line in lines), fonts.stdout
    # (each face under its PostScript name: NotoSerifCJKsc-Regular)
    assert any("SerifCJK" in line for line in lines) and any("SansCJK" in line for line in lines)
    images = subprocess.run(["pdfimages", "-list", unit / "姚集镇.pdf"], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    images = [line for line in images if line.split()[2] == "image"]     # not their alpha masks
    assert len(images) == 3
    for line in images:                           # x-ppi and y-ppi on the page
        x_ppi, y_ppi = map(int, line.split()[12:14])
        assert x_ppi >= 200 and y_ppi >= 200, line


def pdf_pixels(pdf: Path, folder: Path) -> list:
    """Every image of the PDF, decoded by poppler, as RGB pixels (alpha masks apart)."""
    from PIL import Image
    subprocess.run(["pdfimages", "-png", pdf, folder / "image"], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(folder.glob("image-*.png"))]


def page_pngs(html: str) -> list[bytes]:
    import base64
    return [base64.b64decode(data) for data in re.findall(r'src="data:image/png;base64,([^"]+)"', html)]


@needs_poppler
def test_pdf_shows_the_pages_charts_pixel_for_pixel(unit, tmp_path):
    # the charts' PNGs go into the PDF losslessly: decoded again, every pixel is the page's
    import io

    from PIL import Image, ImageChops
    charts = [Image.open(io.BytesIO(png)).convert("RGB")
              for png in page_pngs((unit / "姚集镇.public.html").read_text(encoding="utf-8"))]
    shown = pdf_pixels(unit / "姚集镇.pdf", tmp_path)
    assert len(charts) == len(shown) == 3
    for chart, image in zip(charts, shown):
        assert chart.size == image.size and ImageChops.difference(chart, image).getbbox() is None


@needs_poppler
def test_pdf_images_of_every_png_kind_show_their_pixels(tmp_path):
    # RGB, alpha, palette and grey PNGs: Typst decodes each and embeds its pixels losslessly
    import base64
    import io

    from PIL import Image, ImageChops

    from nianbao.documents.pdf import pdf_bytes
    base = Image.new("RGB", (40, 30), "white")
    for x in range(40):
        base.putpixel((x, x % 30), (200, 30, 30))
    kinds = {"rgb": base, "rgba": base.convert("RGBA"), "palette": base.convert("P"), "grey": base.convert("L")}
    pngs = {}
    for name, image in kinds.items():
        buffer = io.BytesIO()
        image.save(buffer, "PNG")
        pngs[name] = buffer.getvalue()
    imgs = "".join(f'<img alt="{name}" src="data:image/png;base64,{base64.b64encode(png).decode()}">'
                   for name, png in pngs.items())
    pdf = tmp_path / "kinds.pdf"
    pdf.write_bytes(pdf_bytes(f"<html><body>{imgs}</body></html>"))
    shown = pdf_pixels(pdf, tmp_path)
    assert len(shown) >= len(pngs)                            # (+ the alpha mask of the RGBA one)
    for name, png in pngs.items():
        want = Image.open(io.BytesIO(png)).convert("RGB")
        assert any(ImageChops.difference(image, want).getbbox() is None for image in shown), name


@needs_poppler
@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is installed by `make test`")
@pytest.mark.parametrize("name", ["姚集镇.html", "姚集镇.public.html"])
def test_browser_prints_both_pages_numbered_with_table_headers_repeated(unit, name, tmp_path):
    """What a reader gets with the browser's Print (Chromium, no header or footer of its own)."""
    pdf = tmp_path / "printed.pdf"
    subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                    f"--user-data-dir={tmp_path}/profile", f"--print-to-pdf={pdf}", (unit / name).as_uri()],
                   capture_output=True, timeout=180, check=True)
    texts = page_texts(pdf)
    render_pages(pdf, f"{name}.printed")
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"—\s*{number}\s*—\s*$", text.rstrip()), (number, text[-200:])
    pages = requests_pages(texts)
    start = next(i for i in pages if "三、收到和处理政府信息公开申请情况" in compact(texts[i]))
    continued = [i for i in pages if i > start]
    assert continued and all(compact(texts[i]).startswith(("申请人情况", "（本列数据")) for i in continued)


# ---- the Word file ----

def test_docx_has_the_forms_tables_with_merged_headers_repeated_on_each_page(unit, seed):
    import docx
    from docx.oxml.ns import qn
    document = docx.Document(unit / "姚集镇.docx")
    assert [compact(p.text) for p in document.paragraphs if p.text.strip()][0] == "姚集镇2020年政府信息公开工作年度报告"
    assert len(document.tables) == 3
    requests = document.tables[1]
    rows = docx_rows(requests)
    assert [compact(t) for t in rows[0]] == ["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"]
    assert [compact(t) for t in rows[1][1:]] == ["自然人", "法人或其他组织", "总计"]
    header = [bool(r._tr.trPr is not None and r._tr.trPr.find(qn("w:tblHeader")) is not None)
              for r in requests.rows]
    assert header == [True] * 3 + [False] * (len(requests.rows) - 3)
    assert len(requests.columns) == 10 and len(requests.rows) == 3 + len(seed.edition.tables["requests"].rows)
    # the labels of the data rows of 三, exactly as the form has them
    labels = {compact(r.label) for r in seed.edition.tables["requests"].rows}
    assert labels <= {compact(t) for row in rows for t in row}


def test_docx_page_setup_fonts_and_page_numbers(unit):
    import docx
    from docx.shared import Cm
    document = docx.Document(unit / "姚集镇.docx")
    section = document.sections[0]
    sizes = (section.page_width, section.page_height, section.top_margin, section.bottom_margin,
             section.left_margin, section.right_margin)
    for size, wanted in zip(sizes, (Cm(21), Cm(29.7), Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6))):
        assert abs(size - wanted) < Cm(0.01)                # Word keeps twentieths of a point
    assert document.settings.odd_and_even_pages_header_footer
    for footer in (section.footer, section.even_page_footer):
        xml = footer._element.xml
        assert 'w:instr="PAGE"' in xml and footer.paragraphs[0].text.startswith("— ")
    fonts = {}
    for para in document.paragraphs:
        for run in (r for r in para.runs if r.text.strip()):
            fonts.setdefault(compact(run.text)[:7], run._element.rPr.rFonts.get(
                "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"))
    assert fonts["姚集镇2020"] == "方正小标宋简体"
    assert fonts["一、总体情况"] == "黑体"
    assert fonts["（一）存在的主"] == "楷体_GB2312"
    assert fonts["本报告根据《中"] == "仿宋_GB2312"


def test_docx_gives_back_every_cell_of_the_data(unit, seed):
    import docx
    document = docx.Document(unit / "姚集镇.docx")
    rows = [row for table in document.tables for row in docx_rows(table)]
    found = cells_from_rows(seed.edition, rows)
    assert {k: float(v) for k, v in found.items()} == data_cells(seed)
    # the charts, as images
    assert len(document.inline_shapes) == 3


def test_docx_is_accessible_its_title_language_and_each_charts_text(unit):
    import docx
    from bs4 import BeautifulSoup
    from docx.oxml.ns import qn
    document = docx.Document(unit / "姚集镇.docx")
    assert document.core_properties.title == "姚集镇2020年政府信息公开工作年度报告"
    assert document.core_properties.language == "zh-CN"
    language = document.styles["Normal"].element.rPr.find(qn("w:lang"))
    assert (language.get(qn("w:val")), language.get(qn("w:eastAsia"))) == ("zh-CN", "zh-CN")
    page = BeautifulSoup((unit / "姚集镇.public.html").read_text(encoding="utf-8"), "html.parser")
    alts = [img["alt"] for img in page.select("figure.chart img")]
    described = [shape._inline.docPr.get("descr") for shape in document.inline_shapes]
    assert described == alts and "自然人2件" in described[0]


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice Writer is installed by `make test`")
@needs_poppler
def test_docx_opens_in_libreoffice_with_every_table_cell(unit, seed, tmp_path):
    import docx
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                           "--convert-to", "pdf", "--outdir", tmp_path, unit / "姚集镇.docx"],
                          capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "姚集镇.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    texts = page_texts(pdf)
    render_pages(pdf, "姚集镇.docx")
    # every table cell of the Word file is a cell of the tables LibreOffice drew
    rows, _ = pdf_rows(pdf)
    drawn = {compact(text) for row in rows for text in row if text}
    cells = {compact(c.text) for table in docx.Document(unit / "姚集镇.docx").tables
             for row in table.rows for c in row.cells}
    assert len(cells) > 60 and cells <= drawn, cells - drawn
    assert {k: float(v) for k, v in cells_from_rows(seed.edition, rows).items()} == data_cells(seed)
    for number, text in enumerate(texts, start=1):
        assert re.search(rf"—\s*{number}\s*—\s*$", text.rstrip()), number


# ---- a unit whose PDF cannot be made keeps its pages and says so ----

def run_seed_with_a_cell(tmp_path: Path, source: str):
    """`nianbao run` on the seed with a notebook a staff member added one code cell to."""
    notebook = json.loads((ROOT / "notebooks" / "township_report.ipynb").read_text(encoding="utf-8"))
    notebook["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                              "id": "added", "source": source})
    (tmp_path / "edited.ipynb").write_text(json.dumps(notebook, ensure_ascii=False), encoding="utf-8")
    params = tmp_path / "商水县" / "2020.yaml"
    params.parent.mkdir()
    params.write_text(f"data: {SEED.parent}\nunits: [姚集镇]\nnotebook: ../edited.ipynb\n", encoding="utf-8")
    return nianbao("run", params, "--out", tmp_path / "out")


def test_a_pdf_that_fails_leaves_the_pages_and_is_reported(tmp_path):
    """A notebook edited to show an image from the web: the PDF refuses to fetch it (no network
    from a report), the pages and the Word file are still written, the user is told."""
    done = run_seed_with_a_cell(tmp_path, "from IPython.display import HTML\n"
                                "HTML('<img src=\"https://example.invalid/seal.png\" alt=\"印章\">')")
    assert done.returncode == 1, done.stderr
    assert "PDF未能生成" in done.stderr and "example.invalid" in done.stderr
    folder = tmp_path / "out" / "商水县" / "2020"
    assert (folder / "姚集镇.public.html").is_file() and (folder / "姚集镇.docx").is_file()
    assert not (folder / "姚集镇.pdf").exists()
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))["units"][0]
    assert "pdf" not in record["outputs"] and "PDF未能生成" in record["message"]
    assert "PDF未能生成" in (folder / "index.html").read_text(encoding="utf-8")


# ---- the Excel form prints on A4 ----

@pytest.fixture(scope="module")
def printed_form(tmp_path_factory):
    """The seed's workbook (its overview of four long paragraphs needs a tall row)."""
    import yaml
    folder = tmp_path_factory.mktemp("form")
    data = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    done = nianbao("template", "--from", SEED, "-o", folder / "姚集镇.xlsx")
    assert done.returncode == 0, done.stderr
    return folder / "姚集镇.xlsx", data


def test_form_print_setup(printed_form):
    from openpyxl import load_workbook
    book = load_workbook(printed_form[0])
    assert book.sheetnames == ["基本信息", "二", "三", "四"]
    for ws in book.worksheets:
        assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
        assert ws.print_area
    orientation = {ws.title: ws.page_setup.orientation for ws in book.worksheets}
    assert orientation == {"基本信息": "portrait", "二": "portrait", "三": "landscape", "四": "landscape"}
    requests = book["三"]
    assert requests.print_title_rows == "$2:$4"
    titles = {str(c.value) for row in requests.iter_rows(min_row=2, max_row=4) for c in row if c.value}
    assert {"申请人情况", "自然人", "法人或其他组织", "商业企业", "总计"} <= titles
    # the check column beside the table is inside the print area
    area = requests.print_area.replace("$", "").split("!")[-1]
    last_col = re.match(r"A1:([A-Z]+)\d+", area).group(1)
    assert any(str(c.value or "").startswith("核对") for c in requests[last_col])


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice is installed by `make test`")
@needs_poppler
def test_form_prints_each_table_on_one_a4_page_with_whole_labels(printed_form, tmp_path, seed):
    from nianbao.io.form import layout
    book, data = printed_form
    done = subprocess.run([SOFFICE, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless",
                           "--convert-to", "pdf", "--outdir", tmp_path, book],
                          capture_output=True, text=True, timeout=240)
    pdf = tmp_path / "姚集镇.pdf"
    assert done.returncode == 0 and pdf.is_file(), done.stderr
    texts = [compact(t) for t in page_texts(pdf)]
    render_pages(pdf, "姚集镇.xlsx")
    # 基本信息 (the long overview printed whole, not cut off by its row), 二, 三, 四: one page each
    assert len(texts) == 4, len(texts)
    meta = texts[0].replace("直接粘贴正文，可分段（Alt+回车）", "")       # the hint beside it
    assert compact(data["narrative"]["overview"]) in meta
    lay = layout(seed.edition)
    import pdfplumber
    with pdfplumber.open(pdf) as document:
        for page, table_id in zip(document.pages[1:], ("proactive", "requests", "appeals")):
            sheet = lay.tables[table_id]
            # the cells as drawn (a label wrapped in a narrow merged cell is one cell's text)
            drawn = {compact(t) for table in page.extract_tables() for row in table for t in row if t}
            text = compact(page.extract_text())
            labels = {compact(label) for _, _, label, _, _ in sheet.labels}
            missing = {label for label in labels if label not in drawn and label not in text}
            assert not missing, missing
            assert text.count("相符") == len(sheet.checks)    # every check cell on the same page


def test_pages_only_leaves_the_documents_out_and_a_plain_run_adds_them(tmp_path):
    out = tmp_path / "out"
    quick = nianbao("run", SEED, "--out", out, "--pages-only")
    assert quick.returncode == 0, quick.stderr
    folder = out / "商水县" / "2020"
    assert sorted(p.name for p in folder.glob("姚集镇.*")) == ["姚集镇.data.csv", "姚集镇.data.json", "姚集镇.html",
                                                               "姚集镇.ipynb", "姚集镇.public.html"]
    again = nianbao("run", SEED, "--out", out, "--pages-only")
    assert "未变化跳过1份" in again.stderr                  # pages only: nothing missing
    full = nianbao("run", SEED, "--out", out)              # the documents are wanted now: built
    assert full.returncode == 0 and "新生成1份" in full.stderr, full.stderr
    assert (folder / "姚集镇.pdf").read_bytes().startswith(b"%PDF")
    assert (folder / "姚集镇.docx").read_bytes().startswith(b"PK")
    record = json.loads((folder / "run.json").read_text(encoding="utf-8"))["units"][0]
    assert record["outputs"]["pdf"] == "姚集镇.pdf" and record["outputs"]["docx"] == "姚集镇.docx"


# ---- how the PDF sets its text and breaks its tables (render/templates/report.typ) ----

# a group of rows of 三 (its label in a cell spanning them) → some of its rows' labels
GROUPS = {"三、本年度办理结果": ("（一）予以公开", "（七）总计"),
          "（三）不予公开": ("1.属于国家秘密", "8.属于行政查询事项"),
          "（四）无法提供": ("1.本机关不掌握相关政府信息", "3.补正后申请内容仍不明确"),
          "（五）不予处理": ("1.信访举报投诉类申请", "5.要求行政机关确认或重新出具已获取信息")}


@needs_poppler
def test_pdf_a_group_of_rows_cut_by_a_page_break_shows_its_whole_label_on_each_page(unit):
    import pdfplumber
    seen = 0
    with pdfplumber.open(unit / "姚集镇.pdf") as document:
        for page in document.pages:
            cells = {compact(text) for table in page.extract_tables() for row in table for text in row if text}
            for label, members in GROUPS.items():
                if any(member in cells for member in members):
                    seen += 1
                    assert label in cells, (page.page_number, label)
    assert seen > len(GROUPS)          # the seed's 三 crosses a page inside 三、本年度办理结果


@needs_poppler
def test_pdf_lines_never_start_with_a_closing_mark(unit):
    starts = [line.strip()[0] for text in page_texts(unit / "姚集镇.pdf") for line in text.splitlines()
              if line.strip()]
    assert len(starts) > 100 and not set(starts) & set("，。、；：？！）》”’"), set(starts)


def test_pdf_says_which_character_no_font_has(tmp_path):
    from nianbao.documents.pdf import pdf_bytes
    with pytest.raises(ValueError, match="字体中没有字符“🦄”（U\\+1F984）"):
        pdf_bytes("<html><body><main><p>独角兽🦄</p></main></body></html>")


def test_pdf_names_a_character_of_its_own_making_no_font_has():
    # a 自造字 in the private use area: Typst writes it as an escape (\u{e000}), the clerk is told
    # its code, not a backslash
    from nianbao.documents.pdf import pdf_bytes
    with pytest.raises(ValueError, match="字体中没有一个特殊字符（U\\+E000，可能是自造字或看不见的字符）"):
        pdf_bytes("<html><body><main><p>公开\ue000申请</p></main></body></html>")


@needs_poppler
def test_documents_leave_out_control_characters_a_pasted_narrative_may_hold(tmp_path):
    # invisible to a reader, and a Word file's XML may not hold them: both documents are made
    import docx

    from nianbao.documents.pdf import pdf_bytes
    from nianbao.documents.word import docx_bytes
    page = "<html><head><title>镇\x01报告</title></head><body><main><p>本年度\x01共收到\x1f申请&#x7f;两件。</p></main></body></html>"
    (tmp_path / "c.pdf").write_bytes(pdf_bytes(page))
    assert "本年度共收到申请两件。" in compact("".join(page_texts(tmp_path / "c.pdf")))
    (tmp_path / "c.docx").write_bytes(docx_bytes(page))
    document = docx.Document(tmp_path / "c.docx")
    assert [p.text for p in document.paragraphs if p.text] == ["本年度共收到申请两件。"]
    assert document.core_properties.title == "镇报告"


@needs_poppler
def test_pdf_title_is_kept_as_written(tmp_path):
    from nianbao.documents.pdf import pdf_bytes
    title = "姚集镇（试）) \\ ( 报告 <b>"
    pdf = tmp_path / "t.pdf"
    pdf.write_bytes(pdf_bytes("<html><body><main><p>正文</p></main></body></html>", title))
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+(.*)$", info, re.M).group(1) == title


@needs_poppler
def test_pdf_a_heading_never_ends_a_page(tmp_path):
    # twenty one-line paragraphs, then 五 and its first sub-heading: both fit on the first page, but
    # the sub-heading's paragraph does not — both headings go over with it, not only the second
    from nianbao.documents.pdf import pdf_bytes
    filler = "".join(f"<p>第{n}段。</p>" for n in range(20))
    page = (f"<html><body><main>{filler}<h2>五、存在的主要问题及改进情况</h2><h3>（一）存在的主要问题</h3>"
            "<p>问题的说明，一行写不完的一段文字，问题的说明，一行写不完的一段文字，问题的说明。</p></main></body></html>")
    pdf = tmp_path / "headings.pdf"
    pdf.write_bytes(pdf_bytes(page))
    texts = [compact(t) for t in page_texts(pdf)]
    assert len(texts) == 2
    assert texts[0].endswith("第19段。—1—") and texts[1].startswith("五、存在的主要问题及改进情况（一）存在的主要问题")


@needs_poppler
def test_a_chart_the_staff_add_reaches_the_pdf_and_the_word_file(tmp_path):
    """A pyplot chart drawn in a cell of the staff's own (an image outside the report's figures)."""
    import docx
    done = run_seed_with_a_cell(tmp_path, "import matplotlib.pyplot as plt\n"
                                "plt.bar(['予以公开', '不予公开'], [2, 0])\nplt.title('本年办理结果')\nplt.show()")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "out" / "商水县" / "2020"
    listed = subprocess.run(["pdfimages", "-list", folder / "姚集镇.pdf"], capture_output=True, text=True,
                            check=True).stdout.splitlines()[2:]
    assert len([line for line in listed if line.split()[2] == "image"]) == 4
    assert len(docx.Document(folder / "姚集镇.docx").inline_shapes) == 4


@needs_poppler
def test_pdf_a_title_over_two_lines_is_set_evenly(tmp_path):
    # GB/T 9704: a title that runs over lines is set symmetrically — not 19 characters and a lone 告
    from nianbao.documents.pdf import pdf_bytes
    pdf = tmp_path / "title.pdf"
    pdf.write_bytes(pdf_bytes('<html><body><main><h1 class="title">示例0001镇2021年政府信息公开工作年度报告</h1>'
                              "<p>正文。</p></main></body></html>"))
    lines = [compact(line) for line in page_texts(pdf)[0].splitlines() if line.strip()][:2]
    assert "".join(lines) == "示例0001镇2021年政府信息公开工作年度报告"
    ems = [sum(1 if ord(c) > 0x2E80 else 0.5 for c in line) for line in lines]     # digits: half an em
    assert abs(ems[0] - ems[1]) <= 1, lines


def test_the_pdf_layout_keeps_the_stylesheets_measures():
    # report.typ sets the PDF by print.css's and report.css's numbers: an edit to one is an edit
    # to both (margins, body size and leading, title size, heading margins)
    templates = ROOT / "lib" / "nianbao" / "render" / "templates"
    typ = (templates / "report.typ").read_text(encoding="utf-8")
    page = re.search(r"@page \{[^}]*margin: ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm",
                     (templates / "print.css").read_text(encoding="utf-8"))
    margins = re.search(r"margin: \(top: ([\d.]+)mm, right: ([\d.]+)mm, bottom: ([\d.]+)mm, left: ([\d.]+)mm\)", typ)
    assert page.groups() == margins.groups()
    css = (templates / "report.css").read_text(encoding="utf-8")
    body = re.search(r"body \{[^}]*font-size: ([\d.]+)pt; line-height: ([\d.]+)", css)
    size = re.search(r"#set text\(lang: \"zh\", region: \"CN\", font: fonts.body, size: ([\d.]+)pt", typ)
    # a line: the 1 em the text's edges enclose, and the leading between lines
    edges = re.search(r"top-edge: ([\d.]+)em, bottom-edge: -([\d.]+)em\)", typ)
    leading = re.search(r"#set par\(justify: true, leading: ([\d.]+)em", typ)
    assert float(size[1]) == float(body[1])
    assert float(edges[1]) + float(edges[2]) + float(leading[1]) == float(body[2])
    title = re.search(r"h1\.title \{[^}]*font-size: ([\d.]+)pt;", css)
    assert re.search(rf"fonts.title, size: {title[1]}pt, weight: \"bold\"", typ)
    h2 = re.search(r"h2 \{[^}]*margin: ([\d.]+)em 0 ([\d.]+)em", css)
    # (each margin plus the half-leadings of the two lines it separates: 12 pt)
    assert re.search(rf"#let section\(b\) = block\(sticky: true, above: {float(h2[1]) * 16}pt \+ 12pt, "
                     rf"below: {float(h2[2]) * 16}pt \+ 12pt", typ)


# ---- archive-grade and accessible: PDF/A-2a and PDF/UA-1 (Typst checks them as it writes) ----

def structure(pdf: Path) -> list[dict]:
    """The PDF's tagged structure, element by element (document order)."""
    import pdfplumber
    found = []

    def walk(elements):
        for element in elements:
            found.append(element)
            walk(element.get("children", []))
    with pdfplumber.open(pdf) as document:
        walk(document.structure_tree)
    return found


@needs_poppler
def test_pdf_is_pdf_a_2a_and_pdf_ua_1_with_its_structure(unit):
    pdf = unit / "姚集镇.pdf"
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Tagged:\s+yes$", info, re.M)
    assert re.search(r"^Title:\s+姚集镇2020年政府信息公开工作年度报告$", info, re.M)
    meta = subprocess.run(["pdfinfo", "-meta", pdf], capture_output=True, text=True, check=True).stdout
    assert re.search(r"<pdfaid:part>2</pdfaid:part>", meta) and re.search(r"<pdfaid:conformance>A<", meta)
    assert re.search(r"<pdfuaid:part>1</pdfuaid:part>", meta)
    assert "<rdf:li>zh-CN</rdf:li>" in meta                           # the document's language
    import pdfplumber
    with pdfplumber.open(pdf) as document:
        assert document.doc.catalog["Lang"] == b"zh-CN"
    elements = structure(pdf)
    kinds = [e["type"] for e in elements]
    assert kinds.count("H1") == 1 and kinds.count("H2") == 6 and kinds.count("H3") == 2
    assert [e["title"] for e in elements if e["type"] == "H2"][2] == "三、收到和处理政府信息公开申请情况"
    assert kinds.count("Table") == 3 and kinds.count("P") > 10
    # 三's and 四's header rows are header cells, for a screen reader to name each number's column
    from bs4 import BeautifulSoup
    page = BeautifulSoup((unit / "姚集镇.public.html").read_text(encoding="utf-8"), "html.parser")
    headers = [e for e in elements if e["type"] == "TH"]
    assert len(headers) == len(page.select("thead th")) == 29
    assert {e["attributes"]["Scope"] for e in headers} == {"Column"}
    # each chart says its numbers: the page's alt text
    alts = [img["alt"] for img in page.select("figure.chart img")]
    assert [e["alt_text"] for e in elements if e["type"] == "Figure"] == alts
    assert "自然人2件" in alts[0]


@needs_poppler
def test_pdf_prints_user_text_exactly_as_written(tmp_path):
    # a unit's name and narrative go into the layout as data: Typst's markup characters and
    # keywords print as they are, never run
    from nianbao.documents.pdf import pdf_bytes
    name = "示例#let镇[一]*二*$三$@四<五>\\六_七"
    story = '#import "x.typ": * #set page(width: 1cm) [链接](http://x) `代码` <标签> #{1 + 1} $x^2$ // 注释 /* 块 */'
    from html import escape
    pdf = tmp_path / "escaped.pdf"
    pdf.write_bytes(pdf_bytes(f'<html><body><main><h1 class="title">{escape(name)}</h1><p>{escape(story)}</p>'
                              "</main></body></html>", name))
    text = compact("".join(page_texts(pdf)))
    assert compact(name) in text and compact(story) in text
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
    assert re.search(r"^Title:\s+(.*)$", info, re.M).group(1) == name
    assert re.search(r"^Page size:\s+595\.276 x 841\.89 pts \(A4\)", info, re.M)      # not 1 cm wide


# ---- the offices' own fonts ----

OFFICE_TEXT = "示例镇年政府信息公开工作度报告正文后的文字一二三四五六七八九十0123456789。"


def office_font(folder: Path, family: str, postscript: str) -> None:
    """A font made for the test: a free face (AR PL UKai) renamed to an office family, its regular
    weight only, cut to the characters the test prints (made in a moment)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    font = TTFont("/usr/share/fonts/truetype/arphic/ukai.ttc", fontNumber=0)
    options = subset.Options()
    options.name_IDs, options.name_languages = ["*"], ["*"]
    cut = subset.Subsetter(options)
    cut.populate(text=OFFICE_TEXT)
    cut.subset(font)
    names = font["name"]
    for number in (1, 2, 3, 4, 6, 16, 17):
        names.removeNames(nameID=number)
    for number, value in ((1, family), (2, "Regular"), (3, postscript), (4, family), (6, postscript)):
        for language in (0x409, 0x804):
            names.setName(value, number, 3, 1, language)
    font["OS/2"].usWeightClass = 400
    font.save(str(folder / f"{postscript}.ttf"))


@needs_poppler
@pytest.mark.skipif(not Path("/usr/share/fonts/truetype/arphic/ukai.ttc").exists(), reason="make setup installs it")
def test_pdf_uses_the_office_fonts_installed_and_never_outlines_text(tmp_path):
    # 方正小标宋简体 has no bold weight: the bold title is set in its regular face, and nothing on
    # the page is drawn outlined (today's writer's synthetic bold stroked all text after it)
    import zlib

    from nianbao.documents.pdf import pdf_bytes
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    office_font(fonts, "方正小标宋简体", "FZXiaoBiaoSong-B05S")
    office_font(fonts, "仿宋_GB2312", "FangSong_GB2312")
    page = ('<html><body><main><h1 class="title">示例镇2021年政府信息公开工作年度报告</h1>'
            "<h2>一、总体情况</h2><p>正文后的文字。</p></main></body></html>")
    pdf = tmp_path / "office.pdf"
    pdf.write_bytes(pdf_bytes(page, "示例", font_paths=(str(fonts),)))
    listed = subprocess.run(["pdffonts", pdf], capture_output=True, text=True, check=True).stdout
    assert re.search(r"\+FZXiaoBiaoSong-B05S\b", listed) and re.search(r"\+FangSong_GB2312\b", listed)
    # (no 黑体 nor 宋体 installed: 一、总体情况 in Noto Sans, the page number in Noto Serif)
    import pdfplumber
    with pdfplumber.open(pdf) as document:
        chars = document.pages[0].chars
    by_text = {}
    for char in chars:
        by_text.setdefault(char["text"], set()).add(char["fontname"].split("+")[-1])
    assert by_text["报"] == {"FZXiaoBiaoSong-B05S"} and by_text["后"] == {"FangSong_GB2312"}
    assert by_text["总"] == {"NotoSansCJKsc-Regular"}
    # every text object's rendering mode: 0 (filled), never 1 or 2 (outlined)
    data = pdf.read_bytes()
    modes = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
        try:
            modes += re.findall(rb"(\d) Tr\b", zlib.decompress(stream))
        except zlib.error:
            continue
    assert modes and set(modes) == {b"0"}
    render_pages(pdf, "office-fonts")


@needs_poppler
def test_pdf_signature_stands_right_and_the_demo_banner_centred(tmp_path):
    # report.css: p.signature flush right, 2 em in from the text block's edge; .demo-banner centred
    import pdfplumber

    from nianbao.documents.pdf import pdf_bytes
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(pdf_bytes('<html><body><main><p class="demo-banner">示例数据（非真实）</p><p>正文。</p>'
                              '<p class="signature">示例镇人民政府</p><p class="signature date">2021年1月28日</p>'
                              "</main></body></html>", "示例"))
    with pdfplumber.open(pdf) as document:
        page = document.pages[0]
        words = {w["text"]: w for w in page.extract_words()}
    edge = page.width - 26 / 25.4 * 72 - 32
    assert abs(words["示例镇人民政府"]["x1"] - edge) < 1 and abs(words["2021年1月28日"]["x1"] - edge) < 1
    banner = words["示例数据（非真实）"]
    middle = (28 / 25.4 * 72 + page.width - 26 / 25.4 * 72) / 2
    # (a line-end “）” is set half wide, as Chinese typesetting does: its glyph box sticks out 4 pt)
    assert abs((banner["x0"] + banner["x1"]) / 2 - middle) < 4.5


@needs_poppler
def test_pdf_is_dated_by_its_signature_and_the_same_page_gives_the_same_bytes(unit, tmp_path):
    from nianbao.documents.pdf import pdf_bytes
    html = (unit / "姚集镇.public.html").read_text(encoding="utf-8")
    assert pdf_bytes(html) == pdf_bytes(html) == (unit / "姚集镇.pdf").read_bytes()
    info = subprocess.run(["pdfinfo", "-isodates", unit / "姚集镇.pdf"], capture_output=True, text=True).stdout
    # the seed is signed 2021年1月28日: midnight in Beijing, which Typst writes in UTC
    assert re.search(r"^CreationDate:\s+2021-01-27T16:00:00Z", info, re.M), info


def test_docx_the_same_page_gives_the_same_bytes(unit):
    import time
    from nianbao.documents.word import docx_bytes
    html = (unit / "姚集镇.public.html").read_text(encoding="utf-8")
    first = docx_bytes(html)
    time.sleep(2.1)                 # a zip entry's time has a 2-second step
    assert docx_bytes(html) == first


MEMORY_AFTER_PDFS = '''
import base64, io, re, sys
from PIL import Image
from nianbao.documents.pdf import pdf_bytes
html = open(sys.argv[1], encoding="utf-8").read()

def resident_mib():
    return int(open("/proc/self/status").read().split("VmRSS:")[1].split()[0]) // 1024

def next_unit(i):      # every chart one pixel different: new pictures for Typst, as a next unit's
    def other(found):
        image = Image.open(io.BytesIO(base64.b64decode(found[1])))
        image.putpixel((i, i), (i, 0, 0))
        buffer = io.BytesIO()
        image.save(buffer, "PNG", compress_level=1)
        return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    return re.sub(r"data:image/png;base64,([A-Za-z0-9+/=]+)", other, html)

pdf_bytes(next_unit(0)), pdf_bytes(next_unit(1))
before = resident_mib()
for i in range(2, 14):
    pdf_bytes(next_unit(i))
print(before, resident_mib())
'''


def test_pdf_a_worker_keeps_nothing_of_its_earlier_units_in_memory(unit):
    # Typst memoizes each document's decoded charts and layouts, and typst-py drops an entry only
    # after ten compilations without it: a worker held ten units' worth (+140 MiB here, 250 MiB in
    # a batch), copied into every notebook it forked. pdf_bytes ages them out after each PDF.
    import sys
    done = subprocess.run([sys.executable, "-c", MEMORY_AFTER_PDFS, unit / "姚集镇.public.html"],
                          capture_output=True, text=True, check=True)
    before, after = map(int, done.stdout.split())
    assert after - before < 50, f"{before} MiB after two PDFs, {after} MiB after twelve more"
