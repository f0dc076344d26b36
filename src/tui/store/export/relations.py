"""The claims an exported claim relates to, for many claims at once.

For each claim: up to LISTED_IDS ids of the reviewed claims of other sources in each of
its relations, by the agreement model's decisions (`agreement.figure_kind` for its figure,
`stance_kind` for its positions), looked for where they can be instead of in every claim
of the quantity: in the quantity's sorted
bounds (ranges that end before this one starts, or start after it ends, are the
disagreements and revisions; those that overlap it, the differences), among the claims
stating the same figure, among those whose period nobody can tell, and among those taking
a position on one of its propositions. One query per batch of claims loads the quantities
not yet held (at most `budget` figures are held at once).

A claim's search stops as soon as no list can take more: a list is full once it holds
`limit` claims or as many as the claim's stored count of that relation says there are,
and a place is left once every relation it can hold is full (ranges apart from the
claim's hold contradictions, disagreements and revisions; ranges meeting it the same
figure, revisions and differences). Without it a claim whose rarer lists never fill
looked at every candidate of every place (issue 23: 50 million rule evaluations for
64,000 searches at 1M claims, 665 a claim; now about 80). Each claim is searched on its
own (the searches once shared by the claims stating one figure, its own source taken
out, gave the same lists at more cost: a figure is rarely stated twice the same way).
A writer passes `encode` to turn a list into what it writes (ids joined for CSV, a JSON
array, sources for Markdown).
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left, bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from operator import itemgetter
from typing import Any

from ..agreement import _COMPATIBLE, Figure, _bound_class, effective, figure_facts, parse_stances, presumed_period, stance_kind

LISTED_IDS = 20  # ids in each list at most; the *_total field counts them all
EXAMINE_LIMIT = 200  # candidates looked at per region of the sorted bounds (a list can then be shorter)
BUDGET = 80_000  # figures of the quantities held at once (the quantities a batch needs are always held)
# the lists, in the order a writer gets them, and the relations each holds: a claim's figure
# relations (figure_kind), then its positions' (stance_kind)
RELATION_FIELDS = (
    "contradicted_by",
    "at_odds_with",
    "revisions",
    "differs_from",
    "corroborated_by",
    "opposed_by",
    "concurs_with",
)
FIELD_OF_KIND = {
    "contradicts": "contradicted_by",
    "at-odds": "at_odds_with",
    "revises": "revisions",
    "differs": "differs_from",
    "agrees": "corroborated_by",
}
FIELD_OF_POSITION = {"opposes": "opposed_by", "agrees": "concurs_with"}
# the kinds a place in the sorted bounds can hold (figure_kind; a range's low <= high, so
# the same figure always meets itself): ranges apart from the claim's, ranges meeting it
# (the same figure, or starting inside it), anything (starting before it), and a period
# nobody can tell on either side
_KIND = {k: i for i, k in enumerate(FIELD_OF_KIND)}  # a kind's position: the search's lists are by position
_APART = (_KIND["contradicts"], _KIND["at-odds"], _KIND["revises"])
_MEETING = (_KIND["agrees"], _KIND["revises"], _KIND["differs"])
_ANY = tuple(_KIND.values())
_UNTOLD = (_KIND["agrees"], _KIND["differs"])
assert list(_KIND) == ["contradicts", "at-odds", "revises", "differs", "agrees"]  # _scan's 0..4
_CLASHING = {"at-least": "at-most", "at-most": "at-least"}  # rules.same_figure's bounds that pull apart

FamilyKey = tuple[Any, ...]  # (qentity, metric, qunit)
Counts = tuple[int, ...]  # a claim's stored figure counts, in FIELD_OF_KIND's order (figure_counts)
Fig = Figure  # a listed claim: its id and source are what writers read


# a candidate as the search reads it, worked out once when its quantity is loaded: its id,
# source, low, high, bound class, date's days where it is an expectation (else None),
# whether it is a settled outcome, its effective bounds, and the Figure itself
Cand = tuple[str, str, Any, Any, str, "tuple[int, int] | None", bool, float, float, Figure]
_FRAMING: dict[tuple[Any, ...], tuple[bool, bool, Any]] = {}  # see _cand
_FRAMING_HELD = 1 << 16


def _cand(f: Figure) -> Cand:
    """What figure_facts works out of a numeric figure, as the search reads it (its framing
    and date, which depend on the status, the periods and the date alone, worked out once
    for each of those by figure_facts itself)."""
    key = (f.status, f.period, f.presumed, f.date)
    got = _FRAMING.get(key)
    if got is None:
        if len(_FRAMING) >= _FRAMING_HELD:
            _FRAMING.clear()
        _, _, expect, settled, days, _ = figure_facts(f)
        got = _FRAMING[key] = (expect, settled, days if expect else None)
    lo, hi = effective(f.low, f.high, f.bound)  # type: ignore[arg-type]
    return (f.id, f.source, f.low, f.high, _bound_class(f.bound), got[2], got[1], lo, hi, f)


class _Period:
    """The reviewed figures of one quantity and period, indexed by their effective bounds and value."""

    __slots__ = ("by_hi", "by_lo", "by_value", "his", "los")

    def __init__(self, cands: list[Cand]) -> None:
        self.by_lo = sorted(cands, key=itemgetter(7))
        self.los = [c[7] for c in self.by_lo]
        self.by_hi = sorted(cands, key=itemgetter(8))
        self.his = [c[8] for c in self.by_hi]
        self.by_value: dict[tuple[Any, Any], list[Cand]] = {}
        for c in cands:
            self.by_value.setdefault((c[2], c[3]), []).append(c)


class Family:
    """The reviewed claims of one quantity, by the period they are compared in, each as a Cand."""

    __slots__ = ("by_value", "periods", "size", "unknown")

    def __init__(self, figures: Iterable[Figure]) -> None:
        by_period: dict[str | None, list[Cand]] = {}
        self.by_value: dict[tuple[Any, Any], list[Cand]] = {}
        n = 0
        for f in figures:
            c = _cand(f)
            by_period.setdefault(f.eperiod, []).append(c)
            self.by_value.setdefault((c[2], c[3]), []).append(c)
            n += 1
        self.unknown = by_period.pop(None, [])
        self.periods = {p: _Period(v) for p, v in by_period.items()}
        self.size = n

    def every(self) -> Iterator[Cand]:
        for g in self.periods.values():
            yield from g.by_lo
        yield from self.unknown


_FAMILY_ARM = (
    "SELECT ?, id, source, value_low, value_high, bound, qperiod, presumed_period, status, source_date, stances FROM claims "
    "WHERE qentity = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL AND draft = 0"
)
_HOLDERS_SQL = (
    "SELECT id, source, qentity, topic, metric, qunit, value_low, value_high, bound, qperiod, presumed_period, status, "
    "source_date, stances FROM claims WHERE stances IS NOT NULL AND draft = 0"
)


def sorted_ids(figs: list[Figure]) -> list[str]:
    return sorted([f.id for f in figs])


class RelationLister:
    """Lists of related claims for batches of claims (see the module's docstring)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        limit: int = LISTED_IDS,
        budget: int = BUDGET,
        encode: Callable[[list[Figure]], Any] = sorted_ids,
    ) -> None:
        self.conn = conn
        self.limit = limit
        self.budget = budget
        self.encode = encode
        self.cache: OrderedDict[FamilyKey, Family] = OrderedDict()
        self.held = 0
        self.queries = 0  # family-loading statements run (tests check: one per batch at most)
        self.examined = 0  # candidates decided by the figure rule (tests bound it per claim)
        self.names: dict[str, str] = {}
        self._holders: dict[str, list[Figure]] | None = None

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
        rows: dict[int, list[Figure]] = {i: [] for i in range(len(missing))}
        self.queries += 1
        cur = self.conn.cursor()
        cur.row_factory = None
        names = self.names
        for i, cid, source, low, high, bound, qperiod, presumed, status, date, stances in cur.execute(sql, params):
            qentity, metric, qunit = missing[i]
            rows[i].append(
                Figure(
                    cid, names.setdefault(source, source), qentity, "", metric, qunit, qperiod, low, high, bound,
                    status=status, date=date, presumed=presumed, stances=parse_stances(stances),
                )
            )  # fmt: skip
        for i, k in enumerate(missing):
            fam = Family(rows[i])
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

    def holders(self) -> dict[str, list[Figure]]:
        """Reviewed claims taking a position, by proposition (read once: they are curated, and few)."""
        if self._holders is None:
            self._holders = {}
            for r in self.conn.execute(_HOLDERS_SQL):
                f = Figure(
                    r[0], r[1], r[2], r[3], r[4] if r[6] is not None else None, r[5], r[9], r[6], r[7], r[8],
                    status=r[11], date=r[12], presumed=r[10], stances=parse_stances(r[13]),
                )  # fmt: skip
                for prop, _ in f.stances:
                    self._holders.setdefault(prop, []).append(f)
        return self._holders

    def claim(self, f: Figure) -> tuple[Any, ...]:
        """The encoded lists (RELATION_FIELDS, in order) of one claim; its family must be held
        (load) if it has a figure."""
        return tuple(map(self.encode, self.of(f).values()))

    def of(self, f: Figure, counts: Counts | None = None) -> dict[str, list[Figure]]:
        """Up to `limit` claims of other sources per relation for one claim, each list taken
        from at most EXAMINE_LIMIT candidates of each place they can be, nearest first.
        `counts`, the claim's stored figure counts (figure_counts), let the search stop once
        every list holds all it can."""
        n = self.limit
        out = self._scan(f, n, counts) if f.numeric else {name: [] for name in RELATION_FIELDS}
        if f.stances:
            self._add_positions(f, out, n)
        return out

    def _scan(self, f: Figure, n: int, most: Counts | None = None) -> dict[str, list[Figure]]:
        """The first n claims per relation of other sources than f's. With
        `most` (at most how many claims of each figure relation there are, FIELD_OF_KIND's
        order), the search stops once every list holds all it can: n, or all there are.

        f and its candidates are numeric figures of one family, so each candidate is decided
        as figure_kind (agreement.kind_against) decides it, from what _cand worked out once:
        in one period, the same figure agrees, two expectations dated apart revise, figures
        that do not meet contradict (both settled outcomes) or are at odds, and the rest
        differ; where either period is unknown, the same figure agrees and the rest differ.
        Kinds are FIELD_OF_KIND's positions: 0 contradicts, 1 at odds, 2 revises, 3 differs,
        4 agrees."""
        got: list[list[Figure]] = [[], [], [], [], []]
        seen: set[str] = set()
        fam = self.cache[(f.qentity, f.metric, f.unit)]
        _, source, low, high, ca, fxd, settled_a, alo, ahi, _ = _cand(f)
        compatible = _COMPATIBLE[ca]
        clashing = _CLASHING.get(f.bound)  # the bound that makes the same numbers another figure
        # room[k]: how many more claims of kind k the list can take: n, or with `most` as
        # many as there can be (up to n)
        room = [n] * 5 if most is None else [min(n, m) for m in most]
        examined = 0
        limit = EXAMINE_LIMIT
        # each place: up to EXAMINE_LIMIT candidates, which can only be of `kinds` (with
        # `same_only`, all state f's numbers; `period`: all of f's period, else f's or theirs
        # unknown; `again`: some may have been listed from an earlier place; `later`: some
        # may come again in a later one), left once each of those lists has no room (the
        # rest could not be listed)
        for cands, kinds, period, same_only, again, later in self._places(fam, f, room, clashing, low, high, alo, ahi):
            open_here = len([k for k in kinds if room[k] > 0])
            if not open_here:
                continue
            # the same figure is always "agrees" here: once that list is full, passed over unlooked at
            skip_same = room[4] <= 0
            for cid, csource, clow, chigh, cb, cxd, settled, blo, bhi, fig in islice(cands, limit):
                if csource == source or (again and cid in seen):
                    continue
                if clow == low and chigh == high and cb in compatible:
                    if skip_same:
                        continue
                    k = 4
                elif not period:
                    k = 3
                elif fxd is not None and cxd is not None and (fxd[1] <= cxd[0] or cxd[1] <= fxd[0]):
                    k = 2
                elif bhi < alo or blo > ahi:
                    k = 0 if settled_a and settled else 1
                else:
                    k = 3
                examined += 1
                listed = got[k]
                if len(listed) < n:
                    listed.append(fig)
                    if later:
                        seen.add(cid)
                    room[k] -= 1
                    if not room[k]:
                        open_here -= k in kinds
                        if not open_here:
                            break
                        if k == 4:
                            if same_only and clashing is None:
                                break  # the rest are the same figure
                            skip_same = True
        self.examined += examined
        return dict(zip(RELATION_FIELDS, (*got, [], [])))  # the figure's lists, then its positions' (filled later)

    @staticmethod
    def _places(
        fam: Family, f: Figure, room: list[int], clashing: str | None, low: Any, high: Any, alo: float, ahi: float
    ) -> Iterator[tuple[Iterable[Cand], tuple[int, ...], bool, bool, bool, bool]]:
        """Where f's related claims can be, in the order they are looked at: (candidates,
        the kinds they can be, all of f's period, all the same figure, some may have come
        in an earlier place, some may come again in a later one). A range apart from f's
        never holds its figure (a bound widens a range, never narrows it past its numbers);
        those that end before f's start before it too; the places of f's period are cut by
        where ranges start, and those of unknown periods are apart from them."""
        p = f.eperiod
        if p is None:
            # its period nobody can tell: the same figure in any period, then any other
            yield fam.by_value.get((low, high), []), _UNTOLD, False, True, False, True
            yield fam.every(), _UNTOLD, False, False, True, False
            return
        g = fam.periods.get(p)
        if g is not None and any(v > 0 for v in room):
            # ranges that end before this one starts, nearest first, then those that start after it ends
            below = bisect_left(g.his, alo)
            yield reversed(g.by_hi[max(below - EXAMINE_LIMIT, 0) : below]), _APART, True, False, False, True
            above = bisect_right(g.los, ahi)
            yield g.by_lo[above : above + EXAMINE_LIMIT], _APART, True, False, False, False
            if room[4] > 0 or clashing is not None:  # else every one of them agrees
                yield g.by_value.get((low, high), []), _MEETING, True, True, False, True
            # ranges that overlap it: those that start inside it, then those that start before it
            start = bisect_left(g.los, alo)
            yield g.by_lo[start : min(bisect_right(g.los, ahi), start + EXAMINE_LIMIT)], _MEETING, True, False, True, False
            yield reversed(g.by_lo[max(start - EXAMINE_LIMIT, 0) : start]), _ANY, True, False, True, False
        yield fam.unknown, _UNTOLD, False, False, False, False

    def _add_positions(self, f: Figure, out: dict[str, list[Figure]], n: int) -> None:
        """Claims of other sources taking a position on one of f's propositions: opposed or concurring."""
        listed: set[str] = set()
        holders = self.holders()
        for prop, _ in f.stances:
            for c in holders.get(prop, []):
                if c.source == f.source or c.id in listed:
                    continue
                kind = stance_kind(f, c)
                name = FIELD_OF_POSITION.get(kind) if kind else None
                if name is not None and len(out[name]) < n:
                    out[name].append(c)
                    listed.add(c.id)

    # the Row API (claim_record, the comparison and disputes exports, the tests)

    def lists(self, rows: list[Any]) -> list[dict[str, list[str]]]:
        """Per row (any mapping with the store's claims columns): list field -> sorted ids."""
        figs = [figure_of_mapping(r) for r in rows]
        wants = [wants_lists_of(r) for r in rows]
        self.load([(f.qentity, f.metric, f.unit) for f, w in zip(figs, wants) if w and f.numeric])
        return [
            {k: sorted_ids(v) for k, v in self.of(f, counts_of_mapping(r)).items()} if w else {k: [] for k in RELATION_FIELDS}
            for f, w, r in zip(figs, wants, rows)
        ]


def figure_of_mapping(r: Any) -> Figure:
    """The Figure of a stored claim, from a sqlite3.Row or mapping with the claims columns."""
    low = r["value_low"]
    return Figure(
        r["id"], r["source"], r["qentity"], r["topic"], r["metric"] if low is not None else None, r["qunit"], r["qperiod"],
        low, r["value_high"], r["bound"], r["unit"], status=r["status"], date=r["source_date"],
        presumed=r["presumed_period"], draft=bool(r["draft"]), stances=parse_stances(r["stances"]),
    )  # fmt: skip


def counts_of_mapping(r: Any) -> Counts:
    """A stored claim's figure counts (a mapping with the claims columns), in FIELD_OF_KIND's order."""
    return (r["conflict_count"], r["odds_count"], r["revise_count"], r["differ_count"], r["agree_count"])


def wants_lists_of(r: Any) -> bool:
    """Whether a claim (a mapping) has related claims to list."""
    return bool(
        r["conflict_count"] or r["odds_count"] or r["revise_count"] or r["differ_count"] or r["agree_count"] or r["stances"]
    )


__all__ = ["LISTED_IDS", "RELATION_FIELDS", "Family", "Fig", "RelationLister", "figure_of_mapping", "presumed_period"]
