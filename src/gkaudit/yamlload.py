"""Strict YAML for configuration files: every malformed input is one ConfigError naming file:line.

On top of PyYAML's SafeLoader: duplicate keys are an error; dates stay strings (validated later with
their field); an explicit tag that cannot read its value (`!!int abc`, `!!timestamp 2025-13-45`)
is an error at its line, not a bare ValueError; nesting deeper than MAX_DEPTH and alias expansions
larger than MAX_NODES are refused (PyYAML recurses per level, and aliases multiply what a validator
walks); undecodable bytes and control characters name their line.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode, Node, SequenceNode

from gkaudit.errors import ConfigError

MAX_DEPTH = 50
MAX_NODES = 100_000
_MERGE = "tag:yaml.org,2002:merge"


def one_line(text: str) -> str:
    """`text` with line breaks and other control characters escaped, so a message stays one line."""
    return "".join(ch if ch.isprintable() or ch == " " else repr(ch)[1:-1] for ch in text)


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without implicit timestamps, rejecting duplicate keys, deep nesting and bad tagged values."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(None, None, f"嵌套超过 {MAX_DEPTH} 层 / nested deeper than "
                                                  f"{MAX_DEPTH} levels", self.peek_event().start_mark)
            return super().compose_node(parent, index)  # type: ignore[no-any-return]
        finally:
            self._depth -= 1

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:  # type: ignore[override]
        if isinstance(node, MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if key_node.tag == _MERGE:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                except TypeError:  # unhashable: PyYAML reports it below
                    continue
                if duplicate:
                    raise ConstructorError("在映射中 / in a mapping", node.start_mark,
                                           f"重复的键 / duplicate key {one_line(str(key))!r}", key_node.start_mark)
                seen.add(key)
        return super().construct_mapping(node, deep)  # type: ignore[no-any-return]

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            raise ConstructorError(None, None, f"值无法按 {node.tag} 读取 / cannot read the value as {node.tag}: "
                                   f"{one_line(str(exc))[:120]}", node.start_mark) from None


StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _expanded_size(node: Node, memo: dict[int, int]) -> int:
    """Nodes a validator walks below `node`, aliases expanded (memoised: linear in the document)."""
    if (known := memo.get(id(node))) is not None:
        return known
    memo[id(node)] = 1  # a recursive alias counts once
    size = 1
    if isinstance(node, SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[id(node)] = size
    return size


def _too_large(root: Node) -> Node | None:
    """The innermost node whose alias expansion exceeds MAX_NODES, or None."""
    memo: dict[int, int] = {}
    if _expanded_size(root, memo) <= MAX_NODES:
        return None
    node = root
    while True:
        children = node.value if isinstance(node, SequenceNode) else (
            [n for pair in node.value for n in pair] if isinstance(node, MappingNode) else [])
        bigger = next((c for c in children if memo.get(id(c), 0) > MAX_NODES), None)
        if bigger is None:
            return node
        node = bigger


def load_yaml(text: str, source: str) -> tuple[Any, Node | None]:
    """Parse `text` strictly: (data, root node for line lookups). ConfigError `source:line: ...` otherwise."""
    loader: StrictLoader | None = None
    try:
        loader = StrictLoader(text)  # the reader rejects control characters here already
        root = loader.get_single_node()
        if root is not None and (big := _too_large(root)) is not None:
            raise ConfigError(f"{source}:{big.start_mark.line + 1}: 别名展开后超过 {MAX_NODES} 个节点 / "
                              f"aliases expand to more than {MAX_NODES} nodes")
        data = loader.construct_document(root) if root is not None else None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1 if isinstance(exc.position, int) else 1
        raise ConfigError(f"{source}:{line}: 含有不可打印的字符 / unacceptable character "
                          f"{exc.character!r}: {exc.reason}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else f"{source}:1"
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{where}: YAML 错误 / YAML error: {one_line(str(problem))}") from None
    except RecursionError:  # a defence in depth: MAX_DEPTH keeps PyYAML's recursion well below the limit
        line = loader.get_mark().line + 1 if loader is not None else 1
        raise ConfigError(f"{source}:{line}: 嵌套过深 / nested too deep") from None
    finally:
        if loader is not None:
            loader.dispose()
    return data, root


def decode_utf8(raw: bytes, source: str) -> str:
    """`raw` as UTF-8 text (a BOM allowed), or ConfigError naming the line of the first bad byte."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{source}:{line}: 不是 UTF-8 文本 / not UTF-8 text (byte {exc.start})") from None
