"""The canonical data file (YAML, keyed by the ids of the edition), read with line numbers."""
from __future__ import annotations

from pathlib import Path

import yaml

from ..errors import DataFileError, Problem, suggest
from ..model.edition import edition_for, load_edition
from ..model.report import NARRATIVE, Report
from ..model.contract import META_OPTIONAL, META_REQUIRED, TOP_LEVEL
from .build import Raw, assemble, unknown_id
from .safe_yaml import compose_file, line
from .safe_yaml import scalar as _scalar



def _line(node: yaml.Node) -> str:
    return line(node)


def _mapping(node: yaml.Node) -> dict[str, tuple[yaml.Node, yaml.Node]] | None:
    """{key: (key node, value node)} of a mapping node; None when the node is no mapping.
    Keys are plain scalars and unique: the composer (safe_yaml) refuses anything else."""
    if not isinstance(node, yaml.MappingNode):
        return None
    return {str(_scalar(k)): (k, v) for k, v in node.value}


def _compose(path: Path) -> yaml.Node:
    node = compose_file(path)
    if node is None or not isinstance(node, yaml.MappingNode):
        raise DataFileError([Problem(path, None, None, "文件内容应为“项目: 值”形式的数据（YAML 映射），实际为空或不是映射")])
    return node


def read_yaml(path: str | Path) -> Report:
    path = Path(path)
    top = _mapping(_compose(path))
    problems: list[Problem] = []
    meta: dict[str, Raw] = {}
    for key, (knode, vnode) in top.items():
        if key not in TOP_LEVEL:
            problems.append(Problem(path, _line(knode), key, f"未知的项目“{key}”{suggest(key, TOP_LEVEL)}"))
        elif key in META_REQUIRED or key in META_OPTIONAL:
            value = _scalar(vnode) if isinstance(vnode, yaml.ScalarNode) else vnode
            meta[key] = Raw(value if not isinstance(value, yaml.Node) else "（不是单个值）", _line(vnode))

    narrative: dict[str, Raw] = {}
    if "narrative" in top:
        knode, vnode = top["narrative"]
        entries = _mapping(vnode)
        if entries is None and not (isinstance(vnode, yaml.ScalarNode) and _scalar(vnode) is None):
            problems.append(Problem(path, _line(vnode), "narrative", "应为 overview、problems、improvements、other 各段文字"))
        for key, (k, v) in (entries or {}).items():
            if key not in NARRATIVE:
                problems.append(Problem(path, _line(k), f"narrative.{key}", f"未知的段落“{key}”{suggest(key, NARRATIVE)}"))
            elif not isinstance(v, yaml.ScalarNode):
                problems.append(Problem(path, _line(v), f"narrative.{key}", "应为一段文字"))
            else:
                narrative[key] = Raw(_scalar(v), _line(v))

    edition = _edition_of(meta)
    cells: dict[tuple[str, str, str], Raw] = {}
    row_lines: dict[tuple[str, str], str] = {}
    table_lines: dict[str, str] = {}
    units: dict[str, str] = {}
    for tid, table in (edition.tables.items() if edition else ()):
        if tid not in top:
            continue
        knode, vnode = top[tid]
        table_lines[tid] = _line(knode)
        rows = _mapping(vnode)
        if rows is None:
            if not (isinstance(vnode, yaml.ScalarNode) and _scalar(vnode) is None):
                problems.append(Problem(path, _line(vnode), tid, "应为按行列出的表格（行名: {列名: 数值}）"))
            continue
        row_ids = [r.id for r in table.rows]
        for row_id, (rk, rv) in rows.items():
            if row_id not in row_ids:
                problems.append(unknown_id(path, _line(rk), tid, row_id, row_ids, "行"))
                continue
            row_lines[(tid, row_id)] = _line(rk)
            columns = _mapping(rv)
            if columns is None:
                if not (isinstance(rv, yaml.ScalarNode) and _scalar(rv) is None):
                    problems.append(Problem(path, _line(rv), f"{tid}.{row_id}", "应为这一行各列的数值（列名: 数值）"))
                continue
            col_ids = [c.id for c in table.columns_of(row_id)]
            for col_id, (ck, cv) in columns.items():
                field = f"{tid}.{row_id}.{col_id}"
                if col_id == "unit" and set(table.spec.get("units_allowed", ())) & set(col_ids):
                    units[row_id] = str(_scalar(cv))
                elif col_id not in col_ids:
                    problems.append(unknown_id(path, _line(ck), field, col_id, col_ids, "列"))
                elif not isinstance(cv, yaml.ScalarNode):
                    problems.append(Problem(path, _line(cv), field, "应为单个数值"))
                else:
                    cells[(tid, row_id, col_id)] = Raw(_scalar(cv), _line(cv))

    def locate(tid: str, row_id: str, col_id: str) -> str | None:
        return row_lines.get((tid, row_id)) or table_lines.get(tid)

    return assemble(path, meta, narrative, cells, locate, problems, units)


def _edition_of(meta: dict[str, Raw]):
    """The edition the file's tables are keyed by: the one it names, else the one of its year."""
    try:
        if "edition" in meta and meta["edition"].value not in (None, ""):
            return load_edition(str(meta["edition"].value))
        return edition_for(int(meta["year"].value))
    except (KeyError, LookupError, TypeError, ValueError):
        return None     # the metadata problem is reported by assemble()
