"""bmzcard: complete, true and checked model cards for BioImage Model Zoo packages.

The flow, one package per step:
sources (rdf.yaml, weights, README, measurements) -> facts with provenance
-> card (the template, filled) -> render (Markdown, sidecar JSON) and lint findings.
"""

__version__ = "0.1.0"

# The public Python API; `bmzcard.diff` is the function (its package stays importable by module path).
from bmzcard.diff import diff  # noqa: E402

__all__ = ["__version__", "diff"]
