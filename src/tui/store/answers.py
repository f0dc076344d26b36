"""The records tui.store.db's answers come in: facet counts, a claim's related claims, the
comparison grid's cells, a column's frequency.

Apart from tui.store.db, which names them all (tui.store.db.Related is this module's Related),
so that the explorer's first page, which needs none of them, does not make their dataclasses
(~0.5 ms each) before its first frame: start-up is held to a bare Textual app."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .agreement import Relation


@dataclass
class FacetValue:
    value: str | None
    label: str
    count: int


@dataclass
class Related:
    row: sqlite3.Row
    relation: Relation
    period: str | None = None  # the period the claim in view is compared in (stated, else presumed)

    @property
    def conflicts(self) -> bool:
        from .agreement import CONFLICTS  # the relation rules: only once a relation is asked about

        return self.relation.kind in CONFLICTS

    @property
    def same_period(self) -> bool:
        other = self.row["qperiod"] if self.row["qperiod"] is not None else self.row["presumed_period"]
        return bool(other == self.period)


@dataclass
class Cell:
    claims: list[sqlite3.Row]  # at most `per_cell` of them, numeric first
    disputed: bool  # two claims in this cell disagree
    total: int = 0  # claims in the cell, shown or not

    @property
    def more(self) -> int:
        return max(self.total - len(self.claims), 0)


@dataclass
class Comparison:
    entities: list[sqlite3.Row]
    topics: list[sqlite3.Row]  # only topics with at least one claim
    cells: dict[tuple[str, str], Cell]  # (topic id, entity id) -> cell
    sources: dict[str, int]  # source id -> number
    source_labels: dict[str, str]  # source id -> publisher, else title


@dataclass
class Facets:
    values: dict[str, tuple[list[FacetValue], bool]]
    sampled: int | None = None  # counted over the first `sampled` matches only


@dataclass(frozen=True)
class Frequency:
    """One line of a column's frequency: a value, how it is shown, how many claims have it.
    A figure's line (column "value") keeps its low, high, unit and bound."""

    value: str | None
    label: str
    count: int
    low: float | None = None
    high: float | None = None
    unit: str | None = None
