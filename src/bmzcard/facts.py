"""Facts: a card value together with where it came from.

Every value bmzcard writes into a card is a `Fact`. Its provenance says which
source gave it (an RDF field path, a file, a measurement), so that `check` can
compare the card with its sources and `evaluate`/`measure` can refresh what they
own. Facts are keyed by template field path (`section.field`) or by section key
for prose and table sections.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Literal

SourceKind = Literal["rdf", "file", "measurement", "evaluation", "computed", "human"]


@dataclass(frozen=True)
class Provenance:
    """Where a value came from.

    kind: rdf (a field of the package description), file (a file of the package),
    measurement (bmzcard measure/track), evaluation (bmzcard evaluate), computed
    (derived by bmzcard from other facts, e.g. a carbon estimate).
    where: the RDF field path (`config.bioimageio.task`, `authors[0].name`) or a file path.
    """

    kind: SourceKind
    where: str
    detail: str = ""


@dataclass(frozen=True)
class Fact:
    key: str  # `section.field` or a section key
    value: str  # Markdown, as written into the card
    sources: tuple[Provenance, ...]

    def to_json(self) -> dict:
        return {"key": self.key, "value": self.value, "sources": [asdict(s) for s in self.sources]}

    @classmethod
    def from_json(cls, data: dict) -> "Fact":
        return cls(data["key"], data["value"], tuple(Provenance(**s) for s in data["sources"]))


def from_rdf(key: str, value: str, *paths: str, detail: str = "") -> Fact:
    """A fact read from one or more fields of the RDF."""
    return Fact(key, value, tuple(Provenance("rdf", p, detail) for p in paths))


@dataclass
class FactSet:
    """The facts known about one model, at most one per key (last one wins)."""

    facts: dict[str, Fact] = field(default_factory=dict)
    todo_reasons: dict[str, str] = field(default_factory=dict)  # key -> why a source that knows it leaves it TODO

    def leave_todo(self, key: str, reason: str) -> None:
        """Leave a field to the author, saying why (its sources disagree, say)."""
        self.todo_reasons[key] = reason

    def add(self, fact: Fact | None) -> None:
        if fact is not None and fact.value.strip():
            self.facts[fact.key] = fact

    def extend(self, facts: Iterable[Fact | None]) -> None:
        for fact in facts:
            self.add(fact)

    def get(self, key: str) -> Fact | None:
        return self.facts.get(key)

    def __contains__(self, key: str) -> bool:
        return key in self.facts

    def __len__(self) -> int:
        return len(self.facts)
