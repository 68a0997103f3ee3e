"""The batch: a county-year in parallel, broken units isolated, county outputs, params files."""
import base64
import csv
import io
import hashlib
import json
import re
import shutil
from urllib.parse import unquote

import nbformat
import pytest
from bs4 import BeautifulSoup
from matplotlib.image import imread

from conftest import ROOT, nianbao, seed_text
from htmlgrid import cell_at, grid
from nianbao.io import read_report

DATA = ROOT / "data" / "商水县"
UNITS = ["新城街道", "黄寨镇", "姚集镇", "崩溃镇", "坏镇"]


def make_tree(tmp_path, names=("新城街道", "黄寨镇", "姚集镇")):
    """tmp/data/商水县/<year>/…: bundled units (with last year's file when there is one)."""
    for name in names:
        for year in ("2019", "2020"):
            source = DATA / year / f"{name}.yaml"
            if source.exists():
                target = tmp_path / "data" / "商水县" / year / source.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(source, target)
    return tmp_path / "data" / "商水县" / "2020"


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def assert_offline(page, search=False):
    """Nothing loaded from outside; the county index's only scripts are the site's search (its
    index file, beside the home, and the small script that reads it: site/search.py)."""
    scripts = page.find_all("script")
    if search:
        assert [s.get("src") for s in scripts] == ["../../search.js", None] and "NIANBAO_SEARCH" in scripts[1].string
        for s in scripts:
            s.decompose()
    assert not page.find_all(["script", "link", "iframe", "pre", "code", "textarea"])
    for tag in page.find_all(True):
        for attr in ("src", "data", "action", "poster"):
            assert tag.get(attr) is None or tag[attr].startswith("data:"), (tag.name, tag.get(attr))
        assert tag.get("href") is None or "://" not in tag["href"]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """A params file over five units: two bundled demo units (one with data errors), the real
    one, one whose kernel dies (a notebook of the params file kills it) and one unusable."""
    tmp = tmp_path_factory.mktemp("batch")
    folder = make_tree(tmp)
    (folder / "崩溃镇.yaml").write_text(seed_text().replace("short_name: 姚集镇", "short_name: 崩溃镇"), encoding="utf-8")
    (folder / "坏镇.yaml").write_text(seed_text().replace("year: 2020\n", ""), encoding="utf-8")
    nb = nbformat.read(ROOT / "notebooks" / "township_report.ipynb", as_version=4)
    nb.cells.insert(1, nbformat.v4.new_code_cell('import os\nif "崩溃镇" in data_path:\n    os._exit(1)'))
    params = tmp / "params" / "商水县" / "2020.yaml"
    params.parent.mkdir(parents=True)
    nbformat.write(nb, params.parent / "crashing.ipynb")
    params.write_text("data: ../../data/商水县/2020\nnotebook: crashing.ipynb\n"
                      f"units: [{', '.join(UNITS)}]\n", encoding="utf-8")
    done = nianbao("run", "--out", tmp / "out", "--workers", "2", cwd=tmp)
    return {"done": done, "tmp": tmp, "out": tmp / "out" / "商水县" / "2020", "data": folder}


def test_a_broken_unit_never_stops_the_others(county):
    done, out = county["done"], county["out"]
    assert done.returncode == 1, done.stderr
    for name in ("新城街道", "黄寨镇", "姚集镇"):
        for suffix in (".html", ".public.html", ".ipynb"):
            assert (out / f"{name}{suffix}").is_file(), name + suffix
    assert not list(out.glob("崩溃镇*")) and not list(out.glob("坏镇*"))
    lines = done.stderr.splitlines()
    assert any(line.startswith("data/商水县/2020/崩溃镇.yaml：报告生成失败（DeadKernelError") for line in lines), done.stderr
    assert [line for line in lines if "坏镇" in line] == ["data/商水县/2020/坏镇.yaml year：缺少此项，必须填写"]
    assert "共5个单位：新生成5份，未变化跳过0份；通过2，有错误1，失败1，无法使用1。" in done.stderr
    assert not list(county["tmp"].rglob("*.tmp"))


def test_index_lists_every_unit_with_status_counts_and_links(county):
    out = county["out"]
    page = soup(out / "index.html")
    assert_offline(page, search=True)
    rows = {tr.find_all("td")[1].contents[0].strip(): tr for tr in page.select("tbody tr")}
    assert list(rows) == ["新城街道", "黄寨镇", "姚集镇", "崩溃镇", "data/商水县/2020/坏镇.yaml"]
    status = {name: tr.select_one("td.status").get_text() for name, tr in rows.items()}
    assert status == {"新城街道": "通过", "黄寨镇": "有错误", "姚集镇": "通过", "崩溃镇": "生成失败",
                      "data/商水县/2020/坏镇.yaml": "无法使用"}
    counts = [td.get_text() for td in rows["黄寨镇"].select("td.num")][1:]
    assert counts == ["2", "1", "0"]          # errors, warnings (open: trend.jump), explained
    for name in ("新城街道", "黄寨镇", "姚集镇"):
        hrefs = [a["href"] for a in rows[name].find_all("a")]
        assert [out / unquote(h) for h in hrefs] == [out / f"{name}{suffix}" for suffix in
                                                      (".html", ".public.html", ".pdf", ".docx")]
    assert "DeadKernelError" in rows["崩溃镇"].select_one("td.reason").get_text()
    # demo units are marked, the real one is not, and the page says so on top
    assert rows["新城街道"].select_one("span.demo").get_text() == "示例数据（非真实）"
    assert rows["姚集镇"].select_one("span.demo") is None
    assert "示例数据（非真实）" in page.select_one("p.demo-banner").get_text()


def test_findings_csv_has_every_finding_of_every_unit(county):
    text = (county["out"] / "findings.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0]) == ["unit", "rule", "severity", "table", "row", "column", "expected", "actual", "message",
                             "review", "review_note", "reviewed_by", "reviewed_at"]
    # the demo units' 2019 numbers were drawn on their own: two sudden changes from 2019 (trend.jump)
    assert [(r["unit"], r["rule"], r["row"], r["column"], r["expected"], r["actual"]) for r in rows] == [
        ("新城街道", "trend.jump", "penalties", "decisions", "0", "25"),
        ("黄寨镇", "requests.outcomes_sum", "total_handled", "natural_person", "8", "7"),
        ("黄寨镇", "requests.outcomes_sum", "total_handled", "total", "8", "7"),
        ("黄寨镇", "trend.jump", "licensing", "decisions", "1", "33"),
    ]


def test_run_json_records_inputs_hashes_versions_and_status(county):
    text = (county["out"] / "run.json").read_text(encoding="utf-8")
    run = json.loads(text)
    # one line per unit (and per top-level item): readable, and grep finds a unit's whole record
    assert [json.loads(line.rstrip(",")) for line in text.splitlines() if line.startswith('  {"source"')] == run["units"]
    assert (run["county"], run["year"]) == ("商水县", 2020)
    assert {"nianbao", "python", "papermill", "nbconvert"} <= set(run["versions"])
    units = {u["display"].split("/")[-1]: u for u in run["units"]}
    assert {k: u["status"] for k, u in units.items()} == {
        "新城街道.yaml": "ok", "黄寨镇.yaml": "errors", "姚集镇.yaml": "ok", "崩溃镇.yaml": "failed",
        "坏镇.yaml": "unusable"}
    xincheng = units["新城街道.yaml"]
    data = county["data"] / "新城街道.yaml"
    previous = county["data"].parent / "2019" / "新城街道.yaml"
    assert xincheng["inputs"]["data"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert xincheng["inputs"]["previous"] == {"path": str(previous), "sha256": hashlib.sha256(previous.read_bytes()).hexdigest()}
    assert units["姚集镇.yaml"]["inputs"]["previous"] is None
    assert xincheng["outputs"] == {"notebook": "新城街道.ipynb", "review": "新城街道.html", "public": "新城街道.public.html",
                                   "pdf": "新城街道.pdf", "docx": "新城街道.docx"}
    assert xincheng["seconds"] > 0 and not xincheng["skipped"] and xincheng["demo"] is True
    assert run["summary"]["status"] == "ok"


def test_county_summary_totals_charts_and_findings(county):
    page = soup(county["out"] / "summary.html")
    assert_offline(page)
    assert not page.select(".input, .prompt") and "run_json" not in page.get_text()
    assert page.find("h1").get_text() == "商水县2020年乡镇（街道）政府信息公开工作年度报告汇总"
    assert page.select_one("p.demo-banner").get_text() == "示例数据（非真实）"
    reports = [read_report(county["data"] / f"{n}.yaml") for n in ("新城街道", "黄寨镇", "姚集镇")]
    requests = [t for t in page.find_all("table", class_="form-table") if "requests" in t["class"]][0]
    for row, label in (("new_received", "一、本年新收政府信息公开申请数量"), ("granted", "（一）予以公开")):
        for column, heading in (("natural_person", "自然人"), ("total", "总计")):
            expected = sum(r.value("requests", row, column) for r in reports)
            assert cell_at(grid(requests), {label}, {heading}).get_text() == str(expected), (row, column)
    assert len(page.select("figure.chart")) == 3
    findings = page.select("table.findings-table tbody tr")
    assert [tr.find_all("td")[0].get_text() for tr in findings] == ["新城街道（示例）"] + ["黄寨镇（示例）"] * 3
    assert "崩溃镇" in page.find("ul").get_text()


def test_unchanged_rerun_skips_and_a_change_redoes_only_that_unit(tmp_path):
    folder = make_tree(tmp_path, ("新城街道", "姚集镇"))
    out = tmp_path / "out"
    assert nianbao("run", folder, "--out", out, cwd=tmp_path).returncode == 0
    reports = out / "商水县" / "2020"
    before = {p.name: p.stat().st_mtime_ns for p in reports.iterdir()}

    again = nianbao("run", folder, "--out", out, cwd=tmp_path)
    assert again.returncode == 0 and "新生成0份，未变化跳过2份" in again.stderr
    after = {p.name: p.stat().st_mtime_ns for p in reports.iterdir()}
    unit_files = [k for k in before if k.startswith(("新城街道", "姚集镇"))]
    assert len(unit_files) == 14 and all(after[k] == before[k] for k in unit_files)   # 7 files a unit (2 of data)
    assert after["summary.html"] == before["summary.html"]

    previous = tmp_path / "data" / "商水县" / "2019" / "新城街道.yaml"
    previous.write_text(previous.read_text(encoding="utf-8") + "# 改动\n", encoding="utf-8")
    changed = nianbao("run", folder, "--out", out, cwd=tmp_path)
    assert "新生成1份，未变化跳过1份" in changed.stderr, changed.stderr
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert {u["short_name"]: u["skipped"] for u in run["units"]} == {"新城街道": False, "姚集镇": True}
    assert (reports / "姚集镇.html").stat().st_mtime_ns == before["姚集镇.html"]

    summary = (reports / "summary.html").stat().st_mtime_ns
    only = nianbao("run", folder, "--out", out, "--only", "姚集镇", "--force", cwd=tmp_path)
    assert "共1个单位：新生成1份" in only.stderr
    assert (reports / "summary.html").stat().st_mtime_ns != summary      # forced: the summary too
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert [u["short_name"] for u in run["units"]] == ["姚集镇", "新城街道"]   # the other one is kept


def test_a_failed_rerun_keeps_the_good_earlier_report(tmp_path):
    folder = make_tree(tmp_path, ("姚集镇",))
    out = tmp_path / "out"
    assert nianbao("run", folder, "--out", out, cwd=tmp_path).returncode == 0
    reports = out / "商水县" / "2020"
    good = {p.name: p.read_bytes() for p in reports.glob("姚集镇*")}
    failed = nianbao("run", folder, "--out", out, "--force", "--timeout", "0.5", cwd=tmp_path)
    assert failed.returncode == 1
    assert "data/商水县/2020/姚集镇.yaml：报告生成失败，超过时限（0.5秒），已停止" in failed.stderr
    assert {p.name: p.read_bytes() for p in reports.glob("姚集镇*")} == good
    assert not list(tmp_path.rglob("*.tmp"))
    row = soup(reports / "index.html").select_one("tbody tr")
    assert row.select_one("td.status").get_text() == "生成失败"
    assert "仍保留上次生成的报告" in row.select_one("td.reason").get_text()
    assert [a["href"] for a in row.find_all("a")] == [f"%E5%A7%9A%E9%9B%86%E9%95%87{suffix}" for suffix in
                                                      (".html", ".public.html", ".pdf", ".docx")]
    # the failure is not remembered as done: the next run builds the unit again
    again = nianbao("run", folder, "--out", out, cwd=tmp_path)
    assert again.returncode == 0 and "新生成1份" in again.stderr


def test_dask_local_cluster_runs_from_bytes_and_names_stay_inside_the_output(tmp_path):
    folder = make_tree(tmp_path, ("新城街道", "黄寨镇"))
    text = seed_text().replace("county: 商水县", "county: ../../..").replace("short_name: 姚集镇", "short_name: ../up")
    (folder / "x.yaml").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    done = nianbao("run", folder, "--out", out, "--scheduler", "local", "--workers", "2", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    # a name that would be a path is refused by the reader (issue 11), on a Dask worker too
    assert "x.yaml 第4行 short_name：不能含有字符“/”：它会用作报告的文件夹或文件名" in done.stderr
    assert "x.yaml 第6行 county：不能含有字符“/”：它会用作报告的文件夹或文件名" in done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "search.js", "商水县"]   # the home, its search
    assert not [p for p in tmp_path.rglob("*") if p.is_file() and out not in p.parents and "data" not in p.relative_to(tmp_path).parts]
    reports = out / "商水县" / "2020"
    for name in ("新城街道", "黄寨镇"):
        assert (reports / f"{name}.html").is_file() and (reports / f"{name}.public.html").is_file()
    nb = nbformat.read(reports / "黄寨镇.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])][0]
    assert "data_path = 'data/商水县/2020/黄寨镇.yaml'" in injected.source
    for page in reports.glob("*.html"):     # what came back from the workers is intact
        for data in re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page.read_text(encoding="utf-8")):
            assert imread(io.BytesIO(base64.b64decode(data)), format="png").shape[0] > 100
    for path in reports.iterdir():          # the workers' private copies are never named
        assert "nianbao-" not in path.read_text(encoding="utf-8", errors="replace"), path
    run = json.loads((reports / "run.json").read_text(encoding="utf-8"))
    assert [u["status"] for u in run["units"]] == ["unusable", "ok", "errors"]


@pytest.mark.parametrize("text, expected", [
    ("dat: ../data\n", "2020.yaml dat：未知的项目“dat”，是否应为“data”？"),
    ("data: ../nowhere\n", "2020.yaml data：找不到数据文件夹“../nowhere”"),
    ("data: .\nunits: 5\n", "2020.yaml units：应为单位名称的列表"),
    ("data: .\nunits: [无此镇]\n", "2020.yaml units：在 . 中找不到单位“无此镇”的数据文件"),
    ("data: .\ntimeout: soon\n", "2020.yaml timeout：应为每个单位最多用时的秒数（正数），实际为“soon”"),
])
def test_a_wrong_params_file_is_named_with_its_field(tmp_path, text, expected):
    params = tmp_path / "params" / "2020.yaml"
    params.parent.mkdir()
    params.write_text(text, encoding="utf-8")
    done = nianbao("run", params, "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2
    assert expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out").exists()


def test_only_an_unknown_unit_is_an_error(tmp_path):
    folder = make_tree(tmp_path, ("姚集镇",))
    done = nianbao("run", folder, "--only", "无此镇", "--out", tmp_path / "out", cwd=tmp_path)
    assert done.returncode == 2 and "--only：找不到单位“无此镇”" in done.stderr


def test_demo_data_is_reproducible_and_marked(tmp_path):
    import subprocess
    import sys
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_demo_data.py"), "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*.yaml"))
    assert len(made) == 22 + 5
    for rel in made:
        assert (tmp_path / rel).read_bytes() == (ROOT / "data" / rel).read_bytes(), rel
        assert read_report(ROOT / "data" / rel).demo
    assert not read_report(ROOT / "data" / "商水县" / "2020" / "姚集镇.yaml").demo
    params = (ROOT / "params" / "商水县" / "2020.yaml").read_text(encoding="utf-8")
    assert len(re.search(r"units: \[(.*)\]", params).group(1).split(", ")) == 23


def test_only_a_kernel_that_did_not_start_is_tried_again():
    import zmq
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.exceptions import PapermillExecutionError
    from nianbao.notebook.runner import kernel_start_failed
    assert kernel_start_failed(RuntimeError("Kernel died before replying to kernel_info"))
    assert kernel_start_failed(TimeoutError("Kernel didn't respond in 60 seconds"))
    assert kernel_start_failed(zmq.ZMQError(98, "Address already in use"))
    assert not kernel_start_failed(DeadKernelError("Kernel died"))
    assert not kernel_start_failed(CellTimeoutError("cell timed out"))
    assert not kernel_start_failed(PapermillExecutionError(1, 1, "x", "ValueError", "bad", []))
    assert not kernel_start_failed(ValueError("a bug"))


def test_a_county_year_of_many_units_charts_the_largest_forty(tmp_path):
    """A county-year of 45 units: each comparison chart shows the 40 largest, and says so."""
    from PIL import Image

    from nianbao.site.county_summary import MAX_BARS, County, comparison
    folder = tmp_path / "data" / "商水县" / "2020"
    folder.mkdir(parents=True)
    records = []
    for i in range(45):
        name = f"第{i:02d}镇"
        text = (seed_text().replace("short_name: 姚集镇", f"short_name: {name}")
                .replace("unit: 姚集镇人民政府", f"unit: {name}人民政府"))
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        records.append({"source": str(folder / f"{name}.yaml"), "short_name": name, "status": "ok",
                        "display": f"{name}.yaml"})
    run_json = tmp_path / "run.json"
    run_json.write_text(json.dumps({"county": "商水县", "year": 2020, "units": records}, ensure_ascii=False),
                        encoding="utf-8")
    page = BeautifulSoup(comparison(County(run_json)).data, "html.parser")
    figures = page.select("figure.chart")
    assert len(figures) == 3 and MAX_BARS == 40
    drawn = [f for f in figures if f.find("img")]
    assert drawn and all("（45个单位中数量最多的40个）" in f.figcaption.get_text() for f in drawn)
    for figure in drawn:          # 40 bars tall, not 45 (charts.bars: 0.32 inch a bar, 220 dpi)
        image = Image.open(io.BytesIO(base64.b64decode(figure.img["src"].split(",", 1)[1])))
        assert 0.77 * (0.32 * 40 + 0.9) * 220 < image.height < 0.77 * (0.32 * 45 + 0.9) * 220


def test_an_unchanged_rerun_starts_no_worker_and_imports_no_pandas(tmp_path):
    """The client alone decides that nothing changed: no warm server starts, and the client
    never imports pandas, openpyxl, matplotlib, papermill or nbconvert (its start is what an
    unchanged rerun costs)."""
    import os
    import subprocess

    from conftest import BIN
    folder = make_tree(tmp_path, ("姚集镇",))
    out = tmp_path / "out"
    assert nianbao("run", folder, "--out", out, "--pages-only", cwd=tmp_path).returncode == 0
    again = subprocess.run([str(BIN / "nianbao"), "run", str(folder), "--out", str(out), "--pages-only"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=120,
                           env={**os.environ, "PYTHONPROFILEIMPORTTIME": "1"})
    assert again.returncode == 0 and "新生成0份，未变化跳过1份" in again.stderr
    imported = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)$", again.stderr, re.M))
    assert "nianbao.batch.run" in imported and "nianbao.notebook.pool" in imported     # the log is read
    heavy = {"pandas", "openpyxl", "matplotlib", "papermill", "nbconvert", "IPython", "nianbao.checks.registry"}
    assert not heavy & imported, heavy & imported


def test_the_county_summary_adds_up_the_numbers_the_record_keeps_without_reading_data_again(tmp_path):
    """run.json keeps each built unit's numbers (those its page shows); the summary adds them
    up from there: data files changed after the run do not change it, and are not read."""
    from nianbao.site.county_summary import County
    folder = make_tree(tmp_path, ("新城街道", "姚集镇"))
    out = tmp_path / "out"
    assert nianbao("run", folder, "--out", out, "--pages-only", cwd=tmp_path).returncode == 0
    run_json = out / "商水县" / "2020" / "run.json"
    records = {r["short_name"]: r for r in json.loads(run_json.read_text(encoding="utf-8"))["units"]}
    seed = read_report(folder / "姚集镇.yaml")
    assert records["姚集镇"]["edition"] == "2019"
    assert records["姚集镇"]["values"]["requests"]["new_received"]["total"] == seed.value("requests", "new_received", "total")
    expected = sum(read_report(folder / f"{n}.yaml").value("requests", "granted", "total") for n in records)
    for name in records:                     # what the files say now is not what was built
        (folder / f"{name}.yaml").write_text("不是数据", encoding="utf-8")
    county = County(run_json)
    assert not county.left_out and sorted(r.short_name for r in county.reports) == sorted(records)
    assert county.total.value("requests", "granted", "total") == expected
