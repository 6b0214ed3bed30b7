"""Write values back into the RDF (card fields under `config.bioimageio`), keeping everything else.

Only the blocks of the keys being set are rewritten: every other line of the
file, comments included, stays byte for byte (a full YAML re-dump would re-wrap
long scalars and move comments). ruamel.yaml's round-trip loader tells where each
key's block starts; the block ends where indentation returns to the key's
column. A mapping on the way written in flow style (`config: {bioimageio: {}}`,
`bioimageio: {}`) or left empty (`config:`) is rewritten whole, in block style,
with the new value in it. The edited RDF is read back and validated with
bioimageio.spec before it is returned.
"""

from __future__ import annotations

import io
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.outputs.files import atomic_write, backup
from bmzcard.sources.package import MAX_RDF_BYTES, Package

CONFIG_PATH = ("config", "bioimageio")


def rdf_text_with_config(package: Package, updates: dict[str, Any]) -> str:
    """The RDF's text with each `config.bioimageio.<key>` set to its value in `updates`.

    Raises
    ------
    BmzcardError
        For a zip package (its RDF cannot be edited in place), an RDF that is not
        valid YAML, a `config` that is not a mapping, or when the edited RDF does
        not validate.
    """
    return rdf_text_with_values(package, {(*CONFIG_PATH, key): value for key, value in updates.items()})


def rdf_text_with_values(package: Package, updates: dict[tuple[str, ...], Any]) -> str:
    """The RDF's text with the value at each key path (`("documentation", "sha256")`) set; validated."""
    from bmzcard.sources.rdf import describe, parse_raw

    if package.is_zip:
        raise BmzcardError("cannot edit an RDF inside a zip; unzip the package and use the folder",
                           path=package.source)
    raw = package.read_bytes(package.rdf_name, MAX_RDF_BYTES)
    parse_raw(raw, package.display())  # the RDF as it is: valid YAML, bounded, a mapping, else a one-line error
    text = raw.decode("utf-8-sig")
    for keys, value in updates.items():
        text = _set(text, keys, value, package)
    try:
        edited = parse_raw(text.encode("utf-8"), package.display())
    except BmzcardError as error:  # a bug of ours, still reported as one line and nothing written
        raise BmzcardError(f"setting {', '.join('.'.join(k) for k in updates)} would leave invalid YAML "
                           f"({error.message}); the RDF is left as it is", path=package.display()) from None
    describe(edited, package)  # raises a BmzcardError naming the field
    return text


def write_rdf(package: Package, text: str) -> bool:
    """Replace the RDF atomically, keeping a backup of the old one; False when it already holds `text`."""
    if package.rdf_path.read_text(encoding="utf-8-sig") == text:
        return False
    backup(package.rdf_path)
    atomic_write(package.rdf_path, text)
    return True


def current_config(package: Package) -> dict[str, Any]:
    """`config.bioimageio` as written in the RDF, plain data (empty when absent)."""
    from bmzcard.sources.rdf import read_raw

    config = read_raw(package).get("config") or {}
    node = config.get("bioimageio") if isinstance(config, dict) else None
    return node if isinstance(node, dict) else {}


def _set(text: str, keys: tuple[str, ...], value: Any, package: Package) -> str:
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap

    lines = text.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    document = YAML().load(text)  # round trip: keeps the line and column of every key
    if document.fa.flow_style() or not document:  # the whole RDF in flow style: no lines to keep; block style
        return _dump(_with_value(document, keys, value, package, ()), 0)
    owner, owner_key, depth = document, None, 0  # owner: the mapping that should hold keys[depth]
    while depth < len(keys) - 1 and keys[depth] in owner:
        child = owner[keys[depth]]
        if child is not None and not isinstance(child, CommentedMap):
            raise BmzcardError(f"is {_kind(child)}, not a mapping of fields; bmzcard cannot set "
                               f"{'.'.join(keys)} in it", path=package.display(), field=".".join(keys[: depth + 1]))
        if child is None or not child or child.fa.flow_style():  # `{...}`, `{}` or empty: rewrite its block
            line, column = owner.lc.key(keys[depth])
            merged = _with_value(child or {}, keys[depth + 1:], value, package, keys[: depth + 1])
            lines[line:_block_end(lines, line, column)] = [_dump({keys[depth]: merged}, column)]
            return "".join(lines)
        owner_key = owner.lc.key(keys[depth])
        owner, depth = child, depth + 1
    if depth == len(keys) - 1 and keys[-1] in owner:  # replace the key's block
        line, column = owner.lc.key(keys[-1])
        old = owner[keys[-1]]
        block_list = isinstance(old, list) and bool(old) and not old.fa.flow_style()  # the author's style stays
        lines[line:_block_end(lines, line, column)] = [_dump({keys[-1]: value}, column, block_list=block_list)]
    else:  # add the missing tail of the path at the end of the deepest mapping that exists
        tail: Any = value
        for key in reversed(keys[depth:]):
            tail = {key: tail}
        if owner_key is None:
            lines.append(_dump(tail, 0))
        else:
            column = owner.lc.key(next(iter(owner)))[1] if owner else owner_key[1] + 2
            end = _block_end(lines, *owner_key)
            lines[end:end] = [_dump(tail, column)]
    return "".join(lines)


def _with_value(mapping: Any, keys: tuple[str, ...], value: Any, package: Package,
                where: tuple[str, ...]) -> dict:
    """A plain copy of `mapping` with `value` set at the key path `keys` (missing mappings added)."""
    data = _plain(mapping)
    node = data
    for depth, key in enumerate(keys[:-1]):
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            raise BmzcardError(f"is {_kind(child)}, not a mapping of fields; bmzcard cannot set "
                               f"{'.'.join(where + keys)} in it", path=package.display(),
                               field=".".join(where + keys[: depth + 1]))
        node = child
    node[keys[-1]] = value
    return data


def _kind(value: Any) -> str:
    """What a YAML value is, in words: `a list`, `a number`, `text`."""
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    return "a list" if isinstance(value, list) else "text" if isinstance(value, str) else "a scalar"


def _plain(node: Any) -> Any:
    """ruamel.yaml's round-trip nodes as plain dicts, lists and scalars."""
    if isinstance(node, dict):
        return {key: _plain(item) for key, item in node.items()}
    if isinstance(node, list):
        return [_plain(item) for item in node]
    return node


def _flow_rows(node: Any) -> Any:
    """Short lists of scalars (a results row, factor names) in flow style: `[0.91 ± 0.03, ...]`."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, dict):
        mapping = CommentedMap()
        for key, item in node.items():
            mapping[key] = _flow_rows(item)
        return mapping
    if isinstance(node, list):
        sequence = CommentedSeq(_flow_rows(v) for v in node)
        if node and all(not isinstance(v, (dict, list)) for v in node) and all(
            not isinstance(v, str) or len(v) <= 40 for v in node
        ):
            sequence.fa.set_flow_style()
        return sequence
    return node


def _dump(data: dict, column: int, *, block_list: bool = False) -> str:
    """Block-style YAML of `data`, every line indented by `column` spaces.

    Short lists of scalars are written in flow style, except the value of a
    one-key `data` when `block_list` (it replaces a list written in block style).
    """
    from ruamel.yaml import YAML

    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096  # one line per entry: diffs of re-measurements stay readable
    stream = io.StringIO()
    rows = _flow_rows(data)
    if block_list:
        for item in rows.values():
            if isinstance(item, list):
                item.fa.set_block_style()
    yaml.dump(rows, stream)
    return "".join(" " * column + line if line.strip() else line for line in stream.getvalue().splitlines(keepends=True))


def _block_end(lines: list[str], line: int, column: int) -> int:
    """Index after the last line belonging to the key at (line, column).

    The block runs while lines are indented deeper than the key; blank lines and
    comments are included only when more of the block follows them.
    """
    end = line + 1
    for index in range(line + 1, len(lines)):
        stripped = lines[index].strip()
        if not stripped:
            continue
        indent = len(lines[index]) - len(lines[index].lstrip(" "))
        if indent == column and stripped.startswith("- "):  # a sequence may sit at its key's column
            end = index + 1
            continue
        if indent <= column:
            break
        if not stripped.startswith("#"):
            end = index + 1
    return end
