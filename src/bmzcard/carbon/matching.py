"""Forgiving lookup of a name the user typed among known names.

Hardware, provider and region names are typed by hand ("v100 sxm2 16gb",
"Google", "US-Central1"), so they are compared on a key that ignores case,
spacing and punctuation. A name that fits several entries is an error listing
them, never a guess; a name that fits none gets close suggestions.
"""

from __future__ import annotations

import difflib
import re
from typing import Iterable, Mapping, Sequence

from bmzcard.errors import BmzcardError


def name_key(text: str, drop: Iterable[str] = ()) -> str:
    """Comparison key of a name: lower-case letters and digits only.

    Parameters
    ----------
    text
        The name as written.
    drop
        Whole words left out of the key (vendor words such as "nvidia").

    Returns
    -------
    str
        The key, e.g. ``"teslav100sxm216gb"`` for ``"Tesla V100-SXM2-16GB"``.
    """
    dropped = set(drop)
    return "".join(word for word in re.findall(r"[a-z0-9]+", text.lower()) if word not in dropped)


def resolve(
    query: str,
    choices: Mapping[str, Sequence[str]],
    *,
    what: str,
    field: str,
    list_hint: str = "",
    drop: Iterable[str] = (),
) -> str:
    """Find the one choice that `query` names.

    Tried in order: an alias with the same key; then aliases whose key contains
    the query's key or is contained in it (so "V100-SXM2-16GB" finds "Tesla
    V100-SXM2-16GB"). Several hits at the first step that has any is an error.

    Parameters
    ----------
    query
        What the user typed.
    choices
        Canonical name -> the names it may be called by (itself included).
    what
        What is being looked up, for messages ("hardware", "region of gcp").
    field
        The CLI option, for the error's field.
    list_hint
        Appended to "not found" errors, e.g. how to list all names.
    drop
        Words ignored on both sides (see `name_key`).

    Returns
    -------
    str
        The canonical name.

    Raises
    ------
    BmzcardError
        When nothing or more than one choice fits.
    """
    drop = tuple(drop)
    wanted = name_key(query, drop)
    if not wanted:
        raise BmzcardError(f"empty {what} name", field=field)
    keys = {canonical: {name_key(alias, drop) for alias in aliases} - {""} for canonical, aliases in choices.items()}

    exact = [canonical for canonical, ks in keys.items() if wanted in ks]
    partial = [
        canonical
        for canonical, ks in keys.items()
        if any(wanted in k or (len(k) >= 3 and k in wanted) for k in ks)
    ]
    for hits in (exact, partial):
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = ", ".join(repr(hit) for hit in sorted(hits))
            raise BmzcardError(f"{what} {query!r} is ambiguous: it could be {listed}", field=field)

    by_key = {k: canonical for canonical, ks in keys.items() for k in ks}
    close = difflib.get_close_matches(wanted, list(by_key), n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(by_key[k] for k in close))
    message = f"unknown {what} {query!r}"
    if suggestions:
        message += "; did you mean " + " or ".join(repr(s) for s in suggestions) + "?"
    if list_hint:
        message += f" {list_hint}"
    raise BmzcardError(message, field=field)
