"""`nianbao publish OUT SITE`: the public site, what a county uploads to its portal, made from a
run's output folder (the county's review site).

SITE holds the home with its search, each county-year's list of units, each published unit's
public page, PDF, Word file and open data — and nothing else of OUT: no review page, notebook,
run.json, findings.csv, ratios.csv, summary, status or error count. A unit whose data still have
open errors (or whose report was not made) is not published, and the command names it.

Incremental: a file is written (atomically) only when its bytes differ; a file nianbao put in a
county-year folder of SITE that the data no longer give (a unit removed, a year gone) is deleted.
Every name comes from OUT's folders and run.json, and is used only when it is one plain file
name: nothing is written outside SITE.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnsafeName, display_path
from . import open_data, record, search
from .county_index import DEMO_WORDS
from .lock import output_lock
from .nav import EMPTY_HEAD, HOME, index_nav, unit_nav, with_slot
from .paths import COUNTY_DATA, DATA_FILES, safe_component
from .site import foreign_home, home_html, write_if_changed
from .templating import href, page

PUBLISHED = "ok"                      # a unit with open errors, or no report, stays unpublished
DOCUMENTS = ("pdf", "docx")
OURS = (".public.html", ".pdf", ".docx", *DATA_FILES.values(), COUNTY_DATA, HOME)   # what we may delete


@dataclass
class Published:
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    units: int = 0
    left_out: list[str] = field(default_factory=list)      # units not published, and why (Chinese)


def plain_name(name) -> str:
    """`name` when it is one safe file name (as nianbao makes them), else UnsafeName."""
    if not isinstance(name, str) or safe_component(name) != name:
        raise UnsafeName(f"“{name}”不是一个安全的文件名")
    return name


def _plain(name) -> bool:
    try:
        return bool(plain_name(name))
    except UnsafeName:
        return False


def _why_not(rec: dict, folder: Path) -> str | None:
    """Why a unit is not published (Chinese), or None."""
    status = rec.get("status")
    if status == "errors":
        return f"数据有{rec.get('errors', 0)}个未说明的错误（改正数据或在审阅中说明后重新运行 nianbao run）"
    if status != PUBLISHED:
        return "报告未能生成"
    public = (rec.get("outputs") or {}).get("public")
    if not _plain(public) or not public.endswith(".public.html"):
        return "记录中的文件名不安全"
    if not (folder / public).is_file():
        return "公开版网页不在输出文件夹中（请重新运行 nianbao run）"
    return None


def plan(runs: dict[Path, dict], done: Published) -> dict[tuple[str, str], tuple[Path, dict]]:
    """(county folder, year folder) → (OUT's county-year folder, its run.json content with the
    published units only), by county, newest year first."""
    chosen = {}
    for folder, content in sorted(runs.items(), key=lambda item: (item[0].parent.name, -int(item[0].name))):
        units = []
        for rec in content.get("units", []):
            why = _why_not(rec, folder)
            if why:
                done.left_out.append(f"{content.get('county')}{content.get('year')}年 "
                                     f"{rec.get('short_name') or rec.get('display') or rec.get('source')}：{why}")
            else:
                units.append(rec)
        if units:
            chosen[(folder.parent.name, folder.name)] = folder, {**content, "units": units}
    return chosen


def _put(path: Path, data: str | bytes, wanted: set[Path], done: Published) -> None:
    wanted.add(path)
    if write_if_changed(path, data):
        done.written += 1
    else:
        done.unchanged += 1


def _unit(target: Path, source: Path, content: dict, rec: dict, others: list[tuple[str, dict]],
          wanted: set[Path], done: Published) -> None:
    """A unit's public page (its slots filled for the public site), PDF, Word file and data."""
    outputs = {"public": rec["outputs"]["public"]}
    for kind in DOCUMENTS:
        name = (rec.get("outputs") or {}).get(kind)
        if name and _plain(name) and (source / name).is_file():
            outputs[kind] = name
            data = (source / name).read_bytes()
            _put(target / name, data, wanted, done)
    rec = {**rec, "outputs": outputs}
    stem = outputs["public"].removesuffix(".public.html")
    if open_data.has_data(rec):
        for suffix, text in open_data.unit_files(rec).items():
            _put(target / (stem + suffix), text, wanted, done)
    nav = unit_nav(content, rec, "public", others, open_data.has_data(rec), internal=False)
    html = with_slot(with_slot((source / outputs["public"]).read_bytes(), nav), EMPTY_HEAD)
    _put(target / outputs["public"], html, wanted, done)


def county_list(content: dict, other_years: list[str], data: bool) -> str:
    """A county-year's list of its published units."""
    units = []
    for rec in content["units"]:
        outputs = rec["outputs"]
        stem = outputs["public"].removesuffix(".public.html")
        files = [(text, href(outputs[kind])) for kind, text in (("pdf", "PDF"), ("docx", "Word")) if outputs.get(kind)]
        if open_data.has_data(rec):
            files.append(("数据（CSV）", href(stem + DATA_FILES["csv"])))
        units.append({"name": rec.get("short_name") or rec.get("display") or "", "page": href(outputs["public"]),
                      "demo": rec.get("demo"), "files": files})
    county, year = content["county"], content["year"]
    title = f"{county}{year}年政府信息公开工作年度报告（各乡镇、街道）"
    nav = index_nav(content, other_years, data, internal=False)
    return page("county_public.html", internal=False, title=title, units=units, demo_words=DEMO_WORDS,
                description=f"{county}{year}年各乡镇（街道）政府信息公开工作年度报告：共{len(units)}个单位，"
                            "每个单位的报告、PDF、Word文件和数据。",
                nav=nav.decode(), demo=any(u["demo"] for u in units), search=search.search_box("../../"),
                data=href(COUNTY_DATA) if data else "")


def _remove_stale(site_root: Path, wanted: set[Path], done: Published) -> None:
    """Files nianbao put in SITE's county-year folders that no published unit gives any more;
    a folder counts as ours when its index.html is (foreign files are never touched)."""
    for index in sorted(site_root.glob(f"*/*/{HOME}")):
        folder = index.parent
        if foreign_home(index) or not index.is_file():
            continue
        for path in folder.iterdir():
            if path.is_file() and path not in wanted and path.name.endswith(OURS) and not path.name.startswith("."):
                path.unlink()
                done.removed += 1
        for empty in (folder, folder.parent):
            try:
                empty.rmdir()
            except OSError:
                break


def build(out_root: Path, site_root: Path) -> Published:
    done = Published()
    chosen = plan(record.load_all(out_root), done)
    wanted: set[Path] = set()
    by_county: dict[str, dict[str, tuple[Path, dict]]] = {}
    for (county, year), item in chosen.items():
        by_county.setdefault(county, {})[year] = item
    for county, years in by_county.items():
        names = {year: {r["outputs"]["public"]: r for r in content["units"]} for year, (_, content) in years.items()}
        for year, (source, content) in years.items():
            target = site_root / county / year
            for rec in content["units"]:
                name = rec["outputs"]["public"]
                others = [(y, names[y][name]) for y in years if y != year and name in names[y]]
                _unit(target, source, content, rec, others, wanted, done)
                done.units += 1
            data = any(open_data.has_data(r) for r in content["units"])
            if data:
                _put(target / COUNTY_DATA, open_data.county_csv(content["units"]), wanted, done)
            _put(target / HOME, county_list(content, [y for y in years if y != year], data), wanted, done)
    public = {site_root / county / year: content for (county, year), (_, content) in chosen.items()}
    _put(site_root / search.INDEX, search.index_script(search.index_data(public, review=False)), wanted, done)
    _put(site_root / HOME, home_html(public, internal=False), wanted, done)
    _remove_stale(site_root, wanted, done)
    return done


def _refused(out_root: Path, site_root: Path) -> str | None:
    if not out_root.is_dir():
        return f"{display_path(out_root)}：文件夹不存在"
    if not record.load_all(out_root):
        return (f"{display_path(out_root)}：不是 nianbao run 的输出文件夹"
                f"（没有找到 <县>/<年度>/run.json；请先运行 nianbao run --out {display_path(out_root)}）")
    if site_root == out_root or out_root in site_root.parents or site_root in out_root.parents:
        return (f"公开网站文件夹“{display_path(site_root)}”不能与输出文件夹“{display_path(out_root)}”相同"
                "或互相包含：请另选一个文件夹")
    if foreign_home(site_root / HOME):
        return f"{display_path(site_root / HOME)}不是nianbao生成的，未覆盖：请另选一个文件夹"
    return None


def run_publish(out: str, site: str) -> int:
    """The command: 0 every unit published; 1 some left out (named); 2 nothing usable."""
    out_root, site_root = Path(out).resolve(), Path(site).resolve()
    refused = _refused(out_root, site_root)
    if refused:
        print(refused, file=sys.stderr)
        return 2
    with output_lock(out_root), output_lock(site_root):
        done = build(out_root, site_root)
    for line in done.left_out:
        print(f"未发布：{line}", file=sys.stderr)
    print(f"公开网站：发布{done.units}个单位；写入{done.written}个文件，未变化{done.unchanged}个，"
          f"删除{done.removed}个。\n  → {display_path(site_root / HOME)}", file=sys.stderr)
    return 1 if done.left_out else 0
