"""`bmzcard diff`: what changed between two versions of a model, and does it break its users.

Semantic, not textual: both RDFs are read with bioimageio.spec and compared
on the same 0.5 terms (key order, comments, quoting, wrapping and other
spellings of one value do not count), files by hash (test tensors by value
with `numeric=True`), the cards section by section after Markdown
normalization, evaluations metric by level, and the linter's findings and
completeness score. Every change is classified by a named rule
(`rules.RULES`) as breaking for consumers of OLD or not.

Modules: `sides` (read a package or card), `tree` (canonical trees and their
differences), `rules` (the named rules), `card` (sections and word diffs),
`evaluation` (metric rows), `compare` (the job), `report` (the JSON
contract), `formats` (text, Markdown, JSON). This module stays light: the
package is imported with `bmzcard` itself, for `bmzcard.diff(old, new)`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bmzcard.diff.report import DiffReport

__all__ = ["diff"]


def diff(old: str | Path, new: str | Path, *, numeric: bool = False, lint: bool = True) -> DiffReport:
    """What changed from one version of a model to the next, and whether it breaks its users.

    Parameters
    ----------
    old, new : str or Path
        Each a package folder, a `.zip` package, an RDF file (`rdf.yaml`,
        `bioimageio.yaml`, `*.bioimageio.yaml`) or a card (`README.md`,
        paired with its RDF through its sidecar or the package it lies in).
    numeric : bool
        Also load both sides' test tensors (`.npy`) and report the largest
        absolute difference of each pair.
    lint : bool
        Run `check`'s rules on both cards and report findings new and fixed,
        and the completeness score's change.

    Returns
    -------
    DiffReport
        Changes with their rules, metric rows, findings and warnings;
        `to_json()` gives the documented JSON contract (docs/diff.md).

    Raises
    ------
    BmzcardError
        When either side cannot be read (missing, not a package, unsafe, not
        valid YAML, a card that is binary or too large).

    Examples
    --------
    >>> import bmzcard
    >>> report = bmzcard.diff("model_v1/", "model_v2/")  # doctest: +SKIP
    >>> [c.path for c in report.breaking]  # doctest: +SKIP
    ['inputs.raw.axes.y.size.step']
    """
    from bmzcard.diff.compare import compare_versions

    return compare_versions(old, new, numeric=numeric, lint=lint)
