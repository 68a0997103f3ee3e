"""What each unit of a batch is told beyond its own files (checks.Context), decided by the client
before any unit runs: the county's deadline (params file), the reviewers' decisions
(reviews.yaml beside the data) and narrative.copied against the other units of its county-year.

Why here and before: the client already holds every input's bytes, and only it sees every unit
of a county-year. Comparing before the units run lets each unit's review page show its copied
sections like any other finding; the context is part of the unit's key, so a unit is rebuilt
when another unit's text changes what it is told. The comparison is an inverted index of clause
hashes per county-year (checks/copied.py), never all pairs of sentences.
"""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import yaml

from ..checks import copied, reviews
from ..checks import peers as county_peers
from ..checks.context import Context
from ..errors import DataFileError
from ..io import read_input
from ..io.params import Unit
from ..model.edition import TABLES, edition_for, load_edition
from ..model.indicators import from_values

try:
    _Loader = yaml.CSafeLoader
except AttributeError:          # PyYAML without libyaml
    _Loader = yaml.SafeLoader


def _peer(unit: Unit, data: bytes | None) -> tuple[tuple, copied.Peer, dict] | None:
    """(county, year), what narrative.copied needs of one data file and its measures (key
    indicators and ratios, checks/peers.py) — `data`: its bytes, read here, bounded, when not
    given; None when unreadable (its own problems are reported when the unit runs)."""
    try:
        if unit.source.suffix.lower() in (".yaml", ".yml"):
            meta, narrative, cells = _yaml_read(read_input(unit.source) if data is None else data)
            measured = _measures(meta, cells)
        else:
            from ..io import read_report
            report = read_report(unit.source)
            meta = {"unit": report.unit, "short_name": report.short_name, "county": report.county,
                    "year": report.year}
            narrative = report.narrative
            measured = county_peers.measures(report.edition, report.value)
    except Exception:            # whatever a hostile file holds: no peer, never the batch's end
        return None
    meta.pop("edition", None)
    if not isinstance(narrative, dict) or not all(isinstance(meta[k], (str, int)) for k in meta):
        return None
    narrative = {k: v for k, v in narrative.items() if isinstance(v, str)}
    peer = copied.Peer(str(unit.source), str(meta["short_name"]), (str(meta["unit"]), str(meta["short_name"])),
                       narrative)
    return (str(meta["county"]), str(meta["year"])), peer, measured


def _measures(meta: dict, cells: dict) -> dict:
    """A YAML file's measures, by its edition (given, or the year's); {} when neither is usable."""
    try:
        edition = load_edition(str(meta["edition"])) if meta.get("edition") else edition_for(int(meta["year"]))
    except (KeyError, LookupError, TypeError, ValueError):
        return {}
    return county_peers.measures(edition, from_values(cells))


WANTED = ("unit", "short_name", "county", "year", "edition")
COUNT = re.compile(r"\d{1,12}")


def _yaml_read(data: bytes) -> tuple[dict, dict, dict]:
    """The names, county, year, edition, narrative and the tables' counts of a YAML data file,
    from libyaml's event stream (no node is built). A cell is kept only when it is a plain
    non-negative integer: anything else (blank, “/”, text) is missing here, as the unit's own
    reading will say."""
    meta: dict = {}
    narrative: dict = {}
    cells: dict = {}
    path: list = []              # the keys of the mappings we are in
    key = None                   # the key just read at the current depth, awaiting its value
    for event in yaml.parse(data.decode("utf-8"), Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            path.append(key)
            key = None
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            path.pop()
            key = None
        elif isinstance(event, yaml.ScalarEvent):
            if key is None:
                key = event.value
                continue
            depth = len(path)
            if depth == 1 and key in WANTED:
                meta[key] = event.value
            elif depth == 2 and path[1] == "narrative":
                narrative[key] = event.value
            elif depth == 3 and path[1] in TABLES and event.implicit[0] and COUNT.fullmatch(event.value):
                cells.setdefault(path[1], {}).setdefault(path[2], {})[key] = int(event.value)
            key = None
    return {k: meta.get(k) for k in WANTED}, narrative, cells


def contexts(units: list[Unit], data: dict[Path, bytes],
             peers: list[Unit] | None = None) -> dict[Path, Context | str]:
    """Each unit's context, or why it cannot be made (a reviews file that cannot be used).
    `peers`: every unit of the batch's targets, when only some of them run (`--only`): a unit is
    compared with all of them, exactly as in a whole run (same findings, same unit key). A peer's
    bytes not in `data` are read here, once, and dropped as soon as its narrative is taken."""
    groups: dict[tuple, list[copied.Peer]] = defaultdict(list)
    measured: dict[tuple, list[dict]] = defaultdict(list)
    where: dict[str, tuple] = {}
    running = {unit.source for unit in units}
    for unit in peers or units:
        if unit.source in running and unit.source not in data:
            continue             # unreadable: its own run says why
        found = _peer(unit, data.get(unit.source))
        if found:
            groups[found[0]].append(found[1])
            measured[found[0]].append(found[2])
            where[found[1].key] = found[0]
    copies: dict[str, list] = {}
    compared: set[str] = set()
    for (county, _), members in groups.items():
        if len(members) > 1:
            compared.update(p.key for p in members)
            copies.update(copied.peer_findings(members, county))
    quartiles = {group: county_peers.told(found) for group, found in measured.items()}
    decisions: dict[Path, dict | str] = {}
    out: dict[Path, Context | str] = {}
    for unit in units:
        folder = unit.source.parent
        if folder not in decisions:
            try:
                decisions[folder] = reviews.load_all(folder / reviews.FILE)
            except DataFileError as exc:
                decisions[folder] = str(exc)
        if isinstance(decisions[folder], str):
            out[unit.source] = decisions[folder]
            continue
        key = str(unit.source)
        out[unit.source] = Context(unit.deadline,
                                   tuple(copies.get(key, ())) if key in compared else None,
                                   tuple(decisions[folder].get(unit.source.stem, ())),
                                   quartiles.get(where.get(key)))
    return out

