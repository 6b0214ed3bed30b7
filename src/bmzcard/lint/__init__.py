"""`bmzcard check`: a reviewer's linter for model cards.

Rules live in `rules/`, one file per family, each a small class with a stable
code given in `registry.py`. `engine.check_card` runs them on one card (with
its RDF when there is one) and returns a `FileReport`: findings and the
completeness score. `formats` writes reports as text, JSON, SARIF or GitHub
annotations; `fix` applies the mechanical fixes.
"""

from bmzcard.lint.findings import Finding, Severity

__all__ = ["Finding", "Severity"]
