"""Review as the evaluators do: copied text, deadlines, the county's ratios, a reviewer's word.

Hand-made county folders (the seed with other names and texts), checked as a person does it —
`nianbao check`, `nianbao review`, `nianbao run` — with the known answers written out by hand.
"""
import csv
import io
import json
import re
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import ROOT, SEED, nianbao, seed_text
from nianbao.checks import check_file, copied, ratios
from nianbao.io import read_report

DEMO = ROOT / "data" / "商水县" / "2020"
TEMPLATE = {   # the text two townships of 测试县 share (each with its own name, years and numbers)
    "overview": "{year}年，{name}以政务公开栏和镇政府网站专栏为主渠道，重点公开了麦田灌溉补助和村道硬化的资金安排。"
                "{name}在集镇设立了政府信息查阅点，安排专人每周整理一次公开台账。",
    "problems": "一是公开栏内容更新不够及时；二是涉农补贴的政策解读偏少，群众看不懂补贴标准。",
    "improvements": "下一步将把公开栏纳入每月督查，邀请农技站人员用问答的形式解读补贴政策。",
}
STOCK = "无其他需要报告的事项。"


def unit_text(short: str, narrative: dict, year: int = 2020, published: str = "2021-01-20") -> str:
    """The seed's tables as another township of 测试县, with the given narrative."""
    text = seed_text().split("\n", 2)[2]
    text = (text.replace("unit: 姚集镇人民政府", f"unit: {short}人民政府").replace("short_name: 姚集镇", f"short_name: {short}")
            .replace("county: 商水县", "county: 测试县").replace("published: 2021-01-28", f"published: {published}")
            .replace("year: 2020", f"year: {year}"))
    block = "narrative:\n" + "".join(f"  {k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in narrative.items())
    return re.sub(r"narrative:\n(?:  .*\n(?:    .*\n)*)+?(?=proactive:)", block, text)


def shared(short: str, year: int = 2020) -> dict:
    return {k: v.format(name=f"{short}人民政府", year=year) for k, v in TEMPLATE.items()} | {"other": STOCK}


OWN = {   # 丙镇's own text: stock phrases and the fixed phrase of § 六, nothing else in common
    "overview": "2020年，丙镇坚持以公开为常态、不公开为例外，围绕防汛排涝和秸秆禁烧发布通告，"
                "在十二个行政村的村委会门口更换了不锈钢公开栏。",
    "problems": "坚持以公开为常态、不公开为例外的意识在部分站所还不牢固，防汛信息发布偏晚。",
    "improvements": "汛期前制定防汛信息发布清单，由应急办每日审核后发布。",
    "other": STOCK,
}


@pytest.fixture
def county(tmp_path):
    folder = tmp_path / "data" / "测试县" / "2020"
    folder.mkdir(parents=True)
    for short, narrative in (("甲镇", shared("甲镇")), ("乙镇", shared("乙镇")), ("丙镇", OWN)):
        (folder / f"{short}.yaml").write_text(unit_text(short, narrative), encoding="utf-8")
    return folder


def copied_of(path, previous=None):
    return [(f.row, f.expected, f.actual) for f in check_file(path, previous).findings if f.rule == "narrative.copied"]


# ---- narrative.copied ----------------------------------------------------------------------

def test_two_townships_sharing_a_template_are_named_to_each_other_and_no_one_else(county):
    assert check_file(county / "甲镇.yaml").findings[0].rule == "narrative.copied"
    assert copied_of(county / "甲镇.yaml") == [("overview", "本县乙镇", "100%"), ("problems", "本县乙镇", "100%")]
    assert copied_of(county / "乙镇.yaml") == [("overview", "本县甲镇", "100%"), ("problems", "本县甲镇", "100%")]
    assert copied_of(county / "丙镇.yaml") == []            # stock phrases and § 六's fixed phrase: no alarm
    message = check_file(county / "甲镇.yaml").findings[1].message
    assert message.startswith("「五、存在的主要问题及改进情况」与本县乙镇的内容基本相同（相同文字占100%")
    assert "“邀请农技站人员用问答的形式解读补贴政策”" in message       # the shared sentences are quoted


def test_a_template_partly_rewritten_below_the_threshold_is_left_alone(county):
    own = {**shared("乙镇"), "problems": "一是公开栏内容更新不够及时；二是站所报送信息不积极，部分信息要催报。",
           "improvements": "明确站所报送时限，逾期的在周例会上通报；公开栏由党政办统一更换。"}
    (county / "乙镇.yaml").write_text(unit_text("乙镇", own), encoding="utf-8")
    assert copied_of(county / "甲镇.yaml") == [("overview", "本县乙镇", "100%")]


def test_a_unit_repeating_its_own_last_year(county):
    last = county.parent / "2019" / "丙镇.yaml"
    last.parent.mkdir()
    last.write_text(unit_text("丙镇", {**OWN, "overview": "2019年，丙镇重点公开了扶贫项目的资金。"}, year=2019,
                              published="2020-01-15"), encoding="utf-8")
    assert copied_of(county / "丙镇.yaml") == [("problems", "本单位2019年度报告", "100%")]
    assert "与本单位2019年度报告的内容基本相同" in check_file(county / "丙镇.yaml").findings[0].message
    last.write_text(unit_text("丙镇", {**OWN, "overview": "2019年，丙镇重点公开了扶贫项目的资金。",
                                      "problems": "公开栏选址不便群众查看。", "improvements": "公开栏移到便民服务中心门口。"},
                              year=2019, published="2020-01-15"), encoding="utf-8")
    assert copied_of(county / "丙镇.yaml") == []


def test_the_inverted_index_finds_exactly_what_comparing_every_pair_finds():
    """The batch's one-pass index against the plain definition, pair by pair, on the bundled county."""
    reports = [read_report(p) for p in sorted(DEMO.glob("*.yaml"))]
    peers = [copied.Peer(r.short_name, r.short_name, (r.unit, r.short_name), r.narrative) for r in reports]
    names = copied._names("商水县", *(n for p in peers for n in p.names))
    cut = {p.key: copied.sections_of(p.narrative, names) for p in peers}
    brute = set()
    for a in cut:
        for b in cut:
            for sid in copied.SECTIONS:
                x, y = cut[a][sid], cut[b][sid]
                if a != b and copied.is_copied(x, y, sum(x.clauses[h][0] for h in x.clauses if h in y.clauses)):
                    brute.add((a, sid))
    found = {(key, f.row) for key, fs in copied.peer_findings(peers, "商水县").items() for f in fs}
    assert found == brute == {("平店乡", "overview"), ("平店乡", "problems"), ("袁老乡", "overview"), ("袁老乡", "problems")}


# ---- published.deadline ----------------------------------------------------------------------

@pytest.mark.parametrize("published, code, line", [
    ("2021-02-05", 0, "提醒  published.deadline  published  应为 2021-01-31，实际 2021-02-05"),   # late
    ("2020-12-30", 1, "错误  published.deadline  published  应为 2021年1月1日以后，实际 2020-12-30"),  # early
    ("2021-01-31", 0, None),                                                                   # timely
])
def test_late_early_and_timely_reports(county, published, code, line):
    path = county / "丙镇.yaml"
    path.write_text(unit_text("丙镇", OWN, published=published), encoding="utf-8")
    done = nianbao("check", path, "--deadline", "2021-01-31")
    assert done.returncode == code, done.stdout + done.stderr
    rows = [l for l in done.stdout.splitlines() if "published.deadline" in l and not l.startswith(str(path))]
    assert rows == ([line] if line else [])
    if published == "2021-02-05":
        assert ("报告的公布日期为2021年2月5日，晚于公布期限2021年1月31日5天"
                "（县（市、区）规定乡镇（街道）报告应于2021年1月31日前公布）。") in done.stdout


def test_without_the_county_date_a_township_is_named_and_a_county_uses_the_law(county):
    done = nianbao("check", county / "丙镇.yaml")
    assert "部分进行published.deadline：没有县里规定的乡镇（街道）报告公布期限" in done.stdout
    level = county / "测试县.yaml"
    level.write_text(unit_text("丙镇", OWN, published="2021-04-02").replace("level: township", "level: county"),
                     encoding="utf-8")
    [f] = [f for f in check_file(level).findings if f.rule == "published.deadline"]
    assert (f.severity, f.expected, f.actual) == ("warning", "2021-03-31", "2021-04-02")
    assert "《条例》第四十九条规定县级以上地方人民政府应于3月31日前公布" in f.message


# ---- the ratios -----------------------------------------------------------------------------

def test_ratios_of_the_seed_and_of_a_county_by_hand():
    # the seed: 予以公开 2 + 部分公开 0 of （七）总计 2; no review or lawsuit decided; 不掌握 0 of 2
    assert ratios.parts(read_report(SEED)) == {"substantive": [2, 2], "correction": [0, 0], "not_held": [0, 2]}
    units = {"A": {"substantive": [8, 10]}, "B": {"substantive": [2, 10]}, "C": {"substantive": [5, 6]},
             "D": {"substantive": [1, 2]}, "E": {"substantive": None}}
    col = ratios.county(units)[0]
    assert col.median == pytest.approx((0.5 + 0.8) / 2)         # of 0.2, 0.5, 0.8, 0.833
    assert col.pooled == pytest.approx(16 / 28)
    assert col.far == {"B"} and col.mark("B") == "↓"             # 45 points below, on 10 requests
    assert col.shares["E"] is None and col.mark("D") == ""        # D is 15 points off


# ---- a reviewer's word ------------------------------------------------------------------------

def test_a_decision_holds_and_a_changed_value_reopens_it(tmp_path):
    data = tmp_path / "商水县" / "2020" / "姚集镇.yaml"
    data.parent.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "data" / "broken" / "requests.outcomes_sum.yaml", data)
    cell = "requests.total_handled.natural_person"
    assert nianbao("check", data).returncode == 1
    none = nianbao("review", data, "--accept", "prose.year", "--note", "x")
    assert none.returncode == 2 and "没有与“prose.year”相符的未说明检查结果" in none.stderr
    assert f"requests.outcomes_sum@{cell}" in none.stderr            # what could be explained is listed
    done = nianbao("review", data, "--accept", f"requests.outcomes_sum@{cell}", "--note", "复核原始台账：一件为重复统计",
                   "--by", "县政务公开办 王五")
    assert done.returncode == 0, done.stderr
    [decision] = yaml.safe_load((data.parent / "reviews.yaml").read_text(encoding="utf-8"))["姚集镇"]
    assert {k: decision[k] for k in ("rule", "cell", "expected", "actual", "note", "by")} == {
        "rule": "requests.outcomes_sum", "cell": cell, "expected": 3, "actual": 2,
        "note": "复核原始台账：一件为重复统计", "by": "县政务公开办 王五"}
    # the other error of the file (the 总计 column) is still open: exit 1; both shown
    checked = check_file(data)
    assert [(f.column, bool(f.review)) for f in checked.findings] == [("natural_person", True), ("total", False)]
    done = nianbao("review", data, "--accept", "requests.outcomes_sum", "--note", "同上", "--by", "王五")
    assert done.returncode == 0 and nianbao("check", data).returncode == 0
    out = nianbao("check", data).stdout
    assert "已说明（县政务公开办 王五，" in out and "错误0项，提醒0项，已说明2项" in out
    # the review page (the notebook's findings panel) shows it explained, with note, who and when
    from nianbao.render import sections
    report, findings, cover, _ = sections.load(str(data))
    panel = BeautifulSoup(sections.findings_panel(report, findings, cover).data, "html.parser")
    first = panel.select("li")[0]
    assert first["class"] == ["error", "explained"] and first.select_one(".state").get_text() == "已说明"
    assert first.select_one(".review-note").get_text().startswith("审核意见：复核原始台账：一件为重复统计（县政务公开办 王五，20")
    assert panel.select_one("h2").get_text() == "检查结果：错误0项，提醒0项，已说明2项"
    # a changed value reopens it: the 过程性信息 row raised once more (outcomes now 4, （七） 2)
    text = data.read_text(encoding="utf-8")
    row = re.search(r"  withheld_process: .*\n", text).group(0)
    data.write_text(text.replace(row, row.replace("natural_person: 1", "natural_person: 2").replace("total: 1", "total: 2")),
                    encoding="utf-8")
    again = check_file(data).findings
    assert [(f.column, f.expected, bool(f.review)) for f in again] == [("natural_person", 4, False), ("total", 4, False)]
    assert nianbao("check", data).returncode == 1


def test_a_broken_reviews_file_is_named(tmp_path):
    data = tmp_path / "商水县" / "2020" / "姚集镇.yaml"
    data.parent.mkdir(parents=True)
    shutil.copy(SEED, data)
    (data.parent / "reviews.yaml").write_text("姚集镇:\n  - rule: prose.year\n", encoding="utf-8")
    done = nianbao("check", data)
    assert done.returncode == 2 and done.stdout == ""
    assert "reviews.yaml 姚集镇：应为审核意见的列表，每条至少有 rule（规则）和 note（说明）" in done.stderr


# ---- the batch: the county's pages ---------------------------------------------------------------

def test_batch_lists_copies_counts_open_findings_and_writes_the_ratios(tmp_path):
    folder = tmp_path / "data" / "商水县" / "2020"
    folder.mkdir(parents=True)
    for name in ("平店乡", "袁老乡", "化河乡", "舒庄乡"):
        shutil.copy(DEMO / f"{name}.yaml", folder)
    params = tmp_path / "params" / "商水县" / "2020.yaml"
    params.parent.mkdir(parents=True)
    params.write_text("data: ../../data/商水县/2020\ndeadline: 2021-01-31\n", encoding="utf-8")
    out = tmp_path / "out" / "商水县" / "2020"
    done = nianbao("run", "params", "--out", "out", "--workers", "2", cwd=tmp_path)
    assert done.returncode == 0, done.stderr

    def findings():
        rows = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8-sig"))))
        return [(r["unit"], r["rule"], r["row"], r["expected"], r["actual"], r["review"], r["review_note"]) for r in rows]

    def counts():
        page = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
        return {tr.find_all("td")[1].get_text().split()[0]: [td.get_text() for td in tr.select("td.num")[1:]]
                for tr in page.select("tbody tr")}

    late = ("舒庄乡", "published.deadline", "published", "2021-01-31", "2021-02-26")
    assert findings() == [       # the units in file-name order: 化河乡 平店乡 舒庄乡 袁老乡
        ("平店乡", "narrative.copied", "overview", "本县袁老乡", "100%", "open", ""),
        ("平店乡", "narrative.copied", "problems", "本县袁老乡", "100%", "open", ""),
        (*late, "open", ""),
        ("袁老乡", "narrative.copied", "overview", "本县平店乡", "100%", "open", ""),
        ("袁老乡", "narrative.copied", "problems", "本县平店乡", "100%", "open", "")]
    index = BeautifulSoup((out / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert [li.get_text() for li in index.select("ul.copied li")][:2] == [
        "平店乡「一、总体情况」与本县袁老乡基本相同，相同文字占100%",
        "平店乡「五、存在的主要问题及改进情况」与本县袁老乡基本相同，相同文字占100%"]
    review_page = BeautifulSoup((out / "袁老乡.html").read_text(encoding="utf-8"), "html.parser")
    assert "「一、总体情况」与本县平店乡的内容基本相同" in review_page.select_one("section.findings").get_text()
    # the ratios, worked out by hand from the four files' § 三 and § 四:
    #   实质公开率 (予以公开+部分公开)/（七）总计: 化河 7/7, 平店 1/2, 舒庄 5/8, 袁老 0/1 → county 13/18,
    #     median of 0, .5, .625, 1 = .5625; 化河 is 43.75 points above it on 7 requests: ↑
    #   纠错率 结果纠正/(维持+纠正+其他): 化河 and 平店 have only pending cases (0/0: none), 舒庄 0/1, 袁老 0/1
    #   不掌握 1/2, 0/7, 1/8, 1/1 → 3/18, median (.125+.5)/2 = .3125; 化河 31.25 points below on 7: ↓
    assert list(csv.reader(io.StringIO((out / "ratios.csv").read_text(encoding="utf-8-sig"))))[1:] == [
        ["化河乡", "7", "7", "1.0", "↑", "0", "0", "", "", "0", "7", "0.0", "↓"],
        ["平店乡", "1", "2", "0.5", "", "0", "0", "", "", "1", "2", "0.5", ""],
        ["舒庄乡", "5", "8", "0.625", "", "0", "1", "0.0", "", "1", "8", "0.125", ""],
        ["袁老乡", "0", "1", "0.0", "", "0", "1", "0.0", "", "1", "1", "1.0", ""],
        ["全县合计", "13", "18", "0.7222", "", "0", "2", "0.0", "", "3", "18", "0.1667", ""],
        ["中位数", "", "", "0.5625", "", "", "", "0.0", "", "", "", "0.3125", ""]]
    summary = BeautifulSoup((out / "summary.html").read_text(encoding="utf-8"), "html.parser")
    table = summary.select_one("table.ratios")
    assert [td.get_text() for td in table.select("tr")[1].find_all("td")] == \
        ["化河乡（示例）", "100.0%↑（7件）", "—（0件）", "0.0%↓（7件）"]
    assert [td.get_text() for td in table.select("tr")[-2].find_all("td")] == ["全县合计", "72.2%", "0.0%", "16.7%"]
    assert "实质公开率＝（予以公开＋部分公开）÷ 本年度办理结果总计" in summary.get_text()
    assert counts()["舒庄乡"] == ["0", "1", "0"]

    # the county office accepts the late date; only 舒庄乡 is rebuilt, and it counts as explained
    accepted = nianbao("review", folder / "舒庄乡.yaml", "--accept", "published.deadline", "--deadline", "2021-01-31",
                       "--note", "经县政府同意延期公布", "--by", "李四", cwd=tmp_path)
    assert accepted.returncode == 0, accepted.stderr
    rerun = nianbao("run", "params", "--out", "out", cwd=tmp_path)
    assert "新生成1份，未变化跳过3份" in rerun.stderr
    assert findings()[2] == (*late, "explained", "经县政府同意延期公布")
    assert counts()["舒庄乡"] == ["0", "0", "1"]
    page = BeautifulSoup((out / "舒庄乡.html").read_text(encoding="utf-8"), "html.parser")
    assert "审核意见：经县政府同意延期公布（李四，" in page.select_one("li.explained").get_text()
    # published later still: a changed value reopens it
    text = (folder / "舒庄乡.yaml").read_text(encoding="utf-8")
    (folder / "舒庄乡.yaml").write_text(text.replace("published: 2021-02-26", "published: 2021-03-02"), encoding="utf-8")
    nianbao("run", "params", "--out", "out", cwd=tmp_path)
    assert findings()[2] == ("舒庄乡", "published.deadline", "published", "2021-01-31", "2021-03-02", "open", "")
    assert counts()["舒庄乡"] == ["0", "1", "0"]


def test_the_bundled_county_shows_these_findings_only_where_its_data_call_for_them():
    """商水县 2020 as `make report` runs it: the planted template, repeated § 五 and late report,
    nothing else (the real 姚集镇 included)."""
    from nianbao.batch.context import contexts
    from nianbao.io.params import read_params
    units = read_params(ROOT / "params" / "商水县" / "2020.yaml")
    told = contexts(units, {u.source: u.source.read_bytes() for u in units})
    found = {(u.source.stem, f.rule, f.row, f.expected) for u in units
             for f in check_file(u.source, None, told[u.source]).findings
             if f.rule in ("narrative.copied", "published.deadline")}
    assert found == {
        ("平店乡", "narrative.copied", "overview", "本县袁老乡"), ("平店乡", "narrative.copied", "problems", "本县袁老乡"),
        ("袁老乡", "narrative.copied", "overview", "本县平店乡"), ("袁老乡", "narrative.copied", "problems", "本县平店乡"),
        ("城关乡", "narrative.copied", "problems", "本单位2019年度报告"),
        ("舒庄乡", "published.deadline", "published", "2021-01-31")}
