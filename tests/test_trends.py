"""A unit across its years and a county against its peers: the key indicators (edition data),
trend.jump, the report's table and chart of its years, the county's quartiles (told to each unit
before it runs, shown on its review page and in the summary) and the county by year."""
import csv
import dataclasses
import json
import re
import shutil

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from conftest import ROOT, SEED, nianbao
from nianbao.checks import check_file, peers
from nianbao.checks.trends import is_jump
from nianbao.io import read_report
from nianbao.model.edition import load_edition
from nianbao.render import trends
from test_rules import TREND_2021, VALID

JUMP = ROOT / "tests" / "data" / "broken" / "trend.jump.yaml"


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def four_years(root, last_year=VALID / "2021" / "姚集镇.yaml", this_year=VALID / "2022" / "姚集镇.yaml"):
    """root/data/商水县/{2019,2020,2021,2022}/姚集镇.yaml: the hand-made years and the seed."""
    for year, source in ((2019, VALID / "2019" / "姚集镇.yaml"), (2020, SEED), (2021, last_year), (2022, this_year)):
        target = root / "data" / "商水县" / str(year) / "姚集镇.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(source, target)
    return root / "data" / "商水县"


@pytest.mark.parametrize("before, now, jump", [
    (20, 2, True), (2, 20, True), (19, 3, True),     # the brief's case, and both directions
    (0, 4, False), (4, 0, False),                    # from or to nothing, but a small number
    (0, 30, True), (30, 0, True),                    # from nothing to many: asked about
    (10, 30, True), (10, 29, False),                 # 3× exactly; 2.9×
    (5, 15, True), (4, 12, False),                   # differs by 10; by 8 only
    (30, 10, True), (30, 11, False)])                # a third exactly; more than a third
def test_a_jump_is_three_times_up_or_down_and_at_least_ten(before, now, jump):
    assert is_jump(before, now, 3, 10) is jump


def test_key_indicators_are_edition_data_and_both_editions_share_them():
    old, new = load_edition("2019"), load_edition("2021")
    assert [i.id for i in old.indicators] == [i.id for i in new.indicators]
    suits = next(i for i in new.indicators if i.id == "suits")
    assert suits.label == "行政诉讼"
    assert suits.cells == (("appeals", "suit_direct", "total"), ("appeals", "suit_after_review", "total"))
    documents = {e.id: next(i for i in e.indicators if i.id == "documents").cells for e in (old, new)}
    assert documents == {"2019": (("proactive", "rules", "new_made"), ("proactive", "normative_documents", "new_made")),
                         "2021": (("proactive", "rules", "issued"), ("proactive", "normative_documents", "issued"))}
    assert old.trend_jump == new.trend_jump == {"ratio": 3, "difference": 10}


def test_the_thresholds_are_read_from_the_edition():
    from nianbao.checks.trends import jump
    report, previous = read_report(VALID / "2022" / "姚集镇.yaml"), read_report(VALID / "2021" / "姚集镇.yaml")
    assert jump(report, previous) == []                         # 4 → 2 received: no jump by default
    report.edition = dataclasses.replace(report.edition, trend_jump={"ratio": 2, "difference": 2})
    assert [(f.row, f.expected, f.actual) for f in jump(report, previous)] == [("new_received", 4, 2)]


def test_trend_jump_names_the_indicator_and_both_years_across_the_edition_change():
    findings = [f for f in check_file(JUMP, TREND_2021).findings]
    assert [f.message for f in findings] == [
        "主要指标“新收申请”2022年为2件，2021年为20件，减少18件（仅为上年的10%）：变化很大，请核实数据后再公布；"
        "如数据无误，请在审核意见中说明原因",
        "主要指标“办结”2022年为3件，2021年为19件，减少16件（仅为上年的16%）：变化很大，请核实数据后再公布；"
        "如数据无误，请在审核意见中说明原因"]
    assert findings[0].cells == (("requests", "new_received", "total"),)
    # 2020 (edition 2019) → 2021 (edition 2021): compared by the indicators both have
    across = [f for f in check_file(TREND_2021, SEED).findings if f.rule == "trend.jump"]
    assert [(f.table, f.row, f.column, f.expected, f.actual) for f in across] == [
        ("requests", "new_received", "total", 2, 20), ("requests", "total_handled", "total", 2, 19)]


def test_review_accepts_a_trend_jump_by_its_cell(tmp_path):
    county = four_years(tmp_path, TREND_2021, JUMP)
    data = county / "2022" / "姚集镇.yaml"
    done = nianbao("check", data)
    assert done.returncode == 0 and done.stdout.count("提醒  trend.jump") == 2
    done = nianbao("review", data, "--accept", "trend.jump@requests.new_received.total", "--note", "本年撤并村组，申请减少",
                   "--by", "王五")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("已说明  trend.jump  requests.new_received.total  主要指标“新收申请”2022年为2件")
    done = nianbao("check", data)
    assert "已说明（王五，" in done.stdout and "本年撤并村组，申请减少" in done.stdout
    assert "错误0项，提醒1项，已说明1项" in done.stdout


def test_the_report_lists_its_years_by_the_indicators_both_editions_share(tmp_path):
    from nianbao.render import sections
    county = four_years(tmp_path)
    report, _, _, last_year = sections.load(str(county / "2022" / "姚集镇.yaml"))
    history = sections.history(report)
    assert [r.year for r in history] == [2021, 2020, 2019] and history[0] is last_year
    years = trends.by_year(report, *history)
    assert list(years.columns) == [2019, 2020, 2021, 2022]
    assert years.loc["新收申请"].tolist() == [1, 2, 4, 2]          # the four files' new_received.total
    assert years.loc["办结"].tolist() == [1, 2, 3, 3]
    assert years.loc["行政许可决定"].tolist() == [3, 0, 5, 4]
    page = BeautifulSoup(trends.table(years).data, "html.parser")
    assert [th.get_text() for th in page.thead.find_all("th")] == ["指标", "2019年", "2020年", "2021年", "2022年"]
    assert trends.trend_sentence(years) == ""                      # no clear trend in these years
    # a gap stops the years: without 2020, 2022 has only 2021 before it
    (county / "2020" / "姚集镇.yaml").unlink()
    report, *_ = sections.load(str(county / "2022" / "姚集镇.yaml"))
    assert [r.year for r in sections.history(report)] == [2021]
    # one year only: nothing to show
    alone, *_ = sections.load(str(county / "2019" / "姚集镇.yaml"))
    assert not trends.several(trends.by_year(alone, *sections.history(alone)))


def test_the_trend_sentence_names_only_a_clear_trend_with_numbers_from_the_cells():
    years = pd.DataFrame({2019: [1, 5, 0], 2020: [2, 3, 0], 2021: [4, 3, 0], 2022: [9, 1, 0]},
                         index=["新收申请", "办结", "行政复议"], dtype=float)
    sentence = trends.trend_sentence(years)
    assert sentence == "与往年相比，新收申请连续三年增长（由1件增至9件）。"   # 办结 fell once only, then stayed
    assert set(re.findall(r"\d+", sentence)) <= {str(int(v)) for v in years.to_numpy().ravel()}
    years.loc["办结"] = [9, 7, 4, 1]
    assert trends.trend_sentence(years) == ("与往年相比，新收申请连续三年增长（由1件增至9件）；"
                                            "办结连续三年下降（由9件降至1件）。")
    assert trends.trend_sentence(years[[2021, 2022]]) == ""          # one change is not a trend


def test_quartiles_known_answers():
    assert peers.quartiles([1, 2, 3, 10]) == [1.75, 2.5, 4.75]      # as Excel's QUARTILE.INC
    assert peers.quartiles([1, 2, 3]) is None                        # fewer than 4 units
    bounds = [1.75, 2.5, 4.75]
    assert [peers.place(v, bounds) for v in (1, 2, 5, None)] == ["below", "within", "above", None]


def county_of(root, received):
    """root/data/商水县/2022/: one unit per value (≥ 2) of new_received, each the hand-made 2022
    file renamed, the extra requests carried forward (every rule still holds)."""
    text = (VALID / "2022" / "姚集镇.yaml").read_text(encoding="utf-8")
    folder = root / "data" / "商水县" / "2022"
    folder.mkdir(parents=True)
    zeros = "commercial: 0, research: 0, social_welfare: 0, legal_service: 0, other_org: 0"
    for k, value in enumerate(received):
        name = f"测试{k + 1}镇"
        unit = text.replace("姚集镇", name).replace(
            f"new_received: {{natural_person: 2, {zeros}, total: 2}}",
            f"new_received: {{natural_person: {value}, {zeros}, total: {value}}}").replace(
            f"carried_forward: {{natural_person: 0, {zeros}, total: 0}}",
            f"carried_forward: {{natural_person: {value - 2}, {zeros}, total: {value - 2}}}")
        assert f"total: {value}}}" in unit and f"total: {value - 2}}}" in unit
        (folder / f"{name}.yaml").write_text(unit, encoding="utf-8")
    return folder


def test_the_client_tells_each_unit_its_countys_quartiles(tmp_path):
    from nianbao.batch.context import contexts
    from nianbao.io.params import resolve
    units = resolve([county_of(tmp_path, [2, 3, 4, 11])])
    told = contexts(units, {u.source: u.source.read_bytes() for u in units})
    quartiles = {c.quartiles["units"]: c.quartiles["bounds"]["received"] for c in told.values()}
    assert quartiles == {4: [2.75, 3.5, 5.75]}
    # a single file's folder tells the same (nianbao check, a notebook run by hand)
    checked = check_file(units[0].source)
    assert checked.context.quartiles == next(iter(told.values())).quartiles


def test_a_batch_shows_the_years_the_jump_and_too_few_peers_and_rebuilds_when_an_earlier_year_changes(tmp_path):
    county = four_years(tmp_path, TREND_2021, JUMP)
    out = tmp_path / "out"
    done = nianbao("run", county / "2022", "--out", out, "--pages-only")
    assert done.returncode == 0, done.stderr
    folder = out / "商水县" / "2022"
    rows = [r for r in csv.DictReader((folder / "findings.csv").read_text(encoding="utf-8-sig").splitlines())
            if r["rule"] == "trend.jump"]
    assert [(r["row"], r["expected"], r["actual"], r["severity"]) for r in rows] == [
        ("new_received", "20", "2", "warning"), ("total_handled", "19", "3", "warning")]
    index = soup(folder / "index.html")
    cells = [td.get_text() for td in index.find("tbody").find("tr").find_all("td")]
    assert cells[1:6] == ["姚集镇 示例数据（非真实）", "通过", "0", "2", "0"]     # (hand-made: demo)
    assert [li.get_text() for li in index.select("ul.jumps li")] == [
        "姚集镇：主要指标“新收申请”2022年为2件，2021年为20件，减少18件（仅为上年的10%）：变化很大，请核实数据后再公布；"
        "如数据无误，请在审核意见中说明原因",
        "姚集镇：主要指标“办结”2022年为3件，2021年为19件，减少16件（仅为上年的16%）：变化很大，请核实数据后再公布；"
        "如数据无误，请在审核意见中说明原因"]
    review, public = soup(folder / "姚集镇.html"), soup(folder / "姚集镇.public.html")
    assert "主要指标“新收申请”2022年为2件，2021年为20件" in review.find("section", class_="findings").get_text()
    for page in (review, public):
        years = page.find("table", class_="years")
        assert [[c.get_text() for c in tr.find_all(["th", "td"])] for tr in years.find_all("tr")][:2] == [
            ["指标", "2019年", "2020年", "2021年", "2022年"], ["新收申请", "1", "2", "20", "2"]]
        assert any(f.figcaption.get_text() == "图4\u30002019—2022年主要数据" for f in page.find_all("figure"))
    assert review.find("section", class_="standing").get_text() == (
        "在商水县2022年度1个单位中的位置本县（区）本年度只有1个单位的数据，少于4个，不计算四分位数。")
    assert public.find("section", class_="standing") is None
    assert "只有1个单位有报告，少于4个，不计算四分位数" in soup(folder / "summary.html").get_text()
    run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
    assert [e["path"] for e in run["units"][0]["inputs"]["earlier"]] == [
        str(county / "2020" / "姚集镇.yaml"), str(county / "2019" / "姚集镇.yaml")]
    # unchanged: skipped; the earliest year changed: the report is made again and shows it
    done = nianbao("run", county / "2022", "--out", out, "--pages-only")
    assert "新生成0份，未变化跳过1份" in done.stderr
    earliest = county / "2019" / "姚集镇.yaml"
    earliest.write_text(earliest.read_text(encoding="utf-8").replace(
        "new_received: {natural_person: 1, commercial: 0, research: 0, social_welfare: 0, legal_service: 0, other_org: 0, total: 1}",
        "new_received: {natural_person: 1, commercial: 0, research: 0, social_welfare: 0, legal_service: 0, other_org: 0, total: 7}"),
        encoding="utf-8")
    done = nianbao("run", county / "2022", "--out", out, "--pages-only")
    assert "新生成1份，未变化跳过0份" in done.stderr, done.stderr
    years = soup(folder / "姚集镇.html").find("table", class_="years")
    assert [td.get_text() for td in years.find_all("tr")[1].find_all(["th", "td"])] == ["新收申请", "7", "2", "20", "2"]


def test_the_county_summary_gives_quartiles_and_the_county_by_year(tmp_path):
    folder = county_of(tmp_path, [2, 3, 4, 11])
    last = folder.parent / "2021"
    last.mkdir()
    for path in folder.iterdir():           # last year: each unit as the hand-made 2021 file
        (last / path.name).write_text((VALID / "2021" / "姚集镇.yaml").read_text(encoding="utf-8")
                                      .replace("姚集镇", path.stem), encoding="utf-8")
    out = tmp_path / "out"
    done = nianbao("run", last, folder, "--out", out, "--pages-only")
    assert done.returncode == 0, done.stderr
    page = soup(out / "商水县" / "2022" / "summary.html")
    quartiles = page.find("table", class_="quartiles")
    received = [td.get_text() for td in quartiles.find("tbody").find("tr").find_all("td")]
    assert received == ["新收申请", "2.75", "3.5", "5.75", "测试1镇（示例）", "测试4镇（示例）"]
    assert any("四分位数" in f.figcaption.get_text() for f in page.find_all("figure"))
    years = page.find("table", class_="years")
    rows = {tr.td.get_text(): [td.get_text() for td in tr.find_all("td")[1:]] for tr in years.tbody.find_all("tr")}
    assert rows["新收申请"] == ["16", "20"] and rows["单位数"] == ["4", "4"]     # 4 × 4 in 2021; 2+3+4+11
    review = soup(out / "商水县" / "2022" / "测试4镇.html").find("section", class_="standing")
    row = next(tr for tr in review.find_all("tr") if tr.th.get_text() == "新收申请")
    assert [td.get_text() for td in row.find_all("td")] == ["11", "2.75", "3.5", "5.75", "高于上四分位数"]
    # a worker without the client's disk (Dask) is sent the earlier years' run.json with the job
    from nianbao.batch.summaries import _job
    from nianbao.batch.unit import work
    folder = out / "商水县" / "2022"
    job = _job(folder, json.loads((folder / "run.json").read_text(encoding="utf-8")), "", from_bytes=True, force=True)
    assert list(job.earlier) == ["2021"]
    result = work(job, from_bytes=True, engine="kernel")
    years = BeautifulSoup(result.html, "html.parser").find("table", class_="years")
    assert [td.get_text() for td in years.tbody.tr.find_all("td")] == ["新收申请", "16", "20"]
    assert "/nianbao-" not in result.html and "/nianbao-" not in result.notebook   # no private temporary name


def test_the_county_index_names_the_rule_as_the_check_does():
    # the client spells the id itself (importing checks would load pandas into it)
    from nianbao.checks import trends as trend_check
    from nianbao.site import county_index
    assert county_index.TREND_JUMP == trend_check.RULE
