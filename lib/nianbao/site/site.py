"""The output folder as the county's review site: a home page (index.html at its root) listing
every county-year nianbao built there, the search index, each page's navigation and the open data
files. Every page says it is internal (a visible mark, noindex): what a county publishes is made
from this folder by `nianbao publish` (publish.py), which reuses the home and the navigation here.

Built after every run from the county-years' run.json (those of this run and those on disk),
so a county or year not in this run is still listed. A folder without a run.json of nianbao's
is not listed, and nothing in it is touched.

Every page's slots (nav.py) are filled here: those of the county-years this run wrote, and those
of the same counties' other years whose links may have changed. Every link is relative: the folder
works from file://, a USB stick or any static host. The pages come from templates
(templating.py, render/templates/site/).
"""
from __future__ import annotations

from pathlib import Path

from ..errors import display_path, unreadable
from ..io.files import atomic_write
from . import open_data, record, search
from .county_index import DEMO_WORDS, status_counts
from .nav import (HOME, NOINDEX, SUMMARY, county_anchor, fill_slot, index_nav, summary_nav,
                  unit_nav)
from .paths import COUNTY_DATA, DATA_FILES
from .record import RUN_JSON
from .templating import href, page

GENERATOR = '<meta name="generator" content="nianbao">'
# in a unit's record in run.json from when its pages are written until publish() has filled their
# navigation and written its data files: a run killed in between has the next run do them, even
# though the unit itself is unchanged and not built again
PENDING = "site_pending"


def _fresh(rec: dict) -> bool:
    """Built by this run, or by one that ended before publishing it."""
    return not rec.get("skipped") or bool(rec.get(PENDING))


def _published(records: list[dict]) -> bool:
    """After a publish(): the records no longer pending; True when one was."""
    pending = [rec for rec in records if PENDING in rec]
    for rec in pending:
        del rec[PENDING]
    return bool(pending)
TITLE = "政府信息公开工作年度报告"


def write_if_changed(path: Path, data: str | bytes) -> bool:
    """Written (atomically) only when it differs from what is there: True when written."""
    data = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    atomic_write(path, data)
    return True


def home_html(site: dict[Path, dict], internal: bool = True) -> str:
    """Every county, its years newest first: units, (on the review site) how they came out, when
    built. `site`: county-year folder → its run.json content (on the public site: its published
    units only)."""
    counties: dict[str, list[tuple[Path, dict]]] = {}
    for folder, content in site.items():
        counties.setdefault(folder.parent.name, []).append((folder, content))
    shown = []
    for name, years in counties.items():
        county = str(years[0][1].get("county") or name)
        shown.append({"name": county, "anchor": county_anchor(county), "years": [
            {"year": content.get("year"), "href": href(folder.parent.name, folder.name, HOME),
             "units": len(content.get("units", [])),
             "status": status_counts(content.get("units", [])) if internal else "",
             "demo": any(r.get("demo") for r in content.get("units", [])),
             "built": str(content.get("generated") or "")[:16].replace("T", " ")} for folder, content in years]})
    units = sum(len(content.get("units", [])) for content in site.values())
    names = [county["name"] for county in shown]
    who = "、".join(names[:3]) + (f"等{len(names)}个县（市、区）" if len(names) > 3 else "")
    years = len({str(content.get("year")) for content in site.values()})
    description = f"{who}政府信息公开工作年度报告：共{units}份，涵盖{years}个年度，可按单位名称查找。"
    return page("home.html", internal=internal, title=TITLE, description=description, counties=shown,
                search=search.search_box(""), demo_words=DEMO_WORDS,
                built_word="生成于" if internal else "更新于")


def home_of(county_year: Path) -> Path | None:
    """The site's home above a county-year folder, when nianbao wrote it (what a run points to)."""
    home = county_year.parent.parent / HOME
    return home if home.is_file() and not foreign_home(home) else None


def foreign_home(path: Path) -> bool:
    """An index.html at the root that nianbao did not write: never overwritten."""
    try:
        with path.open("rb") as handle:
            return GENERATOR.encode() not in handle.read(2048)
    except FileNotFoundError:
        return False
    except OSError:
        return True


def publish(out_root: Path, before: dict[Path, dict], written: dict[Path, dict]) -> list[str]:
    """After a run: the home, the search index, the open data of the county-years written
    (`written`: folder → run.json content) and the navigation of every page whose links may have
    changed — theirs, and those of the same counties' other years. `before`: run.json contents
    read at the start. Returns what could not be done, in Chinese (the reports are unaffected)."""
    try:
        problems = _publish(out_root, before, written)
    except OSError as exc:               # the reports are written: say so, no traceback
        return [f"网站首页、搜索索引、导航或数据文件未能全部写入（{unreadable(exc)}），报告本身已生成"]
    for folder, content in written.items():    # every unit's pages now as published: run.json says so
        if _published(content["units"]):
            record.write(folder, content)
    return problems


def _publish(out_root: Path, before: dict[Path, dict], written: dict[Path, dict]) -> list[str]:
    root = Path(out_root).resolve()
    site = {f: c for f, c in {**before, **written}.items()
            if f.name.isdigit() and (f / RUN_JSON).is_file()}     # as read: record.load_all
    site = dict(sorted(site.items(), key=lambda item: (item[0].parent.name, -int(item[0].name))))
    problems = []
    home = root / HOME
    if not site and not home.exists():
        return problems                  # nothing built: nothing written (an unusable input)
    if foreign_home(home):
        problems.append(f"{display_path(home)}不是nianbao生成的，未覆盖：首页未更新")
    else:
        write_if_changed(home, home_html(site))
    write_if_changed(root / search.INDEX, search.index_script(search.index_data(site, review=True)))
    for folder in written:
        if folder in site:
            _open_data(folder, site[folder])
    by_county: dict[Path, dict[str, dict]] = {}
    for folder, content in site.items():
        by_county.setdefault(folder.parent, {})[folder.name] = content
    for county_folder in {f.parent for f in written if f in site}:
        _navigate(county_folder, by_county[county_folder], {f.name for f in written if f.parent == county_folder})
    return problems


def _open_data(folder: Path, content: dict) -> None:
    """Each unit's data files (again only for a unit built this run, or when missing: an
    unchanged rerun stays quick) and the county-year's."""
    records = [r for r in content.get("units", []) if r.get("status") in ("ok", "errors") and open_data.has_data(r)]
    for rec in records:
        public = (rec.get("outputs") or {}).get("public")
        if not public:
            continue
        stem = folder / public.removesuffix(".public.html")
        paths = {suffix: stem.with_name(stem.name + suffix) for suffix in DATA_FILES.values()}
        if not _fresh(rec) and all(p.is_file() for p in paths.values()):
            continue
        for suffix, text in open_data.unit_files(rec).items():
            write_if_changed(paths[suffix], text)
    if any(map(_fresh, records)) or not (folder / COUNTY_DATA).is_file():
        write_if_changed(folder / COUNTY_DATA, open_data.county_csv(records))


def _navigate(county_folder: Path, years: dict[str, dict], touched: set[str]) -> None:
    """Fill the slots of a county's pages: every year's index and summary, and the pages of each
    unit built in a touched year with the same unit's pages in the other years (the same file
    name). A unit skipped as unchanged keeps the navigation it has: its other years' pages, had
    one been built, would have put it in `names` (an unchanged rerun reads no unit page). Every
    page is marked internal, and noindex in its head."""
    built = {year: {(r.get("outputs") or {}).get("public"): r for r in c.get("units", [])
                    if (r.get("outputs") or {}).get("public")} for year, c in years.items()}
    names = {name for year in touched for name, rec in built.get(year, {}).items() if _fresh(rec)}
    for year, content in years.items():
        folder = county_folder / year
        others = [y for y in years if y != year]
        fill_slot(folder / HOME, index_nav(content, others, (folder / COUNTY_DATA).is_file()))
        fill_slot(folder / SUMMARY, summary_nav(content, [y for y in others if (county_folder / y / SUMMARY).is_file()]),
                  NOINDEX)
        for name, rec in built[year].items():
            if name not in names:
                continue
            same = [(y, built[y][name]) for y in years if y != year and name in built[y]]
            data = (folder / (name.removesuffix(".public.html") + DATA_FILES["csv"])).is_file()
            for kind in ("public", "review"):
                if (rec.get("outputs") or {}).get(kind):
                    fill_slot(folder / rec["outputs"][kind], unit_nav(content, rec, kind, same, data), NOINDEX)
