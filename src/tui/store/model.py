"""Typed records of the corpus: what the YAML says once it has been validated.

Field names follow ../shared/design/data-contract.md; these are the only shapes
the store, the filter language, the exports and the explorer pass around.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# the corpus's vocabularies live in vocab.py (the explorer's filter needs them, not these records)
from .vocab import BOUNDS as BOUNDS
from .vocab import ENTITY_KINDS as ENTITY_KINDS
from .vocab import FLAG_WARNINGS as FLAG_WARNINGS
from .vocab import FLAGS as FLAGS
from .vocab import POSITIONS as POSITIONS
from .vocab import SOURCE_KINDS as SOURCE_KINDS
from .vocab import STATUSES as STATUSES


@dataclass(slots=True)
class Entity:
    id: str
    name: str
    kind: str
    aliases: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    parent: str | None = None
    ticker: str | None = None


@dataclass(slots=True)
class Topic:
    id: str
    label: str
    order: int
    description: str | None = None


@dataclass(slots=True)
class Metric:
    """An entry of the registry of quantities (data/metrics.yaml; store/metrics.py)."""

    id: str
    label: str
    unit: str
    counts: str | None = None  # what one figure counts, in words
    words: list[str] = field(default_factory=list)  # how articles name it
    opposites: list[str] = field(default_factory=list)  # `not:` the metrics it must never be confused with
    topic: str | None = None
    file: str = ""
    line: int = 0


@dataclass(slots=True)
class Claim:
    id: str
    source: str
    entity: str
    topic: str
    summary: str
    quote: str
    status: str
    metric: str | None = None
    value_low: float | None = None
    value_high: float | None = None
    unit: str | None = None
    bound: str = "exact"
    period: str | None = None
    speaker: str | None = None
    note: str | None = None
    draft: bool = False  # drafted by `pivot add`, not yet reviewed by a person
    # Where the claim was written, for messages (not stored as data).
    file: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict, repr=False)
    stance: dict[str, str] = field(default_factory=dict)  # proposition id -> "for" | "against"
    table: tuple[str, str] | None = None  # (table name, row): a cell of the article's own table
    scope: str | None = None  # the article's words qualifying the figure ("of its US workforce")

    def at(self, name: str) -> int:
        """The line a field was written on (the claim's first line if absent)."""
        return self.lines.get(name, self.line)

    @property
    def numeric(self) -> bool:
        return self.value_low is not None

    @property
    def value(self) -> float | list[float] | None:
        """The value as the contract writes it: a number or [low, high]."""
        if self.value_low is None:
            return None
        if self.value_high is None or self.value_low == self.value_high:
            return self.value_low
        return [self.value_low, self.value_high]


@dataclass(slots=True)
class Source:
    id: str
    title: str
    kind: str
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    document: str | None = None
    flags: list[str] = field(default_factory=list)
    notes: str | None = None
    claims: list[Claim] = field(default_factory=list)
    file: str = ""
    line: int = 0
    as_of: str | None = None  # the date a dated lead gives ("As of mid-March 2026" -> 2026-03)


@dataclass(slots=True)
class Proposition:
    """A statement claims can take positions on (propositions.yaml), in our own words."""

    id: str
    text: str
    entity: str | None = None
    topic: str | None = None
    note: str | None = None


@dataclass(slots=True)
class Problem:
    """One thing wrong with the corpus, printed as FILE:LINE: field: message."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


def with_hint(p: Problem) -> str:
    """The problem with the advice it carries (a HintedProblem's `hint`), on one line."""
    hint: str = getattr(p, "hint", "")
    return f"{p}; {hint}" if hint else str(p)


@dataclass(slots=True)
class Corpus:
    entities: list[Entity]
    topics: list[Topic]
    sources: list[Source]
    digest: str = ""
    propositions: list[Proposition] = field(default_factory=list)
    metrics: list[Metric] = field(default_factory=list)  # the registry; empty without data/metrics.yaml

    @property
    def claims(self) -> list[Claim]:
        return [c for s in self.sources for c in s.claims]


class CorpusError(Exception):
    """The corpus has problems; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        # with the advice a problem carries (HintedProblem): the explorer shows this text
        super().__init__("\n".join(with_hint(p) for p in problems))
