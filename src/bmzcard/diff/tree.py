"""Two RDFs as canonical trees, and the differences between the trees.

`canonical` turns an RDF (the spec's dump, or the raw dict as written) into a
tree in which one meaning has one spelling: whitespace and line wrapping
collapsed, `https://doi.org/` and ORCID URL prefixes dropped, empty values
equal to absent ones, lists of things with ids keyed by id (so a tensor or
axis is addressed as `inputs.raw.axes.y`, not by position), and lists whose
order means nothing (tags, the axes a normalization runs over) as sets.
`compare` walks two canonical trees and yields each difference once, at the
deepest path where it lies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterator

Part = str | int

# Lists whose order carries no meaning, by the last key of their path.
UNORDERED = {"tags", "target_structure", "links", "packaged_by"}
# Under pre-/postprocessing kwargs: the axes a step reduces over form a set.
UNORDERED_KWARGS = {"axes"}
# Lists of people, keyed by name; citations keyed by DOI (else text).
PEOPLE = {"authors", "maintainers", "packaged_by"}

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(?=10\.)", re.IGNORECASE)
_ORCID_PREFIX = re.compile(r"^https?://orcid\.org/", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Keyed:
    """A list of mappings with unique keys: the items by key, and their order."""

    items: dict[str, Any]
    order: tuple[str, ...]


@dataclass(frozen=True)
class Difference:
    """One difference between two canonical trees.

    `aspect` is "value" (a value added, removed or changed), "order" (the same
    keyed items in another order) or "rename" (the only removed item and the
    only added item of a keyed list at the same position: `old`/`new` are keys).
    """

    parts: tuple[Part, ...]
    kind: str  # added, removed, changed
    old: Any
    new: Any
    aspect: str = "value"


def canonical(value: Any, parts: tuple[Part, ...] = ()) -> Any:
    """The canonical form of a plain-data tree (dicts, lists, scalars)."""
    if isinstance(value, dict):
        result = {}
        for key, item in value.items():
            item = canonical(item, (*parts, str(key)))
            if not _empty(item):
                result[str(key)] = item
        return result
    if isinstance(value, (list, tuple)):
        return _canonical_list(list(value), parts)
    if isinstance(value, str):
        text = _SPACE.sub(" ", value).strip()
        text = _DOI_PREFIX.sub("", text)
        return _ORCID_PREFIX.sub("", text)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 1.0 and 1 are one number
    return value


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, (dict, tuple, frozenset)) and not value) or (
        isinstance(value, Keyed) and not value.items
    )


def _canonical_list(items: list, parts: tuple[Part, ...]) -> Any:
    last = str(parts[-1]) if parts else ""
    items = [canonical(item, (*parts, index)) for index, item in enumerate(items)]
    if all(_empty(item) for item in items):  # `[null, null]` says no more than no list
        return ()
    if last in UNORDERED or (last in UNORDERED_KWARGS and "kwargs" in parts):
        return frozenset(_hashable(item) for item in items)
    key = "name" if last in PEOPLE else "doi" if last == "cite" else "id"
    keys = [_item_key(item, key) for item in items]
    if items and all(keys) and len(set(keys)) == len(keys):
        return Keyed(dict(zip(keys, items)), tuple(keys))  # type: ignore[arg-type]
    return tuple(items)


def _item_key(item: Any, key: str) -> str | None:
    if not isinstance(item, dict):
        return None
    value = item.get(key)
    if value is None:  # a citation without DOI is known by its text; a 0.4 tensor by its name
        value = item.get({"doi": "text", "id": "name"}.get(key, key))
    return value if isinstance(value, str) and value else None


def _hashable(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    if isinstance(value, Keyed):
        return tuple((k, _hashable(value.items[k])) for k in value.order)
    if isinstance(value, (tuple, list)):
        return tuple(_hashable(v) for v in value)
    return value


def compare(old: Any, new: Any, parts: tuple[Part, ...] = ()) -> Iterator[Difference]:
    """Every difference between two canonical trees, each at the deepest path it lies."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in list(old) + [k for k in new if k not in old]:
            yield from _compare_item(old.get(key), new.get(key), (*parts, key))
    elif isinstance(old, Keyed) and isinstance(new, Keyed):
        yield from _compare_keyed(old, new, parts)
    elif (
        isinstance(old, tuple)
        and isinstance(new, tuple)
        and len(old) == len(new)
        and any(isinstance(item, (dict, Keyed)) for item in old + new)
    ):
        for index, (a, b) in enumerate(zip(old, new)):
            yield from compare(a, b, (*parts, index))
    elif old != new:
        yield Difference(parts, "changed", plain(old), plain(new))


def _compare_item(old: Any, new: Any, parts: tuple[Part, ...]) -> Iterator[Difference]:
    if old is None and new is not None:
        yield Difference(parts, "added", None, plain(new))
    elif new is None and old is not None:
        yield Difference(parts, "removed", plain(old), None)
    elif old is not None:
        yield from compare(old, new, parts)


def _compare_keyed(old: Keyed, new: Keyed, parts: tuple[Part, ...]) -> Iterator[Difference]:
    removed = [k for k in old.order if k not in new.items]
    added = [k for k in new.order if k not in old.items]
    if len(removed) == 1 and len(added) == 1 and old.order.index(removed[0]) == new.order.index(added[0]):
        before, after = removed[0], added[0]
        yield Difference((*parts, before), "changed", before, after, aspect="rename")
        yield from compare(_without_key(old.items[before]), _without_key(new.items[after]), (*parts, after))
        removed = added = []
    for key in removed:
        yield Difference((*parts, key), "removed", plain(old.items[key]), None)
    for key in added:
        yield Difference((*parts, key), "added", None, plain(new.items[key]))
    common_old = [k for k in old.order if k in new.items]
    common_new = [k for k in new.order if k in old.items]
    if common_old != common_new:
        yield Difference(parts, "changed", common_old, common_new, aspect="order")
    for key in common_old:
        yield from compare(old.items[key], new.items[key], (*parts, key))


def _without_key(item: Any) -> Any:
    """A renamed item's content, less the key that names it (reported as the rename)."""
    if isinstance(item, dict):
        return {k: v for k, v in item.items() if k not in ("id", "name")}
    return item


def plain(value: Any) -> Any:
    """A canonical tree back as JSON data: keyed lists as lists, sets sorted."""
    if isinstance(value, Keyed):
        return [plain(value.items[k]) for k in value.order]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return sorted((plain(v) for v in value), key=repr)
    if isinstance(value, tuple):
        return [plain(v) for v in value]
    return value


def path_text(parts: tuple[Part, ...]) -> str:
    """`("inputs", "raw", "preprocessing", 1)` -> `inputs.raw.preprocessing[1]`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def get(tree: Any, parts: tuple[Part, ...]) -> Any:
    """The canonical value at `parts`, or None."""
    for part in parts:
        if isinstance(tree, Keyed):
            tree = tree.items.get(part) if isinstance(part, str) else None
        elif isinstance(tree, dict):
            tree = tree.get(part)
        elif isinstance(tree, tuple) and isinstance(part, int) and part < len(tree):
            tree = tree[part]
        else:
            return None
    return tree
