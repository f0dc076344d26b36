"""The claims an exported claim relates to, for many claims at once.

For each claim: up to LISTED_IDS ids of the claims of other sources that contradict it,
differ from it and state the same figure, by the agreement model's rules
(store/agreement.py `relation`), found through the quantity's sorted bounds instead of a
comparison with every claim of the quantity. One query per batch of claims loads the
quantities not yet held (at most `budget` figures are held at once).

The candidates of one figure (of any source) are kept for every claim stating it; each
claim takes out those of its own source. A writer passes `encode` to turn a claim's
lists into what it writes (ids joined for CSV, a JSON array, sources for Markdown).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any

from ..agreement import _COMPATIBLE, _bound_class, effective

LISTED_IDS = 20  # ids in each list at most; the *_total field counts them all
EXAMINE_LIMIT = 200  # candidates looked at per region of the sorted bounds (a list can then be shorter)
SPARE = 16  # picks kept beyond LISTED_IDS per figure, for the claim's own source to be taken out
PICKS_HELD = 20_000  # figures whose picks are kept at once
BUDGET = 80_000  # figures of the quantities held at once (the quantities a batch needs are always held)
RELATION_FIELDS = ("conflicts", "differs_from", "corroborated_by")  # in the order of the lists

FamilyKey = tuple[Any, ...]  # (qentity, metric, qunit)
FigureKey = tuple[Any, ...]  # (qentity, metric, qunit, qperiod, value_low, value_high, bound)


@dataclass(frozen=True, slots=True)
class Fig:
    id: str
    source: str
    low: float
    high: float
    cls: str  # bound class: eq / ge / le
    lo: float  # the effective range
    hi: float


class _Period:
    """The figures of one quantity and period, indexed by their effective bounds and value."""

    __slots__ = ("by_hi", "by_lo", "by_value", "his", "los")

    def __init__(self, figs: list[Fig]) -> None:
        self.by_lo = sorted(figs, key=lambda f: f.lo)
        self.los = [f.lo for f in self.by_lo]
        self.by_hi = sorted(figs, key=lambda f: f.hi)
        self.his = [f.hi for f in self.by_hi]
        self.by_value: dict[tuple[float, float], list[Fig]] = {}
        for f in figs:
            self.by_value.setdefault((f.low, f.high), []).append(f)


class Family:
    __slots__ = ("periods", "size", "stated", "unstated")

    def __init__(self, rows: Iterable[tuple[Any, ...]], names: dict[str, str] | None = None) -> None:
        by_period: dict[str | None, list[Fig]] = {}
        names = {} if names is None else names  # one string per source id, shared by its figures
        for cid, source, low, high, bound, period in rows:
            source = names.setdefault(source, source)
            lo, hi = effective(low, high, bound)
            by_period.setdefault(period, []).append(Fig(cid, source, low, high, _bound_class(bound), lo, hi))
        self.periods = {p: _Period(v) for p, v in by_period.items()}
        self.unstated = by_period.get(None, [])
        self.stated = [f for p, v in by_period.items() if p is not None for f in v]
        self.size = sum(len(v) for v in by_period.values())


_FAMILY_ARM = (
    "SELECT ?, id, source, value_low, value_high, bound, qperiod FROM claims "
    "WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL"
)


def figure_of(r: sqlite3.Row | Mapping[str, Any]) -> FigureKey:
    """The figure a claim (a sqlite3.Row of db.CLAIM_COLUMNS) states."""
    return (r["qentity"], r["metric"], r["qunit"], r["qperiod"], r["value_low"], r["value_high"], r["bound"])


def sorted_ids(figs: list[Fig]) -> list[str]:
    return sorted([f.id for f in figs])


class RelationLister:
    """Lists of related claims for batches of claims (see the module's docstring)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        limit: int = LISTED_IDS,
        budget: int = BUDGET,
        encode: Callable[[list[Fig]], Any] = sorted_ids,
    ) -> None:
        self.conn = conn
        self.limit = limit
        self.budget = budget
        self.encode = encode
        self.cache: OrderedDict[FamilyKey, Family] = OrderedDict()
        self.held = 0
        self.queries = 0  # family-loading statements run (tests check: one per batch at most)
        self.picks: dict[FigureKey, dict[str, list[Fig]]] = {}
        self.names: dict[str, str] = {}

    def load(self, keys: list[FamilyKey]) -> None:
        """Hold the families of `keys` (one query for those not held yet)."""
        missing = [k for k in dict.fromkeys(keys) if k not in self.cache]
        for k in dict.fromkeys(keys):
            if k in self.cache:
                self.cache.move_to_end(k)
        if not missing:
            return
        wanted = set(keys)
        self._evict(wanted, self.budget // 2)  # room first: the new ones may be large
        sql = " UNION ALL ".join([_FAMILY_ARM] * len(missing))
        params: list[Any] = []
        for i, k in enumerate(missing):
            params += [i, *k]
        rows: dict[int, list[tuple[Any, ...]]] = {i: [] for i in range(len(missing))}
        self.queries += 1
        cur = self.conn.cursor()
        cur.row_factory = None
        for r in cur.execute(sql, params):
            rows[r[0]].append(r[1:])
        for i, k in enumerate(missing):
            fam = Family(rows[i], self.names)
            self.cache[k] = fam
            self.held += fam.size
        self._evict(wanted, self.budget)

    def _evict(self, wanted: set[FamilyKey], budget: int) -> None:
        """Drop the families used longest ago, never a wanted one, until `budget` figures are held."""
        while self.held > budget and len(self.cache) > len(wanted):
            k, fam = next(iter(self.cache.items()))
            if k in wanted:
                self.cache.move_to_end(k)
                continue
            del self.cache[k]
            self.held -= fam.size

    def _picks(self, figure: FigureKey) -> dict[str, list[Fig]]:
        """The candidates of a figure of any source (LISTED_IDS + SPARE per relation), kept
        for the other claims stating it."""
        got = self.picks.get(figure)
        if got is None:
            if len(self.picks) >= PICKS_HELD:
                self.picks.clear()
            got = self.picks[figure] = self._scan(self.cache[figure[:3]], figure, None, self.limit + SPARE)
        return got

    def claim(self, figure: FigureKey, source: str) -> tuple[Any, ...]:
        """The encoded lists (conflicts, differs_from, corroborated_by) of one claim stating
        `figure`, of `source`; its family must be held (load)."""
        return tuple(map(self.encode, self.of(figure, source).values()))

    def of(self, figure: FigureKey, source: str) -> dict[str, list[Fig]]:
        """Up to `limit` claims per relation for one claim (its family held), each list taken
        from at most EXAMINE_LIMIT candidates of each region of the sorted bounds, nearest
        first: the figure's candidates without those of the claim's own source; where that
        leaves too few, the claim is scanned on its own."""
        n = self.limit
        out: dict[str, list[Fig]] = {}
        for name, got in self._picks(figure).items():
            mine = [f for f in got if f.source != source]
            if len(mine) < n and len(got) >= n + SPARE:
                return self._scan(self.cache[figure[:3]], figure, source, n)
            out[name] = mine[:n]
        return out

    # the Row API (claim_record, the comparison and disputes exports, the tests)

    def lists(self, rows: list[sqlite3.Row]) -> list[dict[str, list[str]]]:
        """Per row: list field -> sorted ids (empty lists for claims without relations)."""
        wants = [
            r["value_low"] is not None
            and r["metric"] is not None
            and bool(r["conflict_count"] or r["differ_count"] or r["agree_count"])
            for r in rows
        ]
        self.load([(r["qentity"], r["metric"], r["qunit"]) for r, w in zip(rows, wants) if w])
        return [
            {k: sorted_ids(v) for k, v in self.of(figure_of(r), r["source"]).items()} if w else {k: [] for k in RELATION_FIELDS}
            for r, w in zip(rows, wants)
        ]

    def _scan(self, fam: Family, figure: FigureKey, source: str | None, n: int) -> dict[str, list[Fig]]:
        """The first n claims of other sources than `source` (None: any) per relation, each
        region of the sorted bounds looked at for at most EXAMINE_LIMIT candidates."""
        period, low, high, bound = figure[3:]
        lo, hi = effective(low, high, bound)
        compatible = _COMPATIBLE[_bound_class(bound)]
        g = fam.periods[period]
        by_lo = g.by_lo
        # effective ranges that end before this one starts, nearest first, then those that
        # start after it ends
        below = bisect_left(g.his, lo)
        conflicts = _take(g.by_hi[max(below - EXAMINE_LIMIT, 0) : below][::-1], n, source)
        if len(conflicts) < n:
            above = bisect_right(g.los, hi)
            conflicts += _take(by_lo[above : above + EXAMINE_LIMIT], n - len(conflicts), source)
        same = g.by_value.get((low, high), [])[:EXAMINE_LIMIT]
        agrees = list(islice((f for f in same if f.source != source and f.cls in compatible), n))
        # a period stated by one source and not by the other, then ranges that overlap this
        # one without being the same figure (those that start inside it, then before it)
        differs = _take((fam.stated if period is None else fam.unstated)[:EXAMINE_LIMIT], n, source)
        start = bisect_left(g.los, lo)
        if len(differs) < n:
            inside = by_lo[start : min(bisect_right(g.los, hi), start + EXAMINE_LIMIT)]
            differs += islice(
                (f for f in inside if f.source != source and not (f.low == low and f.high == high and f.cls in compatible)),
                n - len(differs),
            )
        if len(differs) < n:
            before = by_lo[max(start - EXAMINE_LIMIT, 0) : start][::-1]
            differs += islice(
                (
                    f
                    for f in before
                    if f.hi >= lo and f.source != source and not (f.low == low and f.high == high and f.cls in compatible)
                ),
                n - len(differs),
            )
        return {"conflicts": conflicts, "differs_from": differs, "corroborated_by": agrees}


def _take(figs: list[Fig], k: int, source: str | None) -> list[Fig]:
    """The first k of figs not of `source` (None: any)."""
    if source is None:
        return figs[:k]
    return list(islice((f for f in figs if f.source != source), k))
