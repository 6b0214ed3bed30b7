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
contract), `formats` (text, Markdown, JSON).
"""

from bmzcard.diff.compare import diff

__all__ = ["diff"]
