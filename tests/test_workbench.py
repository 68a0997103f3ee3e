"""The notebook as the staff's workbench: run by hand with papermill from anywhere, exported by
`nianbao export` to the bytes `nianbao run` writes, edited (a sentence, a chart) and run by the
batch through a params file's `notebook:`, and nothing it warns about published silently."""
import csv
import re
import subprocess

import nbformat
import pytest
from bs4 import BeautifulSoup

from conftest import BIN, ROOT, SEED, nianbao
from nianbao.site.nav import empty_slot

NOTEBOOK = ROOT / "notebooks" / "township_report.ipynb"


def papermill(*args, cwd):
    return subprocess.run([str(BIN / "papermill"), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, timeout=600)


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_papermill_by_hand_from_any_folder_and_export_writes_the_bytes_of_run(tmp_path):
    done = papermill(NOTEBOOK, "out.ipynb", "-p", "data_path", "data/商水县/2020/姚集镇.yaml", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    nb = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    [injected] = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "data_path = 'data/商水县/2020/姚集镇.yaml'" in injected.source       # plain Chinese
    assert "\\u" not in injected.source
    # the same bytes as `nianbao run` for the same data and the same context (but the site's
    # navigation, which `nianbao run` fills in: site/nav.py): a data file alone
    # in its folder (by hand, the context — other units, reviews — is read from the folder)
    alone = tmp_path / "data" / "商水县" / "2020" / "姚集镇.yaml"
    alone.parent.mkdir(parents=True)
    alone.write_bytes(SEED.read_bytes())
    done = papermill(NOTEBOOK, "alone.ipynb", "-p", "data_path", alone, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    exported = nianbao("export", tmp_path / "alone.ipynb", "--out", tmp_path / "pages", cwd=tmp_path)
    assert exported.returncode == 0, exported.stderr
    ran = nianbao("run", alone, "--out", tmp_path / "run")
    assert ran.returncode == 0, ran.stderr
    for suffix in (".html", ".public.html"):
        ran_page = (tmp_path / "run" / "商水县" / "2020" / f"姚集镇{suffix}").read_bytes()
        assert b'<nav class="site"' in ran_page
        assert (tmp_path / "pages" / f"姚集镇{suffix}").read_bytes() == empty_slot(ran_page)
    # the lab's style block is in the notebook, never in a page
    assert any("lab-look" in o.get("data", {}).get("text/html", "") for c in nb.cells for o in c.get("outputs", []))
    assert "jp-RenderedHTMLCommon" not in (tmp_path / "pages" / "姚集镇.html").read_text(encoding="utf-8")


def test_notebook_default_parameters_run_from_another_folder(tmp_path):
    done = papermill(NOTEBOOK, tmp_path / "out.ipynb", cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_export_refuses_what_is_not_an_executed_report_notebook(tmp_path):
    done = nianbao("export", NOTEBOOK, "--out", tmp_path)          # never run: no report in it
    assert done.returncode == 2
    assert "不是已运行的年度报告笔记本" in done.stderr and "Traceback" not in done.stderr
    (tmp_path / "x.ipynb").write_text("{not json", encoding="utf-8")
    done = nianbao("export", tmp_path / "x.ipynb")
    assert done.returncode == 2 and "x.ipynb：不是可读取的 Jupyter 笔记本" in done.stderr


# A staff's chart drawn with a font that has no Chinese glyphs, planted in § 四.
PLANTED = '''import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.set_title("行政复议", fontfamily="DejaVu Sans")
fig.canvas.draw()
plt.close(fig)'''


PYPLOT_CHINESE = '''import matplotlib.pyplot as plt
fig, ax = plt.subplots()
ax.bar(["自然人", "法人"], [2, 0])
ax.set_title("申请人情况")
fig.canvas.draw()
plt.close(fig)'''


def edited_notebook(path):
    """The township notebook as a county might change it: a sentence, a chart, a planted cell."""
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sources = [c.source for c in nb.cells]
    [prose] = [i for i, s in enumerate(sources) if "prose.Facts" in s]
    nb.cells[prose].source = nb.cells[prose].source.replace("依申请公开方面，全年新收", "本年度依申请公开工作中，共新收")
    [chart] = [i for i, s in enumerate(sources) if "charts.applicants" in s]
    nb.cells[chart].source = (nb.cells[chart].source.replace('color="#b22222"', 'color="#1f4e79"')
                              .replace("本年新收政府信息公开申请（按申请人类型）", "各类申请人的申请数量"))
    [appeals] = [i for i, s in enumerate(sources) if '"appeals", findings' in s]
    nb.cells.insert(appeals + 1, nbformat.v4.new_code_cell(PLANTED))
    # a pyplot chart before the report's own charts, default font: its Chinese must just work
    nb.cells.insert(2, nbformat.v4.new_code_cell(PYPLOT_CHINESE))
    nbformat.write(nb, path)


@pytest.fixture(scope="module")
def edited_batch(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("county")
    data = tmp / "data" / "商水县" / "2020"
    data.mkdir(parents=True)
    (data / "姚集镇.yaml").write_bytes(SEED.read_bytes())
    edited_notebook(tmp / "my_report.ipynb")
    params = tmp / "params" / "2020.yaml"
    params.parent.mkdir()
    params.write_text("data: ../data/商水县/2020\nnotebook: ../my_report.ipynb\n", encoding="utf-8")
    done = nianbao("run", params, "--out", tmp / "out")
    return done, tmp / "out" / "商水县" / "2020"


def test_a_changed_sentence_and_chart_in_the_notebook_change_the_batch_pages(edited_batch):
    done, folder = edited_batch
    review = soup(folder / "姚集镇.html")
    text = review.get_text()
    assert "本年度依申请公开工作中，共新收政府信息公开申请2件，均予以公开。" in text
    assert "依申请公开方面" not in text
    assert [c.get_text() for c in review.select("figure.chart figcaption")][0] == "图1　各类申请人的申请数量"


def test_a_missing_glyph_in_any_cell_is_an_error_finding_of_the_unit(edited_batch):
    done, folder = edited_batch
    assert done.returncode == 1, done.stderr            # an error finding: exit 1, pages written
    review, public = soup(folder / "姚集镇.html"), soup(folder / "姚集镇.public.html")
    [item] = [li for li in review.select("section.findings li") if li.select_one(".rule").get_text() == "notebook.warnings"]
    assert item["class"] == ["error"]
    message = item.get_text()
    assert "「四、政府信息公开行政复议、行政诉讼情况」部分" in message
    assert "图中有汉字缺少字形，会显示为方框" in message and "missing from font(s) DejaVu Sans" in message
    # only the planted one: the pyplot chart in Chinese drawn before the charts warned of nothing
    assert review.find("h2", class_="findings-title").get_text() == "检查结果：错误1项，提醒0项"
    assert public.find("section", class_="findings") is None and "Glyph" not in public.get_text()
    with open(folder / "findings.csv", encoding="utf-8-sig") as handle:
        rows = [r for r in csv.DictReader(handle) if r["rule"] == "notebook.warnings"]
    assert len(rows) == 1 and rows[0]["severity"] == "error" and "「四、" in rows[0]["message"]
    index = soup(folder / "index.html").get_text()
    assert "姚集镇" in index and re.search(r"有错误|错误", index)


def test_the_prose_counts_a_not_applicable_cell_as_nothing_and_never_calls_it_missing(write_data):
    from test_rules import not_applicable_seed
    from nianbao.io import read_report
    from nianbao.render import prose
    facts = prose.Facts(read_report(write_data(not_applicable_seed())))
    assert f"{facts.total('requests', 'other', 'natural_person'):件}" == "（不适用）"      # not （未填写）
    assert f"{facts.total('requests', 'other', ('natural_person', 'commercial')):件}" == "0件"
    assert not facts.items["行政事业性收费"] and not facts.items["行政事业性收费"].known
    assert prose.listing(facts.items, "项") == "行政许可6项、其他对外管理服务事项61项、行政处罚38项、行政强制3项"


def test_the_section_prose_of_the_notebook_compares_with_last_year_and_summarises_zeros():
    """The § 一 cell of the notebook itself, run on hand-made years: the wording lives there."""
    from test_rules import V2022
    from nianbao.render import prose, sections
    report, _, _, last_year = sections.load(str(V2022))
    assert last_year is not None and last_year.year == 2021
    source = next(c.source for c in nbformat.read(NOTEBOOK, as_version=4).cells if "prose.Facts" in c.source)

    def generated(report, last_year):
        scope = {"prose": prose, "report": report, "last_year": last_year}
        exec(source.replace("prose.paragraphs(", "out = prose.paragraphs("), scope)
        return [p.get_text() for p in BeautifulSoup(scope["out"].data, "html.parser").find_all("p")]

    # the clerk already wrote the applications and that there were no appeals: not repeated
    assert generated(report, last_year) == [
        "主动公开方面，全年制发规章和规范性文件1件，较上年减少1件，现行有效11件，"
        "公开行政许可决定4件、行政处罚决定2件、行政强制决定1件。"]
    report.narrative["overview"] = "本年度政府信息公开工作有序开展。"
    assert generated(report, last_year)[1:] == [
        "依申请公开方面，全年新收政府信息公开申请2件，较上年减少2件，上年结转1件，"
        "办理结果为予以公开2件、不予处理1件。",
        "监督保障方面，全年未发生因政府信息公开引起的行政复议和行政诉讼。"]
    report.tables["requests"].loc[:, :] = 0
    assert generated(report, None)[1] == "依申请公开方面，全年未收到政府信息公开申请，也没有上年结转的申请。"
    # every number in the sentences is a cell, a sum of cells or a difference with last year
    report, _, _, last_year = sections.load(str(V2022))
    report.narrative["overview"] = ""
    facts = prose.Facts(report, last_year)
    known = {prose.number(v) for r in (report, last_year) for t in r.tables.values()
             for v in t.stack().dropna()}
    named = [facts.received, facts.carried_over, facts.documents_issued, facts.documents_in_force,
             facts.reviews, facts.suits, *facts.outcomes.values(), *facts.decisions.values()]
    known |= {str(c) for c in named} | {prose.number(abs(c.value - c.last)) for c in named if c.last is not None}
    numbers = re.findall(r"\d+(?:\.\d+)?", "".join(generated(report, last_year)))
    assert numbers and set(numbers) <= known, set(numbers) - known


def test_nianbao_lab_starts_without_activation_and_passes_options_through(tmp_path):
    import os
    env = dict(os.environ, PATH="/usr/bin:/bin", HOME=str(tmp_path))     # the venv not activated
    done = subprocess.run([str(BIN / "nianbao"), "lab", "--version"], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert re.fullmatch(r"\d+\.\d+\.\d+\s*", done.stdout)                 # JupyterLab answered
    assert ("已自动加上 --allow-root" in done.stderr) == (os.geteuid() == 0)
    from nianbao.notebook.lab import lab_command
    cmd = lab_command(["--port", "8899", "--no-browser"])
    assert cmd[:4] == [str(BIN / "jupyter"), "lab", f"--ServerApp.root_dir={ROOT}", "notebooks/township_report.ipynb"]
    assert cmd[-3:] == ["--port", "8899", "--no-browser"]
