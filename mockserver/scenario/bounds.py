"""How large a scenario may be, checked before it is built: its text, and what YAML aliases add.

PyYAML builds an alias as a second reference to the same object, so a "billion laughs"
document (each level aliasing the one below ten times) loads in microseconds, but every
walk over it (the schema check, normalization, a JSON dump) visits each expansion: 10^9
nodes. So the composed node graph is measured first, and a document whose aliases would add
more than ``MAX_ALIAS_NODES`` nodes, or that contains itself, is refused without being built.
"""

from __future__ import annotations

import yaml

MAX_SCENARIO_BYTES = 64 * 1024 * 1024
MAX_ALIAS_NODES = 1_000_000  # nodes that aliases may add on top of the nodes written out
MAX_GENERATED = 2_000_000  # contacts all generate blocks make together
MAX_FAULTS = 1000  # fault rules held at once (the scenario's and those added over HTTP)


class TooLarge(ValueError):
    """The scenario is over a bound; the message says which and by how much."""


def check_text_size(size: int) -> None:
    if size > MAX_SCENARIO_BYTES:
        raise TooLarge(f"the scenario is {size} bytes; at most {MAX_SCENARIO_BYTES} are read")


def load_yaml(text: str) -> object:
    """``yaml.safe_load``, refusing documents whose aliases expand past the bound (TooLarge)."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_expansion(root: yaml.Node) -> None:
    sizes: dict[int, int] = {}  # id(node) -> nodes it stands for once expanded
    open_nodes: set[int] = set()
    written = 0
    expanded = 0

    def size(node: yaml.Node) -> int:
        nonlocal written, expanded
        key = id(node)
        if key in open_nodes:
            raise TooLarge("an alias refers to a node that contains it: the scenario would be infinite")
        if key in sizes:  # an alias: everything under it is visited once more
            expanded += sizes[key]
            if expanded - written > MAX_ALIAS_NODES:
                raise TooLarge(
                    f"YAML aliases would expand the scenario by more than {MAX_ALIAS_NODES} nodes "
                    "(a 'billion laughs' document?); write the repeated parts out or use generate"
                )
            return sizes[key]
        open_nodes.add(key)
        written += 1
        expanded += 1
        total = 1
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node) + size(value_node)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                total += size(item)
        open_nodes.discard(key)
        sizes[key] = total
        return total

    size(root)
