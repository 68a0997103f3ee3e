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

from collections import defaultdict
from pathlib import Path

import yaml

from ..checks import copied, reviews
from ..checks.context import Context
from ..errors import DataFileError
from ..io import read_input
from .params import Unit

try:
    _Loader = yaml.CSafeLoader
except AttributeError:          # PyYAML without libyaml
    _Loader = yaml.SafeLoader


def _peer(unit: Unit, data: bytes | None) -> tuple[tuple, copied.Peer] | None:
    """(county, year) and what narrative.copied needs of one data file (`data`: its bytes, read
    here, bounded, when not given); None when unreadable (its own problems are reported when the
    unit runs)."""
    try:
        if unit.source.suffix.lower() in (".yaml", ".yml"):
            meta, narrative = _yaml_head(read_input(unit.source) if data is None else data)
        else:
            from ..io import read_report
            report = read_report(unit.source)
            meta = {"unit": report.unit, "short_name": report.short_name, "county": report.county,
                    "year": report.year}
            narrative = report.narrative
    except Exception:            # whatever a hostile file holds: no peer, never the batch's end
        return None
    if not isinstance(narrative, dict) or not all(isinstance(meta[k], (str, int)) for k in meta):
        return None
    narrative = {k: v for k, v in narrative.items() if isinstance(v, str)}
    peer = copied.Peer(str(unit.source), str(meta["short_name"]), (str(meta["unit"]), str(meta["short_name"])),
                       narrative)
    return (str(meta["county"]), str(meta["year"])), peer


WANTED = ("unit", "short_name", "county", "year")


def _yaml_head(data: bytes) -> tuple[dict, dict]:
    """The names, county, year and narrative of a YAML data file, from libyaml's event stream:
    no node is built and the reading stops once they are found (the tables, most of a file,
    come after them in every data file nianbao writes; in any other order they are skipped)."""
    meta: dict = {}
    narrative: dict = {}
    seen: set[str] = set()
    depth, key, inner_key, in_narrative = 0, None, None, False
    for event in yaml.parse(data.decode("utf-8"), Loader=_Loader):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            in_narrative = depth == 2 and key == "narrative"
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
            if depth == 1:
                key, in_narrative = None, False
                if "narrative" in seen and len(meta) == len(WANTED):
                    break
        elif isinstance(event, yaml.ScalarEvent):
            if depth == 1:
                if key is None:
                    key = event.value
                    seen.add(key)
                else:
                    if key in WANTED:
                        meta[key] = event.value
                    key = None
            elif depth == 2 and in_narrative:
                if inner_key is None:
                    inner_key = event.value
                else:
                    narrative[inner_key], inner_key = event.value, None
    return {k: meta.get(k) for k in WANTED}, narrative


def contexts(units: list[Unit], data: dict[Path, bytes],
             peers: list[Unit] | None = None) -> dict[Path, Context | str]:
    """Each unit's context, or why it cannot be made (a reviews file that cannot be used).
    `peers`: every unit of the batch's targets, when only some of them run (`--only`): a unit is
    compared with all of them, exactly as in a whole run (same findings, same unit key). A peer's
    bytes not in `data` are read here, once, and dropped as soon as its narrative is taken."""
    groups: dict[tuple, list[copied.Peer]] = defaultdict(list)
    running = {unit.source for unit in units}
    for unit in peers or units:
        if unit.source in running and unit.source not in data:
            continue             # unreadable: its own run says why
        found = _peer(unit, data.get(unit.source))
        if found:
            groups[found[0]].append(found[1])
    copies: dict[str, list] = {}
    compared: set[str] = set()
    for (county, _), members in groups.items():
        if len(members) > 1:
            compared.update(p.key for p in members)
            copies.update(copied.peer_findings(members, county))
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
                                   tuple(decisions[folder].get(unit.source.stem, ())))
    return out
