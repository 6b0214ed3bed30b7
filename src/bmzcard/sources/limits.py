"""Bounds checked on untrusted structured text before a parser sees it.

A YAML or JSON document nested 200,000 levels deep fits in 400 kB; the C YAML
parser recurses on it until the process dies (a segmentation fault, no error),
and Python's parsers raise `RecursionError`. Every RDF, record, settings file
and sidecar is therefore measured first, and refused with one line naming the
file when it nests deeper than any real one (`MAX_NESTING`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from bmzcard.errors import BmzcardError

#: Deepest nesting accepted; real RDFs, records and sidecars stay below 15.
MAX_NESTING = 100

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_BLOCK_INDICATOR = re.compile(r"[-?:][ \t]+")


def _too_deep(where: str | Path) -> BmzcardError:
    return BmzcardError(f"nested more than {MAX_NESTING} levels deep; refusing to parse it", path=where)


def check_json_nesting(text: str, where: str | Path) -> None:
    """Refuse JSON (or TOML-like) text whose brackets nest deeper than `MAX_NESTING`."""
    depth = 0
    for match in _BRACKET.finditer(_JSON_STRING.sub('""', text)):
        depth += 1 if match.group() in "[{" else -1
        if depth > MAX_NESTING:
            raise _too_deep(where)


def check_yaml_nesting(text: str, where: str | Path) -> None:
    """Refuse YAML nesting deeper than `MAX_NESTING`, flow (`[[[`) or block (`- - -`, indentation).

    A cheap bound first (every flow bracket counted as an opening, indentation
    and leading `- `/`? `/`: ` indicators per line); only a document over it is
    parsed into events, by ruamel.yaml's pure-Python parser, which keeps its
    state on a list instead of recursing, and stops at the first level too deep.
    """
    flow = text.count("[") + text.count("{")
    block = 0
    for line in text.splitlines():
        column = len(line) - len(line.lstrip(" "))
        levels = column
        while match := _BLOCK_INDICATOR.match(line, column):
            levels, column = levels + 1, match.end()
        block = max(block, levels)
    # a block sequence may sit at its key's column, so two levels can share one column
    if flow + 2 * block <= MAX_NESTING:
        return
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.events import CollectionEndEvent, CollectionStartEvent

    depth = 0
    try:
        for event in YAML(typ="safe", pure=True).parse(text):
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_NESTING:
                    raise _too_deep(where)
            elif isinstance(event, CollectionEndEvent):
                depth -= 1
    except YAMLError:
        return  # not YAML at all: the real parser reports where


def load_json(text: str, where: str | Path) -> Any:
    """JSON text as data; a one-line error naming `where` when it is not JSON or nests too deep."""
    check_json_nesting(text, where)
    try:
        return json.loads(text)
    except ValueError as error:
        raise BmzcardError(f"not JSON: {error}", path=where) from None
