# Long because the fast counting (sorted bounds, hashing) and the pair-by-pair counting it
# is proven against (small families, the update's moved counts) must stay side by side.
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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from .rules import (
    _COMPATIBLE,
    EXPECTATIONS,
    Figure,
    Relation,
    _bound_class,
    date_span,
    effective,
    figure_kind,
    nested,
    period_over,
)


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
    """Partners of one kind, indexed to answer for any member in time independent of how many
    state its figure: how many partners of other sources there are, how many have a range
    disjoint from its own, and how many state the same figure."""

    __slots__ = ("by_source", "his", "los", "n", "own", "same", "singles")

    def __init__(self, partners: list[Figure]) -> None:
        self.n = len(partners)
        spans = [f.span for f in partners]
        self.los = sorted(s[0] for s in spans)
        self.his = sorted(s[1] for s in spans)
        self.by_source = Counter(f.source for f in partners)
        per_source: dict[str, list[tuple[float, float]]] = {}
        self.singles: dict[str, tuple[float, float]] = {}
        for f, sp in zip(partners, spans):
            if self.by_source[f.source] == 1:
                self.singles[f.source] = sp
            else:
                per_source.setdefault(f.source, []).append(sp)
        self.own = {src: (sorted(x[0] for x in v), sorted(x[1] for x in v)) for src, v in per_source.items()}
        # figure (low, high) -> bound class -> [claims, claims per source]
        self.same: dict[tuple[float | None, float | None], dict[str, list[Any]]] = {}
        for f in partners:
            classes = self.same.setdefault((f.low, f.high), {})
            got = classes.get(_bound_class(f.bound))
            if got is None:
                got = classes[_bound_class(f.bound)] = [0, Counter()]
            got[0] += 1
            got[1][f.source] += 1

    def others(self, f: Figure) -> int:
        return self.n - self.by_source.get(f.source, 0)

    def disjoint(self, f: Figure, lo: float, hi: float) -> int:
        """Partners of other sources whose range cannot meet [lo, hi]."""
        d = bisect_left(self.his, lo) + (self.n - bisect_right(self.los, hi))
        single = self.singles.get(f.source)
        if single is not None:
            return d - (single[1] < lo or single[0] > hi)
        own = self.own.get(f.source)
        if own is not None:
            s_los, s_his = own
            d -= bisect_left(s_his, lo) + (len(s_los) - bisect_right(s_los, hi))
        return d

    def same_count(self, f: Figure) -> int:
        """Partners of other sources stating the same figure as f."""
        classes = self.same.get((f.low, f.high))
        if not classes:
            return 0
        total = 0
        for c in _COMPATIBLE[_bound_class(f.bound)]:
            got = classes.get(c)
            if got is not None:
                total += got[0] - got[1].get(f.source, 0)
        return total

    def same_sources(self, f: Figure) -> set[str]:
        """The sources of the partners stating the same figure as f (its own included)."""
        classes = self.same.get((f.low, f.high))
        out: set[str] = set()
        if classes:
            for c in _COMPATIBLE[_bound_class(f.bound)]:
                got = classes.get(c)
                if got is not None:
                    out.update(got[1])
        return out


_EMPTY: list[Figure] = []


def _index(partners: list[Figure]) -> _Index:
    return _Index(partners)


@dataclass(slots=True)
class _Counts:
    others: int = 0
    disjoint: int = 0
    same: int = 0


def _counts(ix: _Index | None, f: Figure, lo: float, hi: float) -> _Counts:
    if ix is None or ix.n == 0:
        return _Counts()
    return _Counts(ix.others(f), ix.disjoint(f, lo, hi), ix.same_count(f))


_Family = tuple[str, str, str | None]
_DAY, _MONTH, _YEAR = 1, 31, 366  # the longest date span of each precision, in days


class _Period:
    """The reviewed claims of one family and period, indexed by kind (each index built on the
    first member that needs it)."""

    def __init__(self, partners: list[Figure]) -> None:
        self.partners = partners
        self.all = _index(partners)
        self.sources = {f.source for f in partners}
        self._outcomes: _Index | None = None
        self._expected: _Index | None = None
        self.dated: dict[tuple[int, int], list[Figure]] = {}
        self.by_date: dict[tuple[int, int], _Index] = {}
        self._keys: dict[int, list[tuple[int, int]]] = {}

    @property
    def outcomes(self) -> _Index:
        if self._outcomes is None:
            self._outcomes = _index([f for f in self.partners if f.outcome and f.period is not None])
        return self._outcomes

    @property
    def expected(self) -> _Index:
        if self._expected is None:
            dated = [f for f in self.partners if f.expectation and date_span(f.date) is not None]
            self._expected = _index(dated)
            by_date: dict[tuple[int, int], list[Figure]] = defaultdict(list)
            for f in dated:
                span = date_span(f.date)
                assert span is not None
                by_date[span].append(f)
            self.dated = dict(by_date)
            # date spans by precision (a day, a month, a year), each sorted by its start
            for k in sorted(by_date):
                size = k[1] - k[0]
                self._keys.setdefault(_DAY if size <= 1 else _MONTH if size <= 31 else _YEAR, []).append(k)
        return self._expected

    def near_dates(self, span: tuple[int, int]) -> list[tuple[int, int]]:
        """The date spans of partners that overlap `span` (dates that do not say which came
        first): of each precision, those starting less than its length before `span` ends."""
        out = []
        for longest, keys in self._keys.items():
            i = bisect_left(keys, (span[0] - longest + 1, 0))
            j = bisect_left(keys, (span[1], 0))
            out += [k for k in keys[i:j] if k[1] > span[0]]
        return out

    def on_date(self, key: tuple[int, int], f: Figure, lo: float, hi: float) -> _Counts:
        """The counts of the dated expectations of one date span: looked at one by one where
        they are few, through an index of their own where they are many."""
        figs = self.dated[key]
        if len(figs) > CROWDED_DATE:
            ix = self.by_date.get(key)
            if ix is None:
                ix = self.by_date[key] = _index(figs)
            return _counts(ix, f, lo, hi)
        c = _Counts()
        compatible = _COMPATIBLE[_bound_class(f.bound)]
        for b in figs:
            if b.source == f.source:
                continue
            c.others += 1
            blo, bhi = b.span
            if bhi < lo or blo > hi:
                c.disjoint += 1
            elif b.low == f.low and b.high == f.high and _bound_class(b.bound) in compatible:
                c.same += 1
        return c


CROWDED_DATE = 48  # expectations of one date span counted through an index of their own beyond this


SMALL_FAMILY = 6  # a family this small is counted pair by pair (cheaper than building its indexes)
_FIGURE_FIELD = {"contradicts": "conflicts", "at-odds": "odds", "revises": "revises", "differs": "differs", "agrees": "agrees"}


def _pair_by_pair(items: list[Figure]) -> dict[str, Summary]:
    """The figure counts of a small family, by the rule itself, one pair at a time."""
    partners = [f for f in items if not f.draft]
    return {f.id: _one_by_pairs(f, partners) for f in items}


def summarise_family(items: list[Figure]) -> dict[str, Summary]:
    """The figure counts of the numeric claims of one family (same quantity entity, metric, unit)."""
    if len(items) <= SMALL_FAMILY:
        return _pair_by_pair(items)
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
    within: dict[str, list[_Index]] = {p: [periods[q].all for q in known if q in periods and nested(p, q)] for p in known}
    # the sources stating the quantity in each period or in one nobody can tell
    stating = {p: g.sources | unknown_sources for p, g in periods.items()}
    cache: dict[tuple[str | None, tuple[float | None, float | None], str], set[str]] = {}
    out: dict[str, Summary] = {}
    for f in items:
        lo, hi = f.span
        p = f.eperiod
        src = f.source
        s = Summary()
        if p is None:
            # its period nobody can tell: the same figure in any period agrees, every other differs
            if everyone is not None:
                same = everyone.same_count(f)
                s.agrees = same
                s.differs = everyone.others(f) - same
                anywhere = everyone.same_sources(f)
                s.agree_sources = len(anywhere) - (src in anywhere)
            s.quantity_sources = len(every_source) + (src not in every_source)
            out[f.id] = s
            continue
        g = periods.get(p)
        if g is not None:
            ix = g.all
            others, disjoint, same = ix.others(f), ix.disjoint(f, lo, hi), ix.same_count(f)
            conflicts = g.outcomes.disjoint(f, lo, hi) if f.period is not None and f.outcome else 0
            rev_others = rev_disjoint = rev_same = 0
            if f.expectation:
                span = date_span(f.date)
                if span is not None:
                    ex = g.expected
                    if ex.n:
                        rev_others, rev_disjoint, rev_same = ex.others(f), ex.disjoint(f, lo, hi), ex.same_count(f)
                        for k in g.near_dates(span):
                            c = g.on_date(k, f, lo, hi)
                            rev_others -= c.others
                            rev_disjoint -= c.disjoint
                            rev_same -= c.same
            rev_total = rev_others - rev_same
            # the same figure is "agrees" whatever the dates; a revision's disjoint pairs are not at odds
            s.conflicts = conflicts
            s.revises = rev_total
            s.odds = disjoint - conflicts - rev_disjoint
            s.agrees = same
            s.differs = others - disjoint - same - (rev_total - rev_disjoint)
            named = stating[p]
            s.quantity_sources = len(named) + (src not in named)
        else:
            s.quantity_sources = len(unknown_sources) + (src not in unknown_sources)
        if unknown.n:
            u_same = unknown.same_count(f)
            s.agrees += u_same
            s.differs += unknown.others(f) - u_same
        nests = within.get(p)
        if nests:
            for other in nests:
                s.agrees += other.same_count(f)
        if s.agrees:
            key = (p, (f.low, f.high), _bound_class(f.bound))
            found = cache.get(key)
            if found is None:
                agreeing = (g.all.same_sources(f) if g else set()) | unknown.same_sources(f)
                for other in nests or ():
                    agreeing |= other.same_sources(f)
                found = cache[key] = agreeing
            s.agree_sources = len(found) - (src in found)
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


# --- an update: a family's counts moved by the claims that came and went --------------------

DELTA_LIMIT = 32  # claims of one family an update adds or removes beyond which it is counted whole


def _one_by_pairs(f: Figure, partners: list[Figure]) -> Summary:
    """The figure counts of one claim against the reviewed claims of its family, pair by pair
    (_pair_by_pair counts each claim of a small family so)."""
    s = Summary()
    agreeing: set[str] = set()
    stating = {f.source}
    _count_partners(s, f, partners, stating, agreeing)
    s.agree_sources = len(agreeing)
    s.quantity_sources = len(stating)
    return s


def _count_partners(s: Summary, f: Figure, partners: Iterable[Figure], stating: set[str], agreeing: set[str]) -> None:
    """Add to `s` the pairs of one claim with `partners` (those of its own source left out),
    and to `stating` and `agreeing` the sources stating its quantity and agreeing with it."""
    p = f.eperiod
    for b in partners:
        if b.source == f.source:
            continue
        if p is None or b.eperiod is None or b.eperiod == p:
            stating.add(b.source)
        kind = figure_kind(f, b)
        field = _FIGURE_FIELD.get(kind or "")
        if field is not None:
            setattr(s, field, getattr(s, field) + 1)
            if kind == "agrees":
                agreeing.add(b.source)


def periods_touched(changed: Iterable[Figure], periods: Iterable[str | None]) -> set[str | None] | None:
    """Of a family's periods (`periods`, as `eperiod` says them), those whose claims' counts can
    move when the claims `changed` come or go: their own periods, those lying within them or
    they within (the same figure agrees there), and the unknown one. None when a changed
    claim's period nobody can tell: then every period's claims can move."""
    own = {f.eperiod for f in changed}
    if None in own:
        return None
    return {p for p in periods if p is None or p in own or any(nested(p, q) for q in own)}


def move_counts(
    members: list[Figure], before: Callable[[str], Summary], added: list[Figure], removed: list[Figure]
) -> dict[str, Summary] | None:
    """The figure counts after an update added the claims `added` to one family and removed
    `removed` from it, found from the pairs that came and went: the counts of every claim
    added, and of every other claim among `members` whose counts move, from its counts before
    (`before`; its position counts kept). `members` is the family as it is now, or the part of
    it in the periods whose counts can move (periods_touched); `before(id)` gives a claim's
    counts before, a Summary of its own to move; the values are those summarise_family
    gives for the whole family.

    Every claim of a source comes from its one file, which an update replaces whole: a source
    whose claims came or went has all its claims of the family among `added` (now) and
    `removed` (before), so the distinct sources a claim agrees with or shares its period with
    move by what those two lists say of each such source. None (count the family whole) when
    many claims came or went, or a claim of a source that came or went is not among them."""
    new_ids = {f.id for f in added}
    moved = {f.source for f in added} | {f.source for f in removed}
    if len(added) + len(removed) > DELTA_LIMIT or any(f.id not in new_ids and f.source in moved for f in members):
        return None
    partners = [f for f in members if not f.draft]
    out = {f.id: _one_by_pairs(f, partners) for f in added}
    came = [f for f in added if not f.draft]
    went = [f for f in removed if not f.draft]
    for y in members:
        if y.id in new_ids:
            continue
        p = y.eperiod
        steps: list[tuple[str, int]] = []
        agree_now: set[str] = set()
        agree_then: set[str] = set()
        state_now: set[str] = set()
        state_then: set[str] = set()
        for sign, xs, agreeing, stating in ((1, came, agree_now, state_now), (-1, went, agree_then, state_then)):
            for x in xs:
                kind = figure_kind(y, x)
                field = _FIGURE_FIELD.get(kind or "")
                if field is not None:
                    steps.append((field, sign))
                    if kind == "agrees":
                        agreeing.add(x.source)
                if p is None or x.eperiod is None or x.eperiod == p:
                    stating.add(x.source)
        if not steps and state_now == state_then:
            continue  # no pair of its came or went: its counts stay
        s = before(y.id)
        for field, sign in steps:
            setattr(s, field, getattr(s, field) + sign)
        s.agree_sources += len(agree_now) - len(agree_then)
        s.quantity_sources += len(state_now) - len(state_then)
        out[y.id] = s
    return out


# --- an update's moved counts, claims grouped by what the rule reads of them ----------------

# The counts move_by_kind moves, in this order (the columns that keep them are the first of
# schema.AGREEMENT_FIELDS, in the same order).
MOVED_FIELDS = ("conflicts", "odds", "revises", "differs", "agrees", "agree_sources", "quantity_sources")
# A stored claim as move_by_kind reads it: rowid, id, source, qperiod, presumed_period,
# value_low, value_high, bound, status, source_date, draft, whether its summary is more than
# its figure's (it takes a position or has a group check), then its stored conflict_count,
# odds_count, revise_count, differ_count, agree_sources (what its figure's summary reads).
Narrow = tuple[Any, ...]
_SUMMARY_COUNTS = (0, 1, 2, 3, 5)  # the MOVED_FIELDS of a Narrow's last five values


@dataclass(slots=True)
class Moved:
    """What move_by_kind found for one family."""

    bulk: dict[tuple[tuple[int, int], ...], list[int]]  # ((MOVED_FIELDS index, delta), ...) -> rowids
    one_by_one: dict[int, tuple[int, ...]]  # rowid -> deltas of MOVED_FIELDS: its summary may change
    added: dict[str, Summary]  # the counts of the claims added
    pairs_moved: int  # the conflicts and odds of the reviewed claims moved in bulk


def _date_read(v: Narrow, dated: bool, over: dict[tuple[str | None, str | None], bool]) -> Any:
    """What figure_kind reads of a claim's date (`v`, Narrow), against claims of which some are
    expectations (`dated`) or none: whether its period was over when it was written, for an
    estimate (an outcome then, else an expectation); the date itself, for an expectation
    against an expectation (whether their dates are apart); else nothing."""
    status, date = v[8], v[9]
    if status == "estimated":
        period = v[3] if v[3] is not None else v[4]
        done = over.get((period, date))
        if done is None:
            done = over[(period, date)] = period_over(period, date)
        return date if dated and not done else done
    return date if dated and status in EXPECTATIONS else None


def move_by_kind(
    fam: tuple[str, str, str | None], rows: Iterable[Narrow], added: list[Figure], removed: list[Figure]
) -> Moved | None:
    """move_counts for one family read as narrow rows (`rows`: its claims in the periods whose
    counts can move, Narrow), without a Figure per claim: what `figure_kind` decides of a pair
    reads of a claim of the family only its period (stated, presumed), status, date, bound,
    and whether its values are those of the other figure or its range cannot meet the other's,
    so claims alike in those, for every claim that came or went, are decided once, on one of
    them (of the date, only what figure_kind reads of it: _date_read). A claim whose counts
    move without changing its summary (no count its summary reads starts or stops being zero,
    no position, no group check) is moved in bulk, by its deltas; the others one by one
    (`one_by_one`, their stored values read whole). The claims added
    (among `rows`, by id) are counted against the others (their partners, as move_counts
    counts them). None where move_counts says None."""
    new_ids = {f.id for f in added}
    moved = {f.source for f in added} | {f.source for f in removed}
    if len(added) + len(removed) > DELTA_LIMIT:
        return None
    came = [f for f in added if not f.draft]
    went = [f for f in removed if not f.draft]
    against = [(f.span, f.low, f.high) for f in (*added, *removed)]
    dated = any(f.expectation for f in (*added, *removed))  # then an expectation's date is read
    over: dict[tuple[str | None, str | None], bool] = {}
    qentity, metric, unit = fam
    groups: dict[tuple[Any, ...], list[Narrow]] = defaultdict(list)
    for v in rows:
        if v[1] in new_ids:
            continue
        if v[2] in moved:
            return None
        lo, hi = effective(v[5], v[6], v[7])
        key = (v[3], v[4], v[8], _date_read(v, dated, over), v[7])
        key += tuple((xhi < lo or xlo > hi, xl == v[5] and xh == v[6]) for (xlo, xhi), xl, xh in against)
        groups[key].append(v)
    out = Moved({}, {}, {}, 0)
    kinds: list[tuple[Figure, int, set[str]]] = []  # (one of them, reviewed claims, their sources)
    for members in groups.values():
        v = members[0]
        y = Figure(
            id=v[1], source=v[2], qentity=qentity, topic="", metric=metric, unit=unit, period=v[3], low=v[5],
            high=v[6], bound=v[7], status=v[8], date=v[9], presumed=v[4], draft=bool(v[10]),
        )  # fmt: skip
        reviewed = [m for m in members if not m[10]]
        kinds.append((y, len(reviewed), {m[2] for m in reviewed}))
        p = y.eperiod
        steps = [0] * len(MOVED_FIELDS)
        agree_now: set[str] = set()
        agree_then: set[str] = set()
        state_now: set[str] = set()
        state_then: set[str] = set()
        for sign, xs, agreeing, stating in ((1, came, agree_now, state_now), (-1, went, agree_then, state_then)):
            for x in xs:
                kind = figure_kind(y, x)
                field = _FIGURE_FIELD.get(kind or "")
                if field is not None:
                    steps[MOVED_FIELDS.index(field)] += sign
                    if kind == "agrees":
                        agreeing.add(x.source)
                if p is None or x.eperiod is None or x.eperiod == p:
                    stating.add(x.source)
        steps[5] = len(agree_now) - len(agree_then)
        steps[6] = len(state_now) - len(state_then)
        if not any(steps):
            continue  # none of its pairs came or went, or as many as went came: its counts stay
        deltas = tuple((i, d) for i, d in enumerate(steps) if d)
        pairs = steps[0] + steps[1]
        for m in members:
            counts = m[12:17]
            crosses = any((counts[k] > 0) != (counts[k] + steps[i] > 0) for k, i in enumerate(_SUMMARY_COUNTS))
            if crosses or m[11]:
                out.one_by_one[m[0]] = tuple(steps)
            else:
                out.bulk.setdefault(deltas, []).append(m[0])
                if not m[10]:
                    out.pairs_moved += pairs
    for f in added:
        s = Summary()
        agreeing = set()
        stating = {f.source}
        p = f.eperiod
        for y, n, sources in kinds:
            if p is None or y.eperiod is None or y.eperiod == p:
                stating |= sources
            kind = figure_kind(f, y)
            field = _FIGURE_FIELD.get(kind or "")
            if field is not None and n:
                setattr(s, field, getattr(s, field) + n)
                if kind == "agrees":
                    agreeing |= sources
        _count_partners(s, f, came, stating, agreeing)  # the other claims added are its partners too
        s.agree_sources = len(agreeing)
        s.quantity_sources = len(stating)
        out.added[f.id] = s
    return out
