"""Small readers and writers every section's facts share: authored values, links, plain text."""

from __future__ import annotations

from typing import Any, Iterable

from bmzcard.facts import md_file_link, md_link, md_text, safe_url
from bmzcard.sources.package import Package
from bmzcard.sources.rdf_facts import written


def get_field(node: Any, name: str, default: Any = None) -> Any:
    """A field of a typed description node or of a plain dict."""
    if isinstance(node, dict):
        return node.get(name, default)
    return getattr(node, name, default)


def authored(node: Any, name: str) -> Any:
    """The value of `name` only when the RDF's author wrote it (not a spec default)."""
    if node is None:
        return None
    if isinstance(node, dict):
        return node.get(name)
    fields_set = getattr(node, "model_fields_set", None)
    if fields_set is not None and name not in fields_set:
        return None
    return getattr(node, name, None)


def bioimageio_config(description: Any, raw: dict | None) -> Any:
    """`config.bioimageio` as typed node (0.5) or plain dict (0.4 and older)."""
    config = getattr(description, "config", None)
    node = get_field(config, "bioimageio") if config is not None else None
    if node is None and raw is not None:
        node = written.bioimageio_config(raw)
    return node if node is not None else {}


def text(value: Any) -> str:
    """Author text as literal Markdown on one line (see `bmzcard.facts.md_text`)."""
    return md_text(value)


def link(url: Any, label: Any = None) -> str:
    return md_link(url, label)


def image(target: str, alt: str) -> str:
    """An image (`alt`: Markdown) from a web address (http/https only) or a package file."""
    if is_url(target):
        url = safe_url(target)
        return f"![{alt}]({url})" if url else alt
    return md_file_link(target, alt, image=True)


def bullets(items: Iterable[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def plain(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(plain(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {plain(v)}" for k, v in value.items()) + "}"
    return str(value)


def kwargs_plain(kwargs: Any) -> str:
    """Operation arguments as the author wrote them, unescaped (for a code span): `axes=[x, y], eps=1e-06`."""
    if kwargs is None:
        return ""
    if hasattr(kwargs, "model_dump"):
        kwargs = kwargs.model_dump(exclude_none=True)
    if not isinstance(kwargs, dict) or not kwargs:
        return ""
    return ", ".join(f"{k}={plain(v)}" for k, v in kwargs.items())


def kwargs_text(kwargs: Any) -> str:
    """Operation arguments as literal Markdown text."""
    return md_text(kwargs_plain(kwargs))


def number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text(value)


def hours(value: Any) -> str:
    """`0.08126` hours as `0.08126 hours (4.9 minutes)`: short runs read better in minutes."""
    result = f"{number(value)} hours"
    if isinstance(value, (int, float)) and 0 < value < 1:
        result += f" ({value * 60:.1f} minutes)"
    return result


def source_text(file_descr: Any) -> str:
    source = getattr(file_descr, "source", file_descr)
    if isinstance(source, dict):
        source = source.get("source")
    return str(source)


def is_url(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def package_link(file_descr: Any, package: Package, card_dir) -> str | None:
    """A link to a package file usable from the card, or None when it cannot be embedded."""
    import os

    source = source_text(file_descr)
    if is_url(source):
        return source
    if package.is_zip or not package.has_file(source):
        return None
    target = package.root / source
    if not target.resolve().is_relative_to(package.root.resolve()):  # `../`, or a link out of the package
        return None
    if card_dir is None:
        return source
    return os.path.relpath(target, card_dir).replace(os.sep, "/")
