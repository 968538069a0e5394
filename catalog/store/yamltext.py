"""The steward's YAML read strictly: a key given twice is an error, and a fault is told on
one line with its place.

Apart from `catalog.store.descriptors` so that PyYAML loads with the first descriptor read
(a build, a steward's draft), not with every server: a server reads the store's JSON.
"""

from __future__ import annotations

from typing import Any

import yaml

from validation import printable


class YamlFault(ValueError):
    """Text that is not a YAML document this reads, said on one line."""


def load_strict(text: str) -> Any:
    """The YAML document in `text`, read by the safe loader (no Python objects) except that
    a key given twice is an error; `YamlFault` when it does not read."""
    try:
        return yaml.load(text, Loader=StrictLoader)
    except DuplicateKey as exc:
        raise YamlFault(str(exc)) from None
    except yaml.YAMLError as exc:
        raise YamlFault(f"not readable YAML: {_fault(exc)}") from None


class DuplicateKey(yaml.YAMLError):
    def __init__(self, key: object, line: int, first: int) -> None:
        super().__init__(
            f"line {line}: key `{key}` is given twice in one mapping (first at line {first});"
            " give it once"
        )


class StrictLoader(yaml.SafeLoader):
    """The safe loader, but a key given twice in one mapping is an error: plain YAML keeps
    the last one silently, so a second `footer:` or `遼寧:` remap entry would overrule the
    first without the steward knowing which one the build read."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[object, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *defaults` overrides on purpose
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if isinstance(key, list | dict):
                continue  # unhashable: the safe loader refuses it itself
            if key in seen:
                raise DuplicateKey(printable(str(key)), line, seen[key])
            seen[key] = line
        return super().construct_mapping(node, deep)


def _fault(exc: yaml.YAMLError) -> str:
    """`line 3, column 5: expected ...`: PyYAML's own text quotes the file over lines."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None or problem is None:
        return printable(" ".join(str(exc).split()))
    context = getattr(exc, "context", None)
    said = f"{problem} ({context})" if context else str(problem)
    return printable(f"line {mark.line + 1}, column {mark.column + 1}: {said}")
