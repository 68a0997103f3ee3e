"""The batch's inputs: `--only` keeps the county's context, a broken params file or target does
not stop the others, and reviews.yaml is read as safely as the data files (and written without
YAML aliases). Hand-made counties from the seed; each batch is run as a clerk runs it."""
import csv
import io
import shutil

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import SEED, nianbao
from test_review import OWN, shared, unit_text

# ---- --only: the unit is compared with its whole county-year -------------------------------------

COPIED = [("乙镇", "narrative.copied", "overview", "本县甲镇", "100%"),
          ("乙镇", "narrative.copied", "problems", "本县甲镇", "100%")]


@pytest.fixture(scope="module")
def county(tmp_path_factory):
    """测试县 2020: 甲镇 and 乙镇 share a template, 丙镇 writes its own; run whole, pages only."""
    tmp = tmp_path_factory.mktemp("only")
    folder = tmp / "data" / "测试县" / "2020"
    folder.mkdir(parents=True)
    for short, narrative in (("甲镇", shared("甲镇")), ("乙镇", shared("乙镇")), ("丙镇", OWN)):
        (folder / f"{short}.yaml").write_text(unit_text(short, narrative), encoding="utf-8")
    whole = nianbao("run", folder, "--out", "whole", "--pages-only", "--workers", "2", cwd=tmp)
    assert whole.returncode == 0, whole.stderr
    out = tmp / "whole" / "测试县" / "2020"
    return {"tmp": tmp, "folder": folder, "out": out, "rows": rows(out), "panel": panel(out / "乙镇.html")}


def rows(out, unit="乙镇"):
    found = csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8-sig")))
    return [r for r in found if r["unit"] == unit]


def panel(page):
    """The findings panel of a review page, as its reader sees it."""
    return BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("section.findings").get_text("\n")


def test_only_one_unit_still_finds_what_it_copied_from_the_others(county):
    assert [tuple(r[k] for k in ("unit", "rule", "row", "expected", "actual")) for r in county["rows"]
            if r["rule"] == "narrative.copied"] == COPIED
    done = nianbao("run", county["folder"], "--only", "乙镇", "--out", "alone", "--pages-only", cwd=county["tmp"])
    assert done.returncode == 0, done.stderr
    assert "共1个单位：新生成1份" in done.stderr
    out = county["tmp"] / "alone" / "测试县" / "2020"
    assert not (out / "甲镇.html").exists()             # only 乙镇 ran
    assert rows(out) == county["rows"]
    assert panel(out / "乙镇.html") == county["panel"]
    assert "「一、总体情况」与本县甲镇的内容基本相同" in county["panel"]


def test_only_one_unchanged_unit_is_skipped_and_forced_it_is_the_same(county):
    tmp, out = county["tmp"], county["out"]
    again = nianbao("run", county["folder"], "--only", "乙镇", "--out", "whole", "--pages-only", cwd=tmp)
    assert again.returncode == 0 and "共1个单位：新生成0份，未变化跳过1份" in again.stderr, again.stderr
    forced = nianbao("run", county["folder"], "--only", "乙镇", "--out", "whole", "--pages-only", "--force", cwd=tmp)
    assert forced.returncode == 0 and "共1个单位：新生成1份，未变化跳过0份" in forced.stderr, forced.stderr
    assert rows(out) == county["rows"]
    assert panel(out / "乙镇.html") == county["panel"]
    assert len(rows(out, "甲镇")) == 2                    # the others kept in the county's list


# ---- a broken params file or target: reported, the others run -----------------------------------

@pytest.fixture
def params(tmp_path):
    """params/商水县/2020.yaml (good: the seed) beside three broken params files."""
    data = tmp_path / "data" / "商水县" / "2020"
    data.mkdir(parents=True)
    shutil.copy(SEED, data / "姚集镇.yaml")
    folder = tmp_path / "params" / "商水县"
    folder.mkdir(parents=True)
    (folder / "2020.yaml").write_text("data: ../../data/商水县/2020\n", encoding="utf-8")
    (folder / "2019.yaml").write_text("data: ../../data/商水县/2019\n", encoding="utf-8")
    (folder / "2021.yaml").write_text("data: ../../data/商水县/2020\ndeadlin: 2022-01-31\n", encoding="utf-8")
    (folder / "2022.yaml").write_text("data: [../../data/商水县/2020\ndeadline: 2023-01-31\n", encoding="utf-8")
    (folder / "2023.yaml").write_bytes(b"data: \x80\x80\x80\n")          # no encoding reads it
    return tmp_path


def test_a_broken_params_file_is_named_and_the_others_still_run(params):
    done = nianbao("run", "params", "--out", "out", "--pages-only", cwd=params)
    assert done.returncode == 2, done.stderr
    assert (params / "out" / "商水县" / "2020" / "姚集镇.html").is_file()
    assert (params / "out" / "商水县" / "2020" / "index.html").is_file()
    lines = done.stderr.splitlines()
    assert "params/商水县/2019.yaml data：找不到数据文件夹“../../data/商水县/2019”" in lines
    assert ("params/商水县/2021.yaml deadlin：未知的项目“deadlin”，是否应为“deadline”？"
            "可用的项目为 data、units、previous、notebook、timeout、deadline") in lines
    assert "params/商水县/2022.yaml 第2行第9列：YAML 格式错误：方括号 [ ] 中的各项应以逗号分隔，最后以 ] 结束" in lines
    assert ("params/商水县/2023.yaml：无法识别文件的编码：应为 UTF-8、GBK/GB18030 或带 BOM 的 UTF-16 编码的文本"
            "（请在编辑器中“另存为”UTF-8）") in lines
    assert "共1个单位：新生成1份，未变化跳过0份；通过1，有错误0，失败0，无法使用0。" in done.stderr
    assert lines[-1] == ("另有4项输入（参数文件、数据文件或文件夹）无法使用，没有运行：params/商水县/2019.yaml、params/商水县/2021.yaml、"
                         "params/商水县/2022.yaml、params/商水县/2023.yaml（原因见上）；其余的已运行。")
    assert "Traceback" not in done.stderr


def test_a_missing_target_is_named_and_the_others_still_run(params):
    done = nianbao("run", "params/商水县/2020.yaml", "nowhere", "--out", "out", "--pages-only", cwd=params)
    assert done.returncode == 2, done.stderr
    assert (params / "out" / "商水县" / "2020" / "姚集镇.html").is_file()
    assert "nowhere：找不到这个文件或文件夹" in done.stderr.splitlines()
    assert done.stderr.splitlines()[-1].startswith("另有1项输入（参数文件、数据文件或文件夹）无法使用，没有运行：nowhere（")
    nothing = nianbao("run", "nowhere", "params/商水县/2019.yaml", "--out", "out", cwd=params)
    assert nothing.returncode == 2 and nothing.stderr.splitlines() == [
        "nowhere：找不到这个文件或文件夹", "params/商水县/2019.yaml data：找不到数据文件夹“../../data/商水县/2019”"]


# ---- reviews.yaml: bounded, no aliases --------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("姚集镇:\n  - &a {rule: prose.year, note: 说明}\n  - *a\n",
     "reviews.yaml 第3行第5列：使用了 YAML 别名“*a”；审核意见文件中不允许别名，请直接写出内容"),
    ("姚集镇:\n" + "  - {rule: prose.year, note: 说明}\n" * 20000,
     "reviews.yaml：文件过大（723 KB），审核意见文件（reviews.yaml）不应超过 512 KB；请检查是否选错了文件"),
])
def test_a_reviews_file_too_large_or_with_aliases_is_named(tmp_path, text, expected):
    data = tmp_path / "商水县" / "2020" / "姚集镇.yaml"
    data.parent.mkdir(parents=True)
    shutil.copy(SEED, data)
    (data.parent / "reviews.yaml").write_text(text, encoding="utf-8")
    done = nianbao("check", data)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [str(data.parent / expected)]


def test_decisions_for_identical_findings_are_written_once_and_without_aliases(tmp_path):
    from conftest import ROOT
    data = tmp_path / "商水县" / "2020" / "姚集镇.yaml"
    data.parent.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "data" / "broken" / "requests.outcomes_sum.yaml", data)
    done = nianbao("review", data, "--accept", "requests.outcomes_sum", "--accept", "requests.outcomes_sum",
                   "--note", "复核原始台账", "--by", "王五")
    assert done.returncode == 0, done.stderr
    assert "已记录2条审核意见" in done.stdout
    text = (data.parent / "reviews.yaml").read_text(encoding="utf-8")
    assert "&" not in text and "*" not in text
    assert [d["cell"] for d in yaml.safe_load(text)["姚集镇"]] == [
        "requests.total_handled.natural_person", "requests.total_handled.total"]
    assert nianbao("check", data).returncode == 0


def test_the_writer_spells_out_an_object_met_twice():
    from nianbao.io.safe_yaml import NoAliasDumper
    same = {"rule": "prose.year", "note": "说明"}
    assert "&id001" in yaml.safe_dump({"a": [same, same]})      # what PyYAML does by default
    text = yaml.dump({"a": [same, same]}, Dumper=NoAliasDumper, allow_unicode=True)
    assert "&" not in text and "*" not in text and yaml.safe_load(text) == {"a": [same, same]}
