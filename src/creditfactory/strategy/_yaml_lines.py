"""Read YAML keeping the line of every key and item, so errors can point at the file."""

from __future__ import annotations

from typing import Any

import yaml

from creditfactory.strategy.errors import StrategyInvalid

Path = tuple[str | int, ...]
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_with_lines(text: str, source: str) -> tuple[Any, dict[Path, int]]:
    """Return the document and a map from each key/item path to its 1-based line.

    Duplicate keys are refused (plain YAML silently keeps the last one, which hides edits).
    """
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise StrategyInvalid("the file is empty", source=source, line=1)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise StrategyInvalid(f"not valid YAML: {exc.problem}", source=source, line=line) from exc
    lines: dict[Path, int] = {(): node.start_mark.line + 1}
    _walk(node, (), lines, source)
    return data, lines


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int], source: str) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = str(key_node.value)
            if key in seen:
                raise StrategyInvalid(
                    f"duplicate key '{key}'", source=source, line=key_node.start_mark.line + 1
                )
            seen.add(key)
            lines[path + (key,)] = key_node.start_mark.line + 1
            _walk(value_node, path + (key,), lines, source)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines[path + (i,)] = item.start_mark.line + 1
            _walk(item, path + (i,), lines, source)


def line_of(loc: tuple[Any, ...], lines: dict[Path, int]) -> int | None:
    """The line of the deepest known prefix of a pydantic error location."""
    path: Path = ()
    best = lines.get(())
    for part in loc:
        candidate = path + (part,)
        if candidate in lines:
            path = candidate
            best = lines[candidate]
    return best
