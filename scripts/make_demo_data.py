"""Demonstration data for the township-level units of 商水县 (all but 姚集镇, whose 2020 report is
real), so that `make report` runs a whole county. Reproducible: every unit's numbers come from a
random generator seeded with its name, and the arithmetic holds by construction — except for the
few deliberate, typical errors listed in MISTAKES, there for the checks and the index to show.

Every file says `demo: true`; its pages then carry 示例数据（非真实）.
Usage: python scripts/make_demo_data.py [--out data]   (writes <out>/商水县/<year>/<unit>.yaml)
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
from pathlib import Path

COUNTY = "商水县"
SUBDISTRICTS = ["新城", "东城", "老城"]
TOWNS = ["黄寨", "练集", "魏集", "固墙", "白寺", "巴村", "谭庄", "邓城", "胡吉", "郝岗", "姚集", "张庄"]
TOWNSHIPS = ["城关", "平店", "袁老", "化河", "舒庄", "大武", "张明", "汤庄"]
REAL = {"姚集镇"}                                   # data/商水县/2020/姚集镇.yaml is the real report
WITH_2019 = ["新城街道", "黄寨镇", "练集镇", "城关乡", "张明乡"]   # cross-year checks have last year
MISTAKES = {
    "黄寨镇": "outcome",      # an outcome row raised by one: （七）总计 no longer adds up
    "练集镇": "carry_over",   # 上年结转 differs from last year's 结转下年度继续办理
    "魏集镇": "missing",      # a blank cell (blank is not 0)
}
APPLICANTS = ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org"]
OUTCOMES = {   # row: weight of a handled request ending there
    "granted": 60, "partially_granted": 8, "withheld_state_secret": 0, "withheld_prohibited": 0,
    "withheld_three_safeties": 1, "withheld_third_party": 2, "withheld_internal": 1, "withheld_process": 3,
    "withheld_enforcement_file": 0, "withheld_query": 1, "unavailable_not_held": 12,
    "unavailable_needs_creation": 2, "unavailable_unclear": 3, "rejected_petition": 4, "rejected_repeat": 2,
    "rejected_publication": 0, "rejected_excessive": 0, "rejected_confirmation": 1, "other": 1,
}
APPEAL_COLUMNS = ["upheld", "corrected", "other", "pending", "total"]


def units() -> list[tuple[str, str, str]]:
    """(short name, unit name, level) of every township-level unit, in the official order."""
    return ([(f"{n}街道", f"{n}街道办事处", "subdistrict") for n in SUBDISTRICTS]
            + [(f"{n}镇", f"{n}镇人民政府", "township") for n in TOWNS]
            + [(f"{n}乡", f"{n}乡人民政府", "township") for n in TOWNSHIPS])


def rng_for(*words) -> random.Random:
    return random.Random(hashlib.sha256("/".join(map(str, words)).encode()).hexdigest())


def requests(rng: random.Random, level: str, carried_over: dict[str, int]) -> dict[str, dict[str, int]]:
    """Every request row per applicant column; balance and sums hold by construction."""
    rows = {r: {} for r in ["new_received", "carried_over", *OUTCOMES, "total_handled", "carried_forward"]}
    for col in APPLICANTS:
        if col == "natural_person":
            new = rng.randint(2, 18) if level == "subdistrict" else rng.randint(0, 9)
        else:
            new = rng.choice([0, 0, 0, 0, 0, 1]) if col in ("commercial", "other_org") else 0
        available = new + carried_over.get(col, 0)
        forward = 1 if available >= 3 and rng.random() < 0.3 else 0
        handled = available - forward
        spread = dict.fromkeys(OUTCOMES, 0)
        for _ in range(handled):
            spread[rng.choices(list(OUTCOMES), weights=list(OUTCOMES.values()))[0]] += 1
        rows["new_received"][col], rows["carried_over"][col] = new, carried_over.get(col, 0)
        for row, count in spread.items():
            rows[row][col] = count
        rows["total_handled"][col], rows["carried_forward"][col] = handled, forward
    for values in rows.values():
        values["total"] = sum(values[c] for c in APPLICANTS)
    return rows


def proactive(rng: random.Random, previous_counts: dict[str, int]) -> dict[str, dict]:
    made = rng.randint(0, 3)
    rows = {"rules": {"new_made": 0, "new_published": 0, "total_published": 0},
            "normative_documents": {"new_made": made, "new_published": made,
                                    "total_published": made + rng.randint(0, 12)}}
    ranges = {"licensing": (2, 12, 40), "other_services": (20, 80, 60), "penalties": (5, 50, 30),
              "coercion": (0, 5, 3)}
    for row, (low, high, most) in ranges.items():
        before = previous_counts.get(row, rng.randint(low, high))
        rows[row] = {"previous_count": before, "change": rng.randint(-min(before, 2), 3),
                     "decisions": rng.randint(0, most)}
    fees = previous_counts.get("fees", rng.randint(0, 2))
    rows["fees"] = {"previous_count": fees, "change": -1 if fees and rng.random() < 0.3 else 0}
    projects = rng.randint(0, 12)
    rows["procurement"] = {"projects": projects,
                           "amount": round(rng.uniform(40, 2500), 2) if projects else 0}
    return rows


def appeals(rng: random.Random) -> dict[str, dict[str, int]]:
    rows = {}
    for row in ("review", "suit_direct", "suit_after_review"):
        values = {c: (rng.choice([0] * 8 + [1]) if c != "total" else 0) for c in APPEAL_COLUMNS}
        values["total"] = sum(values[c] for c in APPEAL_COLUMNS[:-1])
        rows[row] = values
    return rows


# The narrative is written from pools of sentences with this unit's own places and work in them,
# so that two units' texts are as different as two real townships' (narrative.copied must stay
# quiet on them) — except for the cases in COPIES, there for that rule to show.
COPIES = {
    ("袁老乡", 2020): ("平店乡", 2020),   # a township that took its neighbour's text as a template
    ("城关乡", 2020): ("城关乡", 2019),   # § 五 republished from last year, word for word
}
LATE = {"舒庄乡": dt.date(2021, 2, 26)}   # published after the county's deadline (params: deadline)
SYLLABLES = "李王张刘陈杨黄赵周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余杜叶程魏苏吕丁任沈姚卢傅钟"
PLACES = "庄营寨楼店集桥湾屯岗"
TOPICS = ["高标准农田建设", "农村人居环境整治", "乡村振兴项目", "防汛抗旱", "疫情防控", "低保和特困供养",
          "退役军人服务", "小麦秸秆禁烧", "义务教育学生资助", "农村危房改造", "耕地地力保护补贴", "集贸市场改造",
          "饮水安全工程", "村级财务公开", "人居环境示范村创建", "残疾人两项补贴"]
CHANNELS = ["县政府门户网站乡镇专栏", "政务公开栏", "政务微信公众号", "村务公开栏", "便民服务中心电子屏",
            "广播和宣传车", "政务服务大厅查阅点", "微信工作群"]
# every clause names this unit's places or work: only the last sentence of § 一 is common to all
OVERVIEW = [
    "{unit}把{t1}和{t2}作为本年度公开的重点，逐项公布{t1}的实施方案和资金安排",
    "在{v1}、{v2}等村新设政务公开栏，{v1}的公开栏由村干部每月更新{t1}信息",
    "依托{c1}和{c2}发布政府信息，{v2}的群众也能查阅{t2}的办理进度",
    "{t1}信息由党政办统筹、{t2}信息由相关站所负责并在形成后及时公开",
    "对{t2}中涉及群众切身利益的名单，先在{v1}和{v2}张榜公示再上报",
    "组织站所负责人学习《条例》并以{t1}为例开展公开前的保密审查演练",
]
PROBLEMS = [
    "{t1}的信息多为通知和名单、政策解读偏少",
    "{v1}等偏远村的公开栏更新不够及时",
    "部分站所把{t2}的信息报送当作额外任务、报送迟缓",
    "{c1}的栏目设置不够清晰、群众查找{t1}的信息不方便",
    "兼职人员调整频繁导致{t2}信息的审核把关不够严格",
]
IMPROVEMENTS = [
    "围绕{t1}增加图解和问答式解读",
    "把{v1}、{v2}等村的公开栏纳入每月督查",
    "明确各站所{t2}信息的报送时限并逾期通报",
    "优化{c1}的栏目、按事项分类发布{t1}信息",
    "开展{t2}信息审核的专题培训、落实先审后发",
]


def _village(rng: random.Random) -> str:
    return rng.choice(SYLLABLES) + rng.choice(PLACES) + "村"


def narrative(short: str, unit: str, year: int, req: dict) -> dict[str, str]:
    """One unit's narrative of one year, from its own places and topics (seeded by unit and year)."""
    rng = rng_for(COUNTY, short, year, "narrative")
    slots = {"unit": unit, "v1": _village(rng), "v2": _village(rng)}
    slots.update(zip(("t1", "t2"), rng.sample(TOPICS, 2)))
    slots.update(zip(("c1", "c2"), rng.sample(CHANNELS, 2)))

    def pick(pool: list[str], count: int) -> list[str]:
        return [sentence.format(**slots) for sentence in rng.sample(pool, count)]

    received, handled = req["new_received"]["total"], req["total_handled"]["total"]
    granted = req["granted"]["total"] + req["partially_granted"]["total"]
    return {
        "overview": (f"{year}年，" + "。".join(pick(OVERVIEW, 4)) + "。"
                     f"本年度新收政府信息公开申请{received}件，办理完毕{handled}件，其中予以公开或部分公开{granted}件。"),
        "problems": "；".join(pick(PROBLEMS, 2)) + "。",
        "improvements": "；".join(pick(IMPROVEMENTS, 3)) + "。",
        "other": "无其他需要报告的事项。",
    }


def copied_narrative(story: dict, source: dict, source_unit: str, unit: str) -> dict[str, str]:
    """§ 一 and § 五 taken from another text with only the unit's name changed; this year's
    own numbers stay (overview's last sentence)."""
    own_numbers = story["overview"].rsplit("。", 2)[-2]
    overview = source["overview"].replace(source_unit, unit).rsplit("。", 2)[0] + "。" + own_numbers + "。"
    return {**story, "overview": overview,
            "problems": source["problems"].replace(source_unit, unit),
            "improvements": source["improvements"].replace(source_unit, unit)}


def flow(values: dict) -> str:
    return "{" + ", ".join(f"{k}: {'' if v is None else v}" for k, v in values.items()) + "}"


def document(short: str, unit: str, level: str, year: int, tables: dict, story: dict, published: dt.date) -> str:
    lines = [f"# 示例数据（非真实）：由 scripts/make_demo_data.py 生成，不是{unit}的真实报告。",
             f"unit: {unit}", f"short_name: {short}", f"level: {level}", f"county: {COUNTY}",
             f"year: {year}", 'edition: "2019"', f"published: {published.isoformat()}", "demo: true",
             "narrative:"]
    lines += [f"  {key}: {text}" for key, text in story.items()]
    for table in ("proactive", "requests", "appeals"):
        lines.append(f"{table}:")
        lines += [f"  {row}: {flow(values)}" for row, values in tables[table].items()]
    return "\n".join(lines) + "\n"


def year_of(short: str, unit: str, level: str, year: int, carried: dict, counts: dict) -> tuple[str, dict]:
    rng = rng_for(COUNTY, short, year)
    tables = {"proactive": proactive(rng, counts), "requests": requests(rng, level, carried),
              "appeals": appeals(rng)}
    story = narrative(short, unit, year, tables["requests"])
    if (short, year) in COPIES:
        source_short, source_year = COPIES[short, year]
        source_unit = next(u for s, u, _ in units() if s == source_short)
        source_tables = year_of(source_short, source_unit, level, source_year, {}, {})[1]
        source = narrative(source_short, source_unit, source_year, source_tables["requests"])
        story = copied_narrative(story, source, source_unit, unit)
        if source_short == short:          # its own last year: only § 五 repeated
            story = {**story, "overview": narrative(short, unit, year, tables["requests"])["overview"]}
    published = dt.date(year + 1, 1, rng.randint(10, 31))
    published = LATE.get(short, published) if year == 2020 else published
    return document(short, unit, level, year, tables, story, published), tables


def next_counts(proactive_rows: dict) -> dict[str, int]:
    """This year's 上一年项目数量 from last year's count and change."""
    return {row: v["previous_count"] + v["change"] for row, v in proactive_rows.items() if "previous_count" in v}


def make(out: Path) -> list[Path]:
    written = []
    for short, unit, level in units():
        if short in REAL:
            continue
        carried, counts = {}, {}
        if short in WITH_2019:
            text, last = year_of(short, unit, level, 2019, {}, {})
            written.append(write(out / COUNTY / "2019" / f"{short}.yaml", text))
            carried = dict(last["requests"]["carried_forward"])
            counts = next_counts(last["proactive"])
        mistake = MISTAKES.get(short)
        if mistake == "carry_over":
            carried["natural_person"] = carried.get("natural_person", 0) + 2
        text, tables = year_of(short, unit, level, 2020, carried, counts)
        if mistake == "outcome":
            row = tables["requests"]["granted"]
            text = text.replace(f"  granted: {flow(row)}",
                                f"  granted: {flow({**row, 'natural_person': row['natural_person'] + 1, 'total': row['total'] + 1})}")
        elif mistake == "missing":
            row = tables["appeals"]["review"]
            text = text.replace(f"  review: {flow(row)}", f"  review: {flow({**row, 'pending': None})}")
        written.append(write(out / COUNTY / "2020" / f"{short}.yaml", text))
    return written


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "data")
    files = make(parser.parse_args().out)
    print(f"{len(files)} demonstration files written")
