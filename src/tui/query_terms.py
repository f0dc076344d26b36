"""The terms of a parsed filter and the tokens of its text (tui.query's records).

Apart from tui.query, which names them all (tui.query.Term is this module's Term), so that
the explorer's first page, an empty filter, does not make their dataclasses (~0.5 ms each)
before its first frame: start-up is held to a bare Textual app."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    key: str  # canonical key: entity, source, topic, ...
    value: str
    negated: bool = False
    written_key: str = ""  # as typed ("company"), for messages
    token: str = field(default="", compare=False)  # the whole term as written ("-company:meta")


@dataclass(frozen=True)
class ValueTerm:
    op: str
    number: float
    unit: str | None = None  # "percent" for 10%, "USD" for $80b
    negated: bool = False  # -value>=80b: every claim the term would not select


@dataclass(frozen=True)
class TextTerm:
    text: str
    phrase: bool = False
    negated: bool = False


@dataclass(frozen=True)
class SourcesTerm:
    """sources>=2: claims whose quantity (same entity, metric, unit and period) is stated
    by at least that many independent sources, the claim's own included."""

    op: str
    number: int
    negated: bool = False


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int
