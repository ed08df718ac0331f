"""Where a value sits in a YAML text: JSON paths mapped back to line and column.

The file is composed once more into PyYAML's node tree (safe: composing builds no
Python objects), and a path such as ``contacts/2/tokens/shop_bot`` is followed node by
node. A path that leaves the tree stops at the deepest node reached.
"""

from __future__ import annotations

from collections.abc import Iterable

import yaml


class Positions:
    def __init__(self, text: str) -> None:
        try:
            self.root = yaml.compose(text, Loader=yaml.SafeLoader)
        except yaml.YAMLError:
            self.root = None

    def locate(self, path: Iterable[str | int], *, key: bool = False) -> tuple[int, int]:
        """1-based (line, column) of the value at ``path``, or of its key when ``key`` is set."""
        node = self.root
        if node is None:
            return 1, 1
        found = node
        for step in path:
            if isinstance(node, yaml.MappingNode):
                pair = next((p for p in node.value if _scalar(p[0]) == str(step)), None)
                if pair is None:
                    break
                found = pair[0]
                node = pair[1]
                if not key:
                    found = node
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                found = node = node.value[step]
            else:
                break
        mark = found.start_mark
        return mark.line + 1, mark.column + 1

    def key_of(self, path: list, name: str) -> tuple[int, int]:
        """Position of the key ``name`` inside the mapping at ``path``."""
        return self.locate([*path, name], key=True)


def _scalar(node: yaml.Node) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None
