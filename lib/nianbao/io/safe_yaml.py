"""YAML as a clerk writes it, and nothing more: a composer that refuses what a data file never
needs and what makes a loader misbehave, each refusal located by line.

- aliases (`*name`): a clerk never needs them, and a kilobyte of nested aliases ("billion
  laughs") expands to gigabytes; refused outright rather than capped.
- tags other than the safe core ones (`!!python/name:…`, `!custom`): refused by name.
- nesting deeper than a data file has (5 levels: table · row · column), capped at MAX_DEPTH
  before the composer's recursion could blow up on thousands of brackets.
- duplicate keys: YAML says the last one wins, which silently files a stale `year:`; both
  lines are named instead.
- keys that are not plain text (a mapping or list used as a key).
Values are constructed one scalar at a time (`scalar`), and a value the safe constructor
cannot build (a date that is not in the calendar, an integer of thousands of digits) comes back
as the text the clerk typed, so the reader can say what is wrong with it.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from ..errors import DataFileError, Problem
from .source import DATA_LIMIT, read_text

MAX_DEPTH = 12
CORE = "tag:yaml.org,2002:"
SAFE_TAGS = {CORE + t for t in ("null", "bool", "int", "float", "str", "timestamp", "seq", "map")}
_constructor = yaml.SafeLoader("")


# PyYAML's problems in a clerk's words (the line and column are said beside them); the first
# pattern that matches the problem (with its context) wins; none: the general advice.
PROBLEMS = (
    (r"quoted scalar.*end of stream|end of stream.*quoted scalar",
     "引号没有配对：{start}开始的引号直到文件末尾都没有结束"),
    (r"end of stream", "文件在括号或引号结束之前就结束了"),
    (r"mapping values are not allowed", "这里不应有冒号：文字中含冒号时请给整段文字加引号，或检查这一行的缩进"),
    (r"could not find expected ':'", "缺少冒号：每一项应写成“项目: 值”"),
    (r"expected ',' or '\]'", "方括号 [ ] 中的各项应以逗号分隔，最后以 ] 结束"),
    (r"expected ',' or '\}'", "花括号 { } 中的各项应以逗号分隔，最后以 } 结束"),
    (r"character '\\t'|tab character", "不能用制表符（Tab）缩进或分隔，请改用空格"),
    (r"found character '(.)' that cannot start any token", "值不能以“{0}”开头，请给这段文字加引号"),
    (r"unknown escape character '(.)'", "双引号中的“\\{0}”无法识别：要写反斜杠本身请写成两个，或改用单引号"),
    (r"expected <block end>, but found '-'", "这里不能以“- ”开始一个列表项，请检查缩进"),
    (r"expected <block end>|did not find expected key",
     "缩进不一致，或一个值后面多了内容：同一层的项目应左对齐，含空格、冒号或引号的文字请整段加引号"),
    (r"expected a comment or a line break", "值后面多了内容，请检查引号"),
    (r"node content", "这里缺少值"),
)


def problem_words(exc: yaml.MarkedYAMLError) -> str:
    """What a YAML syntax error means, in Chinese."""
    said = f"{exc.context or ''} {exc.problem or ''}"
    start = exc.context_mark or exc.problem_mark
    for pattern, words in PROBLEMS:
        found = re.search(pattern, said)
        if found:
            words = words.replace("{start}", f"第{start.line + 1}行第{start.column + 1}列" if start else "这里")
            return words.replace("{0}", found.group(1)) if found.groups() else words
    return "请检查缩进、冒号和引号"


def line(node_or_mark) -> str:
    mark = getattr(node_or_mark, "start_mark", node_or_mark)
    return f"第{mark.line + 1}行"


class _Refused(Exception):
    def __init__(self, mark, message: str):
        super().__init__(message)
        self.mark, self.message = mark, message


class _Composer(yaml.SafeLoader):
    """SafeLoader's scanner and parser; a composer with the limits above."""

    def __init__(self, stream, kind: str = "数据文件"):
        super().__init__(stream)
        self.depth, self.kind = 0, kind
        self.duplicates: list[tuple[str, yaml.Node, yaml.Node]] = []

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise _Refused(event.start_mark, f"使用了 YAML 别名“*{event.anchor}”；{self.kind}中不允许别名，请直接写出内容")
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused(event.start_mark, f"嵌套层次过深（超过{MAX_DEPTH}层）；数据文件最多为 表格·行·列 几层")
        try:
            node = super().compose_node(parent, index)
        finally:
            self.depth -= 1
        if node.tag not in SAFE_TAGS:
            raise _Refused(node.start_mark, f"不支持的 YAML 标记“{node.tag.replace(CORE, '!!')}”；"
                                            "数据文件中只能写文字、数字、日期、列表和“项目: 值”")
        return node

    def compose_mapping_node(self, anchor):
        node = super().compose_mapping_node(anchor)
        seen: dict[str, yaml.Node] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode):
                raise _Refused(key.start_mark, "项目名应为一个词（文字），实际为列表或映射")
            if key.value in seen:
                self.duplicates.append((key.value, seen[key.value], key))
            else:
                seen[key.value] = key
        return node


def compose(text: str, path: Path | str, kind: str = "数据文件") -> yaml.Node | None:
    """The document's node tree; DataFileError with located problems when it breaks the rules.
    `kind`: what the file is, in the clerk's words."""
    loader = _Composer(text, kind)
    try:
        node = loader.get_single_node()
    except _Refused as exc:
        raise DataFileError([Problem(path, f"{line(exc.mark)}第{exc.mark.column + 1}列", None, exc.message)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else None
        raise DataFileError([Problem(path, where, None, f"YAML 格式错误：{problem_words(exc)}")]) from None
    except yaml.YAMLError:
        raise DataFileError([Problem(path, None, None, "YAML 格式错误：请检查缩进、冒号和引号")]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise DataFileError([Problem(path, line(second), key, f"与{line(first)}重复：同一项目写了两次，"
                                     "无法确定以哪一个为准，请删去其中一个")
                             for key, first, second in loader.duplicates])
    return node


def compose_file(path: Path, limit: int = DATA_LIMIT) -> yaml.Node | None:
    return compose(read_text(path, limit), path)


class NoAliasDumper(yaml.SafeDumper):
    """What nianbao writes for itself to read back: never an alias (`&id001`/`*id001`), which
    the composer above refuses; an object met twice is written out twice."""

    def ignore_aliases(self, data) -> bool:
        return True


def scalar(node: yaml.ScalarNode):
    """The value of one scalar; its text as typed when the safe constructor cannot build it."""
    try:
        return _constructor.construct_object(node, deep=True)
    except (ValueError, OverflowError, yaml.constructor.ConstructorError):
        return node.value
    finally:   # the shared constructor would otherwise keep every node it ever saw (a batch leak)
        _constructor.constructed_objects.clear()
        _constructor.recursive_objects.clear()


def plain(node: yaml.Node | None):
    """A whole (small, already bounded) node tree as Python values, for params files."""
    if node is None:
        return None
    if isinstance(node, yaml.MappingNode):
        return {str(scalar(k)): plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [plain(v) for v in node.value]
    return scalar(node)
