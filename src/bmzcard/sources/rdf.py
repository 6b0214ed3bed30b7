"""Read an RDF: safe YAML first, then `bioimageio.spec` with io checks off.

The YAML is composed into nodes before anything is built, and a document whose
aliases would expand beyond `MAX_EXPANDED_NODES` (a "billion laughs") is refused
before it can hang a validator. The description is upgraded to the latest
format where the spec can; otherwise it is read in its own format.
"""

from __future__ import annotations

import hashlib
import io
import warnings
import zipfile
from dataclasses import dataclass
from typing import Any

from bmzcard.errors import BmzcardError
from bmzcard.sources.limits import check_yaml_nesting
from bmzcard.sources.package import MAX_RDF_BYTES, Package

MAX_EXPANDED_NODES = 200_000

# Format 0.3/0.4 writes axes as letters ("bcyx"); format 0.5 names their types.
AXIS_LETTER_TYPES = {"b": "batch", "c": "channel", "i": "index", "t": "time", "x": "space", "y": "space", "z": "space"}


@dataclass
class LoadedRdf:
    package: Package
    raw: dict[str, Any]  # the RDF as written, plain Python data
    description: Any  # a bioimageio.spec resource description (any format)
    upgraded: bool  # True when the description was converted to the latest format
    sha256: str  # of the RDF file as read
    rejected: str | None = None  # bioimageio.spec's one-line error when it rejects the RDF (description is None)


def read_raw(package: Package) -> dict[str, Any]:
    """The RDF as plain data, refusing huge files and alias bombs."""
    return parse_raw(package.read_bytes(package.rdf_name, MAX_RDF_BYTES), package.display())


def parse_raw(content: bytes, where: str) -> dict[str, Any]:
    """RDF bytes as plain data; `where` names the file in errors."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        document = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise BmzcardError(f"not UTF-8 text (byte {error.start})", path=where) from None
    check_yaml_nesting(document, where)  # before the C parser, which would recurse until it crashes
    yaml = YAML(typ="safe")  # the C parser where ruamel.yaml.clib is installed
    try:
        if "&" in document or "*" in document:  # anchors or aliases: count the expansion first
            node = yaml.compose(io.StringIO(document))
            _check_expansion(node, where)
            data = yaml.constructor.construct_document(node) if node is not None else None
        else:  # no anchors, so nothing can expand
            data = yaml.load(document)
    except MarkedYAMLError as error:
        mark = error.problem_mark
        line = f"line {mark.line + 1}: " if mark is not None else ""
        raise BmzcardError(f"{line}invalid YAML: {error.problem}", path=where) from None
    except YAMLError as error:
        raise BmzcardError(f"invalid YAML: {error}", path=where) from None
    if not isinstance(data, dict):
        raise BmzcardError("the RDF is not a YAML mapping of fields", path=where)
    return data


def _check_expansion(root, where: str) -> None:
    """Count the nodes the document would have with every alias expanded."""
    if root is None:
        return
    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if key in sizes and not children_done:
            continue
        value = node.value
        if isinstance(value, str) or value is None:
            sizes[key] = 1
            continue
        children = [c for pair in value for c in (pair if isinstance(pair, tuple) else (pair,))]
        if children_done:
            sizes[key] = 1 + sum(sizes[id(c)] for c in children)
            if sizes[key] > MAX_EXPANDED_NODES:
                raise BmzcardError(
                    f"YAML aliases expand to more than {MAX_EXPANDED_NODES:,} nodes; refusing a 'billion laughs' document",
                    path=where,
                )
            continue
        if key in sizes:
            continue
        sizes[key] = -1  # on the stack: a recursive alias would loop
        stack.append((node, True))
        for child in children:
            if sizes.get(id(child)) == -1:
                raise BmzcardError("YAML aliases refer to themselves", path=where)
            if id(child) not in sizes:
                stack.append((child, False))


def load_rdf(package: Package, *, keep_rejected: bool = False) -> LoadedRdf:
    """Raw data and the validated description; `BmzcardError` naming the field if invalid.

    With `keep_rejected`, an RDF that is valid YAML but that bioimageio.spec
    rejects is returned as written: `description` None, the spec's one-line
    error in `rejected` (for outputs that can show the RDF as its author wrote it).
    """
    content = package.read_bytes(package.rdf_name, MAX_RDF_BYTES)
    raw = parse_raw(content, package.display())
    sha256 = hashlib.sha256(content).hexdigest()
    try:
        description, upgraded = describe(raw, package)
    except BmzcardError as error:
        if not keep_rejected:
            raise
        return LoadedRdf(package, raw, None, False, sha256, rejected=str(error))
    return LoadedRdf(package, raw, description, upgraded, sha256)


def describe(raw: dict[str, Any], package: Package):
    """Build the bioimageio.spec description, latest format first, io checks off."""
    from bioimageio.spec import InvalidDescr, ValidationContext, build_description

    _quiet_bioimageio_logging()
    # the spec resolves a zip's relative paths inside the open archive
    root = zipfile.ZipFile(package.source) if package.is_zip else package.root
    context = ValidationContext(
        root=root, file_name=package.rdf_name, perform_io_checks=False, log_warnings=False
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # Validate as written first: cheap, and the errors then name the author's own fields.
        own = build_description(raw, context=context)
        if isinstance(own, InvalidDescr):
            raise _invalid(own, package)
        if _is_latest(own):
            return own, False
        latest = build_description(raw, context=context, format_version="latest")
    if isinstance(latest, InvalidDescr):  # the spec cannot upgrade it: read it in its own format
        return own, False
    return latest, True


def _is_latest(description) -> bool:
    from bioimageio.spec.model import ModelDescr

    version = str(getattr(description, "format_version", ""))
    latest = ModelDescr.implemented_format_version
    return version.split(".")[:2] == latest.split(".")[:2]


def _invalid(description, package: Package) -> BmzcardError:
    errors = description.validation_summary.errors
    if not errors:
        return BmzcardError("bioimageio.spec rejects this RDF", path=package.display())
    first = errors[0]
    field = format_loc(first.loc) or "(the RDF as a whole)"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = " ".join(first.msg.split())
    return BmzcardError(f"{message}{more}", path=package.display(), field=field)


def format_loc(loc) -> str:
    """`('inputs', 0, 'axes')` -> `inputs[0].axes`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


_logging_quiet = False


def _quiet_bioimageio_logging() -> None:
    """bioimageio.spec logs through loguru; its warnings go into findings, not the terminal."""
    global _logging_quiet
    if not _logging_quiet:
        from loguru import logger

        logger.disable("bioimageio")
        logger.disable("pydantic")  # the spec's validators log under pydantic's module names
        _logging_quiet = True


#: What a refusal to run package code tells the user, for every command that runs models.
CODE_CONSENT = "bmzcard does not run package code unless you pass --allow-code on the command line"


def package_code(description: Any, weight_format: str) -> str | None:
    """The package's own Python file that running `weight_format` would import, or None.

    Only `pytorch_state_dict` weights name code: an architecture from a file of
    the package (format 0.5 `architecture.source`, 0.4 `architecture: file.py:Name`)
    is package code; one imported from an installed library (`import_from`) is not.
    """
    if weight_format != "pytorch_state_dict":
        return None
    weights = getattr(description.weights, "pytorch_state_dict", None)
    architecture = getattr(weights, "architecture", None)
    if architecture is None:
        return None
    source = getattr(architecture, "source", None) or getattr(architecture, "source_file", None)
    if source is not None:
        return str(source)
    if isinstance(architecture, str) and ":" in architecture and ".py" in architecture.split(":", 1)[0]:
        return architecture.split(":", 1)[0]
    return None
