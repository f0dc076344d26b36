"""Counting every claim's relations at once, without looking at every pair.

A claim is related to another two ways, counted apart: by its **figure** (the same
quantity: `figure_kind`) and by its **positions** on propositions (`stance_kind`). The
counts are those the two rules give pair by pair (tests/test_agreement.py holds them to
it), found through sorted bounds and hashing: a quantity with 100,000 claims costs a few
sorts, never its 5 billion pairs.

Who counts for whom: a claim's **partners** are the reviewed claims of other sources
(a draft is never a partner, so drafts never change what a reviewed claim says); its
**members** are every claim, drafts included, each counted against the reviewed ones
(a draft's counts say how it would relate once accepted).

Within one family (quantity entity, metric, unit), claims are split by the period they
are compared in (stated, else presumed from the source's date; `eperiod`). Inside one
period a pair of other sources is, in this order: the same figure (agrees); two dated
expectations, dates apart (revises); ranges that cannot meet, two outcomes with stated
periods (contradicts); ranges that cannot meet otherwise (at-odds); else differs. The
same figure in a period that lies within the other's agrees too. A claim whose period
nobody can tell (none stated, no date) agrees with the same figure in any period and
differs from every other.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from .rules import _COMPATIBLE, Figure, Relation, _bound_class, date_span, nested


@dataclass(slots=True)
class Summary:
    numeric: bool = True
    # by its figure
    conflicts: int = 0  # claims of other sources whose figures cannot both hold with its own (two outcomes)
    odds: int = 0  # claims of other sources whose figures cannot meet its own, short of a contradiction
    revises: int = 0  # dated expectations of other sources that revise it or that it revises
    differs: int = 0  # claims of other sources that differ from it
    agrees: int = 0  # claims of other sources that state the same figure
    agree_sources: int = 0  # distinct other sources among those
    quantity_sources: int = 1  # distinct sources stating this quantity in its period (or in one nobody can tell), itself included
    # by its positions
    opposed: int = 0  # claims of other sources taking the opposite position on one of its propositions
    concurs: int = 0  # claims of other sources taking the same position
    concur_sources: int = 0
    has_position: bool = False

    @property
    def figure(self) -> str | None:
        """The summary of its figure, strongest first (None without one)."""
        if not self.numeric:
            return None
        if self.conflicts:
            return "disputed"
        if self.odds:
            return "at-odds"
        if self.revises:
            return "revised"
        if self.agree_sources:
            return "corroborated"
        if self.differs:
            return "differs"
        return "single-source"

    @property
    def position(self) -> str | None:
        """The summary of its positions (None without one)."""
        if not self.has_position:
            return None
        if self.opposed:
            return "disputed"
        if self.concur_sources:
            return "corroborated"
        return "single-source"

    @property
    def relation(self) -> str | None:
        """The claim's summary: its figure's, else its positions'."""
        return self.figure if self.numeric else self.position


SUMMARIES = ("disputed", "at-odds", "revised", "corroborated", "differs", "single-source")
SUMMARY_MARK = {"disputed": "⚠", "at-odds": "!", "revised": "→", "corroborated": "✓", "differs": "≠", "single-source": ""}
# the summaries `is:conflict` finds: a disagreement the reader must see
CONFLICT_SUMMARIES = ("disputed", "at-odds")


class _Index:
    """Partners of one kind, indexed to answer for any member: how many partners of other
    sources there are, how many have a range disjoint from its own, and which state the
    same figure."""

    __slots__ = ("by_source", "his", "los", "n", "own", "same")

    def __init__(self, partners: list[Figure]) -> None:
        self.n = len(partners)
        spans = [f.span for f in partners]
        self.los = sorted(s[0] for s in spans)
        self.his = sorted(s[1] for s in spans)
        self.by_source = Counter(f.source for f in partners)
        per_source: dict[str, list[tuple[float, float]]] = defaultdict(list)
        for f, s in zip(partners, spans):
            per_source[f.source].append(s)
        self.own = {s: (sorted(x[0] for x in v), sorted(x[1] for x in v)) for s, v in per_source.items()}
        # figure (low, high) -> bound class -> claims per source
        self.same: dict[tuple[float | None, float | None], dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
        for f in partners:
            self.same[(f.low, f.high)][_bound_class(f.bound)][f.source] += 1

    def others(self, f: Figure) -> int:
        return self.n - self.by_source.get(f.source, 0)

    def disjoint(self, f: Figure, lo: float, hi: float) -> int:
        """Partners of other sources whose range cannot meet [lo, hi]."""
        d = bisect_left(self.his, lo) + (self.n - bisect_right(self.los, hi))
        own = self.own.get(f.source)
        if own is not None:
            s_los, s_his = own
            d -= bisect_left(s_his, lo) + (len(s_los) - bisect_right(s_los, hi))
        return d

    def same_sources(self, f: Figure, source: str | None = None) -> tuple[int, set[str]]:
        """Partners stating the same figure as f, and their sources, without those of
        `source` (f's own unless told otherwise; "" keeps every source)."""
        classes = self.same.get((f.low, f.high))
        if not classes:
            return 0, set()
        mine = f.source if source is None else source
        total = 0
        sources: set[str] = set()
        for c in _COMPATIBLE[_bound_class(f.bound)]:
            counter = classes.get(c)
            if counter:
                for s, k in counter.items():
                    if s != mine:
                        total += k
                        sources.add(s)
        return total, sources


def _index(partners: list[Figure]) -> _Index:
    return _Index(partners)


@dataclass(slots=True)
class _Counts:
    others: int = 0
    disjoint: int = 0
    same: int = 0

    def minus(self, o: _Counts) -> _Counts:
        return _Counts(self.others - o.others, self.disjoint - o.disjoint, self.same - o.same)


def _counts(ix: _Index | None, f: Figure, lo: float, hi: float) -> _Counts:
    if ix is None or ix.n == 0:
        return _Counts()
    return _Counts(ix.others(f), ix.disjoint(f, lo, hi), ix.same_sources(f)[0])


_Family = tuple[str, str, str | None]


class _Period:
    """The reviewed claims of one family and period, indexed by kind."""

    def __init__(self, partners: list[Figure]) -> None:
        self.all = _index(partners)
        self.sources = {f.source for f in partners}
        self.outcomes = _index([f for f in partners if f.outcome and f.period is not None])
        dated = [f for f in partners if f.expectation and date_span(f.date) is not None]
        self.expected = _index(dated)
        by_date: dict[tuple[int, int], list[Figure]] = defaultdict(list)
        for f in dated:
            span = date_span(f.date)
            assert span is not None
            by_date[span].append(f)
        self.by_date = {k: _index(v) for k, v in by_date.items()}
        self.date_keys = sorted(self.by_date)

    def near_dates(self, span: tuple[int, int]) -> list[tuple[int, int]]:
        """The date spans of partners that overlap `span` (dates that do not say which came first)."""
        out = []
        i = bisect_left(self.date_keys, (span[1], span[1]))  # keys starting at or after its end cannot overlap
        for k in self.date_keys[:i]:
            if k[1] > span[0]:
                out.append(k)
        return out


def summarise_family(items: list[Figure]) -> dict[str, Summary]:
    """The figure counts of the numeric claims of one family (same quantity entity, metric, unit)."""
    partners = [f for f in items if not f.draft]
    by_period: dict[str | None, list[Figure]] = defaultdict(list)
    for f in partners:
        by_period[f.eperiod].append(f)
    periods = {p: _Period(v) for p, v in by_period.items() if p is not None}
    unknown = _index(by_period.get(None, []))
    unknown_sources = {f.source for f in by_period.get(None, [])}
    everyone = _index(partners) if any(f.eperiod is None for f in items) else None
    every_source = {f.source for f in partners}
    # the periods lying within each other: the same figure in them agrees
    known = [p for p in {*periods, *(f.eperiod for f in items)} if p is not None]
    within: dict[str, list[str]] = {p: [q for q in known if q in periods and nested(p, q)] for p in known}
    cache: dict[tuple[str | None, tuple[float | None, float | None], str], set[str]] = {}
    out: dict[str, Summary] = {}
    for f in items:
        lo, hi = f.span
        p = f.eperiod
        s = Summary()
        if p is None:
            # its period nobody can tell: the same figure in any period agrees, every other differs
            if everyone is not None:
                c = _counts(everyone, f, lo, hi)
                s.agrees = c.same
                s.differs = c.others - c.same
                s.agree_sources = len(everyone.same_sources(f)[1])
            s.quantity_sources = len(every_source | {f.source})
            out[f.id] = s
            continue
        g = periods.get(p)
        a = _counts(g.all if g else None, f, lo, hi)
        conflicts = _counts(g.outcomes, f, lo, hi).disjoint if g and f.outcome and f.period is not None else 0
        rev = _Counts()
        span = date_span(f.date)
        if g and f.expectation and span is not None and g.expected.n:
            rev = _counts(g.expected, f, lo, hi)
            for k in g.near_dates(span):
                rev = rev.minus(_counts(g.by_date[k], f, lo, hi))
        rev_total = rev.others - rev.same
        # the same figure is "agrees" whatever the dates; a revision's disjoint pairs are not at odds
        s.conflicts = conflicts
        s.revises = rev_total
        s.odds = a.disjoint - conflicts - rev.disjoint
        s.agrees = a.same
        s.differs = a.others - a.disjoint - a.same - (rev_total - rev.disjoint)
        u = _counts(unknown, f, lo, hi)
        s.agrees += u.same
        s.differs += u.others - u.same
        for q in within.get(p, ()):
            s.agrees += periods[q].all.same_sources(f)[0]
        key = (p, (f.low, f.high), _bound_class(f.bound))
        agreeing = cache.get(key)
        if agreeing is None:
            agreeing = (g.all.same_sources(f, "")[1] if g else set()) | unknown.same_sources(f, "")[1]
            for q in within.get(p, ()):
                agreeing |= periods[q].all.same_sources(f, "")[1]
            cache[key] = agreeing
        s.agree_sources = len(agreeing - {f.source})
        s.quantity_sources = len((g.sources if g else set()) | unknown_sources | {f.source})
        out[f.id] = s
    return out


def summarise_positions(items: list[Figure]) -> dict[str, tuple[int, int, int]]:
    """The position counts of the claims taking positions: (opposed, concurs, concur sources),
    each claim against the reviewed claims of other sources on its propositions."""
    by_prop: dict[str, dict[str, Counter[str]]] = defaultdict(lambda: defaultdict(Counter))
    for f in items:
        if not f.draft:
            for prop, pos in f.stances:
                by_prop[prop][pos][f.source] += 1
    out: dict[str, tuple[int, int, int]] = {}
    for f in items:
        opposed = concurs = 0
        sources: set[str] = set()
        for prop, pos in f.stances:
            for other_pos, counter in by_prop.get(prop, {}).items():
                n = sum(k for src, k in counter.items() if src != f.source)
                if other_pos == pos:
                    concurs += n
                    sources |= {src for src in counter if src != f.source}
                else:
                    opposed += n
        out[f.id] = (opposed, concurs, len(sources))
    return out


def summarise(figures: Iterable[Figure]) -> dict[str, Summary]:
    """Summaries of every claim that has a relation to count: every numeric claim (by its
    figure), and every claim that takes a position (by its positions)."""
    families: dict[_Family, list[Figure]] = defaultdict(list)
    with_stance: list[Figure] = []
    for f in figures:
        if f.numeric:
            families[f.family].append(f)
        if f.stances:
            with_stance.append(f)
    out: dict[str, Summary] = {}
    for items in families.values():
        out.update(summarise_family(items))
    if with_stance:
        counted = summarise_positions(with_stance)
        for f in with_stance:
            s = out.get(f.id)
            if s is None:
                s = out[f.id] = Summary(numeric=False)
            s.opposed, s.concurs, s.concur_sources = counted[f.id]
            s.has_position = True
    return out


def pairs(figures: Iterable[Figure], kinds: tuple[str, ...] = ("contradicts",)) -> list[tuple[str, str, Relation]]:
    """Every pair of reviewed claims related by one of `kinds`, once per way they relate (a
    pair whose figures contradict and whose positions oppose is listed twice, as the counts
    count it). For reports and tests: quadratic per subject."""
    from .rules import _figure_relation, _stance_relation

    subjects: dict[str, list[Figure]] = defaultdict(list)
    holders: list[Figure] = []
    for f in figures:
        if f.draft:
            continue
        subjects[f.qentity].append(f)
        if f.stances:
            holders.append(f)
    out: list[tuple[str, str, Relation]] = []
    for items, rule in [*((v, _figure_relation) for v in subjects.values()), (holders, _stance_relation)]:
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                if a.source == b.source:
                    continue
                r = rule(a, b)
                if r is not None and r.kind in kinds:
                    out.append((a.id, b.id, r))
    return out
