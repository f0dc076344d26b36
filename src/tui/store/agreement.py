# Long because it is the one agreement model (relations, counting, groups): the rule is kept in a
# single module on purpose, so that no caller writes it again.
"""How sources agree and disagree: the one model the build, the update, the queries,
the CLI and the explorer use. No SQL here: plain values in, relations out.

Two claims from different sources speak of the **same quantity** when they have
the same metric and unit (units compared case-insensitively) and the same
"quantity entity": an `event` counts as its `parent` company (the Rebalancing's
"20 % or more" in 2026 is a statement about Meta's 2026 cut). Periods are
normalised (`FY2026` is `2026`, `2H 2026` is `H2 2026`, `2023–2026` is
`2023-2026`). For each such pair one **relation** holds, strongest first:

- `contradicts`: same stated period (or both unstated), and the ranges after
  their bounds cannot both hold ("about" widens by ±10 %, "at least" opens the
  top, "at most" the bottom);
- `differs`: both can hold but the sources do not say the same thing
  (overlapping unequal ranges, a point inside a range, "at least 20" against
  "at most 20"), or one source states a period and the other does not;
- `agrees`: the same figure (equal low and high), with bounds that do not
  pull apart ("8,000" and "about 8,000"; not "at least 20" with "at most 20");
- `related`: the same quantity entity and topic, but another metric or unit
  (8,000 employees, 10 %, ~600 AI-team layoffs) or another stated period
  (2025 against 2026; "H2 2026 lies within 2026"). Shown together, never a
  disagreement.

Claims of one source never relate to each other: an article's prose and its own
table count once. Each claim gets a **summary**: `disputed` (some other source
contradicts it), else `differs`, else `corroborated` (by N independent
sources), else `single-source`; qualitative claims have none.

**Groups**: where a `group` entity has a figure and every member has a figure
for the same metric, unit and period, the members' sum is set beside it; a sum
that cannot meet the group's range contradicts it, one that is not the same
figure differs from it, and the reason shows the arithmetic.

Counting is by sorted bounds and hashing per quantity, so a quantity with
100,000 claims costs a sort, never the 5 billion pairs; pairs are listed on
demand, with a limit (`relation` decides one pair).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from .fmt import format_value

APPROX_TOLERANCE = 0.10  # "about 10 %" is taken to mean 9–11 %
INF = float("inf")

RELATIONS = ("contradicts", "differs", "agrees", "related")
STRENGTH = {r: i for i, r in enumerate(RELATIONS)}  # lower is stronger
SUMMARIES = ("disputed", "differs", "corroborated", "single-source")
MARK = {"contradicts": "⚠", "differs": "≠", "agrees": "=", "related": "↔"}
SUMMARY_MARK = {"disputed": "⚠", "differs": "≠", "corroborated": "✓", "single-source": ""}


# --- normalising ---------------------------------------------------------------------

_YEAR = r"((?:19|20)\d\d)"
_PERIOD_FORMS = (
    (re.compile(rf"^(?:fy|fiscal(?: year)?)\s*-?\s*{_YEAR}$"), lambda m: m[1]),
    (re.compile(rf"^{_YEAR}$"), lambda m: m[1]),
    (re.compile(rf"^(?:h([12])|([12])h)\s*-?\s*{_YEAR}$"), lambda m: f"H{m[1] or m[2]} {m[3]}"),
    (re.compile(rf"^{_YEAR}\s*-?\s*h([12])$"), lambda m: f"H{m[2]} {m[1]}"),
    (re.compile(rf"^q([1-4])\s*-?\s*{_YEAR}$"), lambda m: f"Q{m[1]} {m[2]}"),
    (re.compile(rf"^{_YEAR}\s*-?\s*q([1-4])$"), lambda m: f"Q{m[2]} {m[1]}"),
    (re.compile(rf"^{_YEAR}\s*(?:-|–|—|to|through)\s*{_YEAR}$"), lambda m: f"{m[1]}-{m[2]}"),
)


def normalise_period(period: str | None) -> str | None:
    """'FY2026' -> '2026', '2H 2026' -> 'H2 2026', '2023–2026' -> '2023-2026'; others as written."""
    if period is None:
        return None
    text = " ".join(str(period).split())
    low = text.lower()
    for pattern, make in _PERIOD_FORMS:
        m = pattern.match(low)
        if m:
            return make(m)
    return text or None


def period_span(period: str | None) -> tuple[float, float] | None:
    """The years a normalised period covers, as fractions: 'H2 2026' -> (2026.5, 2027.0)."""
    if not period:
        return None
    m = re.fullmatch(r"(\d{4})", period)
    if m:
        return float(m[1]), float(m[1]) + 1
    m = re.fullmatch(r"H([12]) (\d{4})", period)
    if m:
        start = float(m[2]) + (0.5 if m[1] == "2" else 0)
        return start, start + 0.5
    m = re.fullmatch(r"Q([1-4]) (\d{4})", period)
    if m:
        start = float(m[2]) + (int(m[1]) - 1) / 4
        return start, start + 0.25
    m = re.fullmatch(r"(\d{4})-(\d{4})", period)
    if m:
        return float(m[1]), float(m[2]) + 1
    return None


def normalise_unit(unit: str | None) -> str | None:
    return unit.strip().lower() if unit else None


def effective(low: float, high: float, bound: str | None) -> tuple[float, float]:
    """The values a figure allows after its bound: at-least 20 -> [20, inf)."""
    if bound == "approx":
        return low - abs(low) * APPROX_TOLERANCE, high + abs(high) * APPROX_TOLERANCE
    if bound == "at-least":
        return low, INF
    if bound == "at-most":
        return -INF, high
    return low, high


def quantity_entity(entity: str, kind: str | None, parent: str | None) -> str:
    """The entity a claim's figure is about: an event counts as its parent company."""
    return parent if kind == "event" and parent else entity


# --- one figure, one pair --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Figure:
    """What the model needs of a claim (numeric or not)."""

    id: str
    source: str
    qentity: str
    topic: str
    metric: str | None = None
    unit: str | None = None  # normalised (lower case)
    period: str | None = None  # normalised
    low: float | None = None
    high: float | None = None
    bound: str = "exact"
    display_unit: str | None = None  # as written, for reasons

    @property
    def numeric(self) -> bool:
        return self.low is not None and self.metric is not None

    @property
    def family(self) -> tuple[str, str, str | None]:
        """Claims of one family are the same quantity apart from the period."""
        return (self.qentity, self.metric or "", self.unit)

    @property
    def span(self) -> tuple[float, float]:
        assert self.low is not None and self.high is not None
        return effective(self.low, self.high, self.bound)

    def shown(self) -> str:
        return format_value(self.low, self.high, self.display_unit or self.unit, self.bound)


class RowLike(Protocol):
    """A stored claims row (sqlite3.Row) or any mapping with its columns."""

    def __getitem__(self, key: str, /) -> Any: ...


def figure_of_record(r: RowLike) -> Figure:
    """A Figure from a stored claims row (any mapping with the store's claims columns)."""
    return Figure(
        id=r["id"],
        source=r["source"],
        qentity=r["qentity"],
        topic=r["topic"],
        metric=r["metric"] if r["value_low"] is not None else None,
        unit=r["qunit"],
        period=r["qperiod"],
        low=r["value_low"],
        high=r["value_high"],
        bound=r["bound"],
        display_unit=r["unit"],
    )


@dataclass(frozen=True, slots=True)
class Relation:
    kind: str  # one of RELATIONS
    reason: str

    @property
    def mark(self) -> str:
        return MARK[self.kind]


def _bound_class(bound: str | None) -> str:
    return {"at-least": "ge", "at-most": "le"}.get(bound or "exact", "eq")


_COMPATIBLE = {"eq": ("eq", "ge", "le"), "ge": ("eq", "ge"), "le": ("eq", "le")}


def _same_figure(a: Figure, b: Figure) -> bool:
    return a.low == b.low and a.high == b.high and _bound_class(b.bound) in _COMPATIBLE[_bound_class(a.bound)]


def _allows(f: Figure) -> str:
    lo, hi = f.span
    if f.bound == "approx":
        return f"{f.shown()} ({format_value(lo, hi, f.display_unit or f.unit)})"
    return f.shown()


def relation(a: Figure, b: Figure) -> Relation | None:
    """The relation between two claims, or None when they do not speak of one subject
    (same source, another entity, or another topic without a shared quantity)."""
    if a.source == b.source or a.qentity != b.qentity:
        return None
    same_measure = a.numeric and b.numeric and a.metric == b.metric and a.unit == b.unit
    if not same_measure:
        if a.topic != b.topic:
            return None
        if a.numeric and b.numeric:
            return Relation(
                "related", f"another measure of the same subject: {b.metric} ({b.shown()}) beside {a.metric} ({a.shown()})"
            )
        return Relation("related", "the same subject and topic")
    if a.period != b.period:
        if a.period is None or b.period is None:
            stated = a if a.period else b
            return Relation(
                "differs", f"period not stated by one source ({stated.period} by the other): {a.shown()} vs {b.shown()}"
            )
        return Relation("related", _other_period(a.period, b.period))
    (alo, ahi), (blo, bhi) = a.span, b.span
    if bhi < alo or blo > ahi:
        return Relation("contradicts", f"{_allows(a)} and {_allows(b)} cannot both hold")
    if _same_figure(a, b):
        return Relation("agrees", f"the same figure: {a.shown()}" + ("" if a.bound == b.bound else f" and {b.shown()}"))
    return Relation("differs", f"{a.shown()} and {b.shown()} can both hold, but are not the same figure")


def _other_period(pa: str, pb: str) -> str:
    sa, sb = period_span(pa), period_span(pb)
    if sa and sb:
        if sa[0] >= sb[0] and sa[1] <= sb[1]:
            return f"for another period: {pa} lies within {pb}"
        if sb[0] >= sa[0] and sb[1] <= sa[1]:
            return f"for another period: {pb} lies within {pa}"
    return f"for another period: {pa} vs {pb}"


# --- counting for every claim at once ------------------------------------------------------


@dataclass(slots=True)
class Summary:
    conflicts: int = 0  # claims of other sources that contradict this one
    differs: int = 0  # claims of other sources that differ from it
    agrees: int = 0  # claims of other sources that state the same figure
    agree_sources: int = 0  # distinct other sources among those
    quantity_sources: int = 1  # distinct sources stating this quantity (same period), itself included

    @property
    def relation(self) -> str:
        if self.conflicts:
            return "disputed"
        if self.differs:
            return "differs"
        if self.agree_sources:
            return "corroborated"
        return "single-source"


def _conflicts_in(items: list[Figure]) -> dict[str, int]:
    """Claims of other sources whose range is disjoint from each claim's, by sorted bounds."""
    spans = [(f, *f.span) for f in items]
    los = sorted(s[1] for s in spans)
    his = sorted(s[2] for s in spans)
    by_source: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for f, lo, hi in spans:
        by_source[f.source].append((lo, hi))
    own: dict[str, tuple[list[float], list[float]]] = {
        s: (sorted(x[0] for x in v), sorted(x[1] for x in v)) for s, v in by_source.items() if len(v) > 1
    }
    n = len(spans)
    out: dict[str, int] = {}
    for f, lo, hi in spans:
        disjoint = bisect_left(his, lo) + (n - bisect_right(los, hi))
        if f.source in own:
            s_los, s_his = own[f.source]
            disjoint -= bisect_left(s_his, lo) + (len(s_los) - bisect_right(s_los, hi))
        out[f.id] = disjoint
    return out


def summarise_family(items: list[Figure]) -> dict[str, Summary]:
    """Summaries of the numeric claims of one family (same quantity entity, metric, unit), in
    time linear in the family (after a sort): claims of the same figure are counted per bound
    class once, not once per claim, so a figure that 10,000 claims state costs 10,000 steps,
    not 100 million. tests/test_agreement.py and tests/test_build_speed_guards.py hold the
    counts against `relation` pair by pair."""
    by_period: dict[str | None, list[Figure]] = defaultdict(list)
    for f in items:
        by_period[f.period].append(f)
    stated = len(items) - len(by_period.get(None, ()))
    unstated = len(items) - stated
    stated_by_source = Counter(f.source for f in items if f.period is not None)
    unstated_by_source = Counter(f.source for f in items if f.period is None)
    out: dict[str, Summary] = {}
    for period, group in by_period.items():
        per_source = Counter(f.source for f in group)
        conflicts = _conflicts_in(group) if len(per_source) > 1 else {}
        # per figure (low, high): per bound class, claims by source
        figure_claims: dict[tuple[float | None, float | None], dict[str, Counter[str]]] = defaultdict(
            lambda: defaultdict(Counter)
        )
        for f in group:
            figure_claims[(f.low, f.high)][_bound_class(f.bound)][f.source] += 1
        # per figure and class of the claim: (claims of the compatible classes, their distinct sources)
        union: dict[tuple[float | None, float | None], dict[str, tuple[int, int]]] = {}
        for key, classes in figure_claims.items():
            union[key] = {}
            for k in classes:
                total = 0
                sources: set[str] = set()
                for c in _COMPATIBLE[k]:
                    counter = classes.get(c)
                    if counter:
                        total += sum(counter.values())
                        sources.update(counter)
                union[key][k] = (total, len(sources))
        n_sources = len(per_source)
        for f in group:
            s = Summary(quantity_sources=n_sources)
            others = len(group) - per_source[f.source]
            s.conflicts = conflicts.get(f.id, 0)
            key = (f.low, f.high)
            k = _bound_class(f.bound)
            classes = figure_claims[key]
            total, distinct = union[key][k]
            own = 0
            for c in _COMPATIBLE[k]:
                counter = classes.get(c)
                if counter:
                    own += counter.get(f.source, 0)
            s.agrees = total - own
            s.agree_sources = distinct - (1 if own else 0)
            s.differs = others - s.conflicts - s.agrees
            if period is None:
                s.differs += stated - stated_by_source[f.source]
            else:
                s.differs += unstated - unstated_by_source[f.source]
            out[f.id] = s
    return out


def summarise(figures: Iterable[Figure]) -> dict[str, Summary]:
    """Summaries of every numeric claim, family by family."""
    families: dict[tuple[str, str, str | None], list[Figure]] = defaultdict(list)
    for f in figures:
        if f.numeric:
            families[f.family].append(f)
    out: dict[str, Summary] = {}
    for items in families.values():
        out.update(summarise_family(items))
    return out


def pairs(figures: Iterable[Figure], kinds: tuple[str, ...] = ("contradicts",)) -> list[tuple[str, str, Relation]]:
    """Every pair of the given relations (for reports and tests: quadratic per subject)."""
    subjects: dict[str, list[Figure]] = defaultdict(list)
    for f in figures:
        subjects[f.qentity].append(f)
    out: list[tuple[str, str, Relation]] = []
    for items in subjects.values():
        for i, a in enumerate(items):
            for b in items[i + 1 :]:
                r = relation(a, b)
                if r is not None and r.kind in kinds:
                    out.append((a.id, b.id, r))
    return out


# --- groups ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GroupCheck:
    kind: str  # contradicts / differs / agrees
    reason: str
    low: float
    high: float  # the members' sum (raw figures; a member with several figures gives its range)


def group_check(
    group_figure: Figure, members: list[str], member_names: Mapping[str, str], figures_of: Mapping[str, list[Figure]]
) -> GroupCheck | None:
    """Hold a group's figure against the sum of its members' figures for the same metric,
    unit and period. None unless every member has such a figure."""
    if not group_figure.numeric or not members:
        return None
    parts: list[tuple[str, float, float, float, float]] = []
    for m in members:
        same = [
            f
            for f in figures_of.get(m, [])
            if f.metric == group_figure.metric and f.unit == group_figure.unit and f.period == group_figure.period and f.numeric
        ]
        if not same:
            return None
        lows = [f.low for f in same if f.low is not None]
        highs = [f.high for f in same if f.high is not None]
        elo = min(f.span[0] for f in same)
        ehi = max(f.span[1] for f in same)
        parts.append((member_names.get(m, m), min(lows), max(highs), elo, ehi))
    low = sum(p[1] for p in parts)
    high = sum(p[2] for p in parts)
    elo = sum(p[3] for p in parts)
    ehi = sum(p[4] for p in parts)
    unit = group_figure.display_unit or group_figure.unit
    terms = " + ".join(f"{name} {format_value(lo, hi, unit)}" for name, lo, hi, _, _ in parts)
    total = format_value(low, high, unit)
    glo, ghi = group_figure.span
    said = group_figure.shown()
    if ehi < glo or elo > ghi:
        return GroupCheck("contradicts", f"the members sum to {total} ({terms}); {said} cannot hold with it", low, high)
    if low == group_figure.low and high == group_figure.high:
        return GroupCheck("agrees", f"the members sum to {total} ({terms}), the same figure", low, high)
    return GroupCheck("differs", f"the members sum to {total} ({terms}), not {said}", low, high)


@dataclass
class Model:
    """Everything the store keeps of the model, for a whole corpus or a part of it."""

    summaries: dict[str, Summary] = field(default_factory=dict)
    groups: dict[str, GroupCheck] = field(default_factory=dict)


def strongest(kinds: Iterable[str]) -> str | None:
    ks = sorted(kinds, key=lambda k: STRENGTH.get(k, 99))
    return ks[0] if ks else None
