# Long because it is the one relation between two claims, and every rule it applies
# (periods, horizons, framing, bounds) reads the same Figure; the model's single source of truth.
"""The rules: what a figure is to the model, and the one relation between two claims.

Everything a relation depends on is in `Figure`: the quantity (entity, metric, unit),
the period as stated and as presumed from the source's date, the range after the
bound, the framing (outcome or expectation, from `status`), the source's date, the
positions the claim takes on propositions, and whether it is a draft. `relation(a, b)`
decides one pair; the counting (counting.py) gives the same answers for every claim at
once without looking at every pair.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date as _date
from functools import lru_cache
from typing import Any, Protocol

from ..fmt import format_value

APPROX_TOLERANCE = 0.10  # "about 10 %" is taken to mean 9–11 %
INF = float("inf")

# strongest first: a pair has one relation, the strongest that holds
RELATIONS = ("contradicts", "opposes", "at-odds", "revises", "differs", "agrees", "related")
STRENGTH = {r: i for i, r in enumerate(RELATIONS)}  # lower is stronger
MARK = {"contradicts": "⚠", "opposes": "⚠", "at-odds": "!", "revises": "→", "differs": "≠", "agrees": "=", "related": "↔"}
# the relations that are a disagreement the reader must see (`is:conflict`)
CONFLICTS = ("contradicts", "opposes", "at-odds")

# How a source frames a figure. Outcomes say what happened (or is estimated to have);
# expectations say what will or may happen. Only two outcomes can "not both hold".
OUTCOMES = ("confirmed", "reported", "estimated")
EXPECTATIONS = ("projected", "planned", "possible")
FRAMING_NOUN = {
    "confirmed": "a confirmed figure",
    "reported": "a report",
    "estimated": "an estimate",
    "projected": "a projection",
    "planned": "a plan",
    "possible": "a possibility",
    "opinion": "an opinion",
    "illustrative": "an invented example",
}


# --- periods and horizons --------------------------------------------------------------

_YEAR = r"((?:19|20)\d\d)"
_PERIOD_FORMS = (
    (re.compile(rf"^(?:fy|fiscal(?: year)?)\s*-?\s*{_YEAR}$"), lambda m: m[1]),
    (re.compile(rf"^{_YEAR}$"), lambda m: m[1]),
    (re.compile(rf"^(?:h([12])|([12])h)\s*-?\s*{_YEAR}$"), lambda m: f"H{m[1] or m[2]} {m[3]}"),
    (re.compile(rf"^{_YEAR}\s*-?\s*h([12])$"), lambda m: f"H{m[2]} {m[1]}"),
    (re.compile(rf"^q([1-4])\s*-?\s*{_YEAR}$"), lambda m: f"Q{m[1]} {m[2]}"),
    (re.compile(rf"^{_YEAR}\s*-?\s*q([1-4])$"), lambda m: f"Q{m[2]} {m[1]}"),
    (re.compile(rf"^{_YEAR}\s*(?:-|–|—|to|through)\s*{_YEAR}$"), lambda m: f"{m[1]}-{m[2]}"),
    (re.compile(r"^(?:long[- ]term|multi[- ]year|long[- ]run)$"), lambda m: "long-term"),
    (re.compile(rf"^(?:by|through|until|to)\s+(?:the end of\s+)?{_YEAR}$"), lambda m: f"by {m[1]}"),
)


def normalise_period(period: str | None) -> str | None:
    """'FY2026' -> '2026', '2H 2026' -> 'H2 2026', '2023–2026' -> '2023-2026', 'Long term' ->
    'long-term', 'by the end of 2028' -> 'by 2028'; others as written."""
    if period is None:
        return None
    text = " ".join(str(period).split())
    low = text.lower()
    for pattern, make in _PERIOD_FORMS:
        m = pattern.match(low)
        if m:
            return make(m)
    return text or None


@lru_cache(maxsize=1 << 16)
def period_span(period: str | None) -> tuple[float, float] | None:
    """The years a normalised period covers, as fractions: 'H2 2026' -> (2026.5, 2027.0);
    None for a horizon ('long-term', 'by 2028') or a period without a year."""
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


@lru_cache(maxsize=1 << 16)
def is_horizon(period: str | None) -> bool:
    """A period longer than one year or open-ended: 'long-term', 'by 2028', '2026-2030'."""
    if not period:
        return False
    if period == "long-term" or period.startswith("by "):
        return True
    span = period_span(period)
    return span is not None and span[1] - span[0] > 1


@lru_cache(maxsize=1 << 16)
def period_over(period: str | None, source_date: str | None) -> bool:
    """Whether a period had ended when the source was written (both known): 2025 in an
    article of April 2026 had; 2026 had not; a horizon never has."""
    span, day = period_span(period), date_span(source_date)
    if span is None or day is None or is_horizon(period):
        return False
    first = _date.fromordinal(day[0])
    return span[1] <= first.year + (first.timetuple().tm_yday - 1) / 366


@lru_cache(maxsize=1 << 16)
def nested(pa: str | None, pb: str | None) -> bool:
    """Two periods one of which lies within the other (H1 2026 and 2026; 2026 and 'by 2026')."""
    if not pa or not pb or pa == pb:
        return False
    sa, sb = _reach(pa), _reach(pb)
    if sa is None or sb is None:
        return False
    return (sa[0] >= sb[0] and sa[1] <= sb[1]) or (sb[0] >= sa[0] and sb[1] <= sa[1])


def _reach(period: str) -> tuple[float, float] | None:
    """The years a period reaches: 'by 2028' is up to the end of 2028."""
    m = re.fullmatch(r"by (\d{4})", period)
    if m:
        return -INF, float(m[1]) + 1
    return period_span(period)


def presumed_period(period: str | None, source_date: str | None) -> str | None:
    """The period the model presumes for a figure whose article states none: the year of the
    source's date (`published`, else `as_of`). None when a period is stated or no date is known."""
    if period is not None or not source_date:
        return None
    m = re.match(r"(\d{4})", source_date)
    return m[1] if m else None


# --- dates ------------------------------------------------------------------------------

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@lru_cache(maxsize=1 << 16)
def date_span(iso: str | None) -> tuple[int, int] | None:
    """The days an ISO date covers, as ordinals [start, end): '2026-04' is all of April."""
    if not iso:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", iso)
    if not m:
        return None
    y = int(m[1])
    try:
        if m[3]:
            d = _date(y, int(m[2]), int(m[3])).toordinal()
            return d, d + 1
        if m[2]:
            mo = int(m[2])
            start = _date(y, mo, 1).toordinal()
            end = _date(y + (mo == 12), mo % 12 + 1, 1).toordinal()
            return start, end
        return _date(y, 1, 1).toordinal(), _date(y + 1, 1, 1).toordinal()
    except ValueError:
        return None


@lru_cache(maxsize=1 << 16)  # a pure function of its arguments: a reason names a source's date again and again
def show_date(iso: str | None, as_of: bool = False) -> str:
    """'2026-04-25' -> '25 Apr 2026', '2026-03' -> 'Mar 2026'; 'as of Mar 2026' for a dated lead."""
    if not iso:
        return ""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", iso)
    if not m:
        return iso
    if m[3]:
        text = f"{int(m[3])} {_MONTHS[int(m[2]) - 1]} {m[1]}"
    elif m[2]:
        text = f"{_MONTHS[int(m[2]) - 1]} {m[1]}"
    else:
        text = m[1]
    return f"as of {text}" if as_of else text


def dates_apart(a: str | None, b: str | None) -> bool:
    """Two source dates that say which came first: both known and not overlapping
    ('2026-03' and '2026-04-25' are apart; '2026-04' and '2026-04-25' are not)."""
    sa, sb = date_span(a), date_span(b)
    if sa is None or sb is None:
        return False
    return sa[1] <= sb[0] or sb[1] <= sa[0]


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
    """The entity a claim's figure is about: an event counts as its parent company (a
    division does not: Reality Labs' loss is not Meta's)."""
    return parent if kind == "event" and parent else entity


def short_source(title: str | None, publisher: str | None = None) -> str:
    """A source as a reason names it: its publisher, else its title up to a colon or dash."""
    if publisher:
        return publisher
    t = (title or "").strip()
    for sep in (": ", " – ", " — ", " | ", " - "):
        if sep in t[3:]:
            t = t[: t.index(sep, 3)]
            break
    return t if len(t) <= 48 else t[:47].rstrip() + "…"


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
    period: str | None = None  # normalised, as stated; None where the article states none
    low: float | None = None
    high: float | None = None
    bound: str = "exact"
    display_unit: str | None = None  # as written, for reasons
    status: str = "reported"
    date: str | None = None  # the source's date (ISO), `published` else `as_of`
    as_of: bool = False  # the date is a dated lead (`as_of`), not the publication date
    presumed: str | None = None  # the period presumed from the date, where none is stated
    label: str | None = None  # the source as reasons name it
    draft: bool = False
    stances: tuple[tuple[str, str], ...] = ()  # (proposition, "for" | "against")

    @property
    def numeric(self) -> bool:
        return self.low is not None and self.metric is not None

    @property
    def family(self) -> tuple[str, str, str | None]:
        """Claims of one family are the same quantity apart from the period."""
        return (self.qentity, self.metric or "", self.unit)

    @property
    def eperiod(self) -> str | None:
        """The period the figure is compared in: stated, else presumed from the date."""
        return self.period if self.period is not None else self.presumed

    @property
    def span(self) -> tuple[float, float]:
        assert self.low is not None and self.high is not None
        return effective(self.low, self.high, self.bound)

    @property
    def outcome(self) -> bool:
        """An outcome: what happened. An estimate is one only for a period over when its source
        was written (an analyst's estimate of this year's spending is a forecast)."""
        if self.status == "estimated":
            return period_over(self.eperiod, self.date)
        return self.status in OUTCOMES

    @property
    def expectation(self) -> bool:
        """An expectation: what will or may happen, an estimate of a period not yet over included."""
        if self.status == "estimated":
            return not period_over(self.eperiod, self.date)
        return self.status in EXPECTATIONS

    def shown(self) -> str:
        return format_value(self.low, self.high, self.display_unit or self.unit, self.bound)

    def who(self) -> str:
        """The source and its date, as a reason names them: 'SynapNews, 25 Apr 2026'."""
        parts = [self.label or self.source]
        if self.date:
            parts.append(show_date(self.date, self.as_of))
        return ", ".join(parts)


class RowLike(Protocol):
    """A stored claims row (sqlite3.Row) or any mapping with its columns."""

    def __getitem__(self, key: str, /) -> Any: ...

    def keys(self) -> Any: ...


def figure_of_record(r: RowLike) -> Figure:
    """A Figure from a stored claims row (any mapping with the store's claims columns)."""
    try:
        stances = r["stances"]
    except (KeyError, IndexError):  # not among the row's columns (a sqlite3.Row raises IndexError)
        stances = None
    low = r["value_low"]
    return Figure(  # by position, in the fields' order (quicker than by name)
        r["id"],
        r["source"],
        r["qentity"],
        r["topic"],
        r["metric"] if low is not None else None,
        r["qunit"],
        r["qperiod"],
        low,
        r["value_high"],
        r["bound"],
        r["unit"],
        r["status"],
        r["source_date"],
        bool(r["date_as_of"]),
        r["presumed_period"],
        r["source_label"],
        bool(r["draft"]),
        parse_stances(stances),
    )


def parse_stances(raw: str | None) -> tuple[tuple[str, str], ...]:
    """Stored stances ('prop=for;prop2=against') as pairs."""
    if not raw:
        return ()
    out = []
    for part in raw.split(";"):
        prop, _, pos = part.partition("=")
        if prop and pos:
            out.append((prop, pos))
    return tuple(out)


def stances_text(stances: Any) -> str | None:
    """Stances as stored: 'prop=for;prop2=against', in proposition order; None when none."""
    items = sorted(dict(stances).items()) if stances else []
    return ";".join(f"{p}={s}" for p, s in items) or None


@dataclass(frozen=True, slots=True)
class Relation:
    kind: str  # one of RELATIONS
    reason: str

    @property
    def mark(self) -> str:
        return MARK[self.kind]


_BOUND_CLASS = {"at-least": "ge", "at-most": "le"}


def _bound_class(bound: str | None) -> str:
    return _BOUND_CLASS.get(bound or "exact", "eq")


_COMPATIBLE = {"eq": ("eq", "ge", "le"), "ge": ("eq", "ge"), "le": ("eq", "le")}


def same_figure(a: Figure, b: Figure) -> bool:
    """The same figure: equal low and high, with bounds that do not pull apart."""
    return a.low == b.low and a.high == b.high and _bound_class(b.bound) in _COMPATIBLE[_bound_class(a.bound)]


def _allows(f: Figure) -> str:
    lo, hi = f.span
    if f.bound == "approx":
        return f"{f.shown()} ({format_value(lo, hi, f.display_unit or f.unit)})"
    return f.shown()


def _framed(f: Figure) -> str:
    """'a projection (≥ 20 %, The AI Rebalancing, as of Mar 2026)'."""
    return f"{FRAMING_NOUN.get(f.status, 'a figure')} ({f.shown()}, {f.who()})"


def _ordered(a: Figure, b: Figure) -> tuple[Figure, Figure]:
    """The two sides in the order a reason names them, whichever was asked first: an
    expectation before an outcome, then the earlier date, then by id."""
    sa, sb = date_span(a.date), date_span(b.date)
    ka = (not a.expectation, sa[0] if sa else 1 << 30, a.id)
    kb = (not b.expectation, sb[0] if sb else 1 << 30, b.id)
    return (a, b) if ka <= kb else (b, a)


def _presumption(a: Figure, b: Figure) -> str:
    """The caveat a presumed period adds to a reason ('' when both periods are stated)."""
    said = [f for f in (a, b) if f.period is None and f.presumed is not None]
    if not said:
        return ""
    who = " and ".join(f.label or f.source for f in said)
    verb = "state" if len(said) > 1 else "states"
    years = " and ".join(dict.fromkeys(str(f.presumed) for f in said))
    return f"; {who} {verb} no period: {years} presumed from the article's date"


def figure_kind(a: Figure, b: Figure) -> str | None:
    """The relation of two claims' figures (None: not one subject), without its reason: the
    one decision `relation` words and the counting and the exports follow. (An update groups
    the claims of a family by what this reads of them, counting.move_by_kind: a new field
    read here is a field it groups by.)"""
    if a.qentity != b.qentity:
        return None
    if not (a.numeric and b.numeric and a.metric == b.metric and a.unit == b.unit):
        return "related" if a.topic == b.topic else None
    pa, pb = a.eperiod, b.eperiod
    if pa is None or pb is None:
        # a period nobody can tell: the same figure corroborates, any other is only "not the same"
        return "agrees" if same_figure(a, b) else "differs"
    if pa != pb:
        # the same figure for periods one within the other (2026 and "by 2026") says the same
        return "agrees" if same_figure(a, b) and nested(pa, pb) else "related"
    if same_figure(a, b):
        return "agrees"
    (alo, ahi), (blo, bhi) = a.span, b.span
    if a.expectation and b.expectation and dates_apart(a.date, b.date):
        return "revises"
    if bhi < alo or blo > ahi:
        settled = a.outcome and b.outcome and a.period is not None and b.period is not None
        return "contradicts" if settled else "at-odds"
    return "differs"


def _figure_relation(a: Figure, b: Figure) -> Relation | None:
    kind = figure_kind(a, b)
    return None if kind is None else Relation(kind, _figure_reason(kind, a, b))


def figure_relation(kind: str, a: Figure, b: Figure) -> Relation:
    """The relation of two claims' figures whose kind (figure_kind) is known, its reason worded:
    `relation` of two claims that take no position on a common proposition."""
    return Relation(kind, _figure_reason(kind, a, b))


def _figure_reason(kind: str, a: Figure, b: Figure) -> str:
    same_measure = a.numeric and b.numeric and a.metric == b.metric and a.unit == b.unit
    if kind == "related" and not same_measure:
        if a.numeric and b.numeric:
            return f"another measure of the same subject: {b.metric} ({b.shown()}) beside {a.metric} ({a.shown()})"
        return "the same subject and topic"
    if kind == "related":
        return _other_period(a, b)
    same = a.shown() if a.bound == b.bound else f"{a.shown()} and {b.shown()}"
    if kind == "agrees" and a.eperiod and b.eperiod and a.eperiod != b.eperiod:
        p1, p2 = sorted((a.eperiod, b.eperiod))
        return f"the same figure: {same}, for {p1} and {p2}, one within the other{_presumption(a, b)}"
    if a.eperiod is None or b.eperiod is None:
        silent_ones = [f.label or f.source for f in (a, b) if f.eperiod is None]
        silent = " and ".join(silent_ones)
        verb, carry = ("state", "carry") if len(silent_ones) > 1 else ("states", "carries")
        if kind == "agrees":
            return f"the same figure: {same}; {silent} {verb} no period and {carry} no date"
        known = next((f.eperiod for f in (a, b) if f.eperiod is not None), None)
        other = f" ({known} by the other)" if known else ""
        return (
            f"not the same figure, and {silent} {verb} no period{other}: {a.shown()} vs {b.shown()} may be for different periods"
        )
    caveat = _presumption(a, b)
    if kind == "agrees":
        return f"the same figure: {same}{caveat}"
    if kind == "revises":
        first, later = sorted((a, b), key=lambda f: date_span(f.date) or (0, 0))
        (alo, ahi), (blo, bhi) = a.span, b.span
        word = "revised, and the figures do not meet" if bhi < alo or blo > ahi else "revised"
        return (
            f"{word}: {FRAMING_NOUN[first.status].split()[-1]} {first.shown()} ({first.who()}) → "
            f"{FRAMING_NOUN[later.status].split()[-1]} {later.shown()} ({later.who()}){caveat}"
        )
    if kind == "contradicts":
        x, y = sorted((a, b), key=lambda f: f.id)
        return f"{_allows(x)} and {_allows(y)} cannot both hold ({a.eperiod})"
    if kind == "at-odds":
        x, y = _ordered(a, b)
        return f"{_framed(x)} against {_framed(y)}: the figures do not meet{caveat}"
    x, y = sorted((a, b), key=lambda f: f.id)
    return f"{x.shown()} and {y.shown()} can both hold, but are not the same figure{caveat}"


def _other_period(a: Figure, b: Figure) -> str:
    pa, pb = a.eperiod or "", b.eperiod or ""
    shown = {f.id: (f"{f.eperiod} (presumed)" if f.period is None else str(f.eperiod)) for f in (a, b)}
    sa, sb = shown[a.id], shown[b.id]
    if is_horizon(pa) != is_horizon(pb):
        h, y = (sa, sb) if is_horizon(pa) else (sb, sa)
        return f"another horizon: {h} beside {y}"
    spa, spb = period_span(pa), period_span(pb)
    if spa and spb:
        if spa[0] >= spb[0] and spa[1] <= spb[1]:
            return f"for another period: {sa} lies within {sb}"
        if spb[0] >= spa[0] and spb[1] <= spa[1]:
            return f"for another period: {sb} lies within {sa}"
    x, y = sorted((sa, sb))
    return f"for another period: {x} vs {y}"


def stance_kind(a: Figure, b: Figure) -> str | None:
    """'opposes' when the two take opposite positions on a proposition, 'agrees' when they
    take the same one, else None."""
    if not a.stances or not b.stances:
        return None
    mine = dict(a.stances)
    found = None
    for prop, pos in b.stances:
        if prop in mine:
            if mine[prop] != pos:
                return "opposes"
            found = "agrees"
    return found


def relation_kind(a: Figure, b: Figure) -> str | None:
    """The kind `relation` gives, without wording its reason (for counting and listing)."""
    if a.source == b.source:
        return None
    kinds = [k for k in (stance_kind(a, b), figure_kind(a, b)) if k is not None]
    return min(kinds, key=STRENGTH.__getitem__) if kinds else None


Facts = tuple[Any, ...]  # what figure_facts works out of a figure once


def figure_facts(f: Figure) -> Facts:
    """What figure_kind asks of a numeric figure, worked out once: the period it is compared
    in, its span, whether it is an expectation, whether it is a settled outcome (an outcome
    with a stated period), its date's days and its bound's class."""
    span = f.span if f.high is not None else None
    return (f.eperiod, span, f.expectation, f.outcome and f.period is not None, date_span(f.date), _bound_class(f.bound))


def numeric_kind(a: Figure, fa: Facts, b: Figure, fb: Facts) -> str:
    """figure_kind of two numeric figures of one family (entity, metric and unit), from their
    figure_facts: the same decisions in the same order."""
    return kind_against(a, fa)(b, fb)


def kind_against(a: Figure, fa: Facts) -> Callable[[Figure, Facts], str]:
    """numeric_kind(a, fa, b, fb) as a function of b and fb, with what a brings read once
    (for looking at many figures against one)."""
    pa, span_a, xa, settled_a, da, ca = fa
    alo, ahi = span_a if span_a is not None else (None, None)
    low, high, compatible = a.low, a.high, _COMPATIBLE[ca]

    def kind(b: Figure, fb: Facts) -> str:
        pb, span_b, xb, settled_b, db, cb = fb
        same = low == b.low and high == b.high and cb in compatible
        if pa is None or pb is None:
            return "agrees" if same else "differs"
        if pa != pb:
            return "agrees" if same and nested(pa, pb) else "related"
        if same:
            return "agrees"
        blo, bhi = span_b
        if xa and xb and da is not None and db is not None and (da[1] <= db[0] or db[1] <= da[0]):
            return "revises"
        if bhi < alo or blo > ahi:
            return "contradicts" if settled_a and settled_b else "at-odds"
        return "differs"

    return kind


def family_strengths(figures: list[Figure]) -> list[list[int | None]]:
    """STRENGTH of relation_kind for every pair of a list of numeric figures of one family
    (one entity, metric and unit), None where there is none: the same decisions as
    relation_kind, with what each figure brings worked out once (figure_facts) instead of
    once a pair. Another list is decided pair by pair."""
    n = len(figures)
    out: list[list[int | None]] = [[None] * n for _ in range(n)]
    if not all(f.numeric and f.high is not None and f.family == figures[0].family for f in figures):
        for i in range(n):
            for j in range(i + 1, n):
                kind = relation_kind(figures[i], figures[j])
                if kind is not None:
                    out[i][j] = out[j][i] = STRENGTH[kind]
        return out
    facts = [figure_facts(f) for f in figures]
    for i in range(n):
        a = figures[i]
        kind_of = kind_against(a, facts[i])
        for j in range(i + 1, n):
            b = figures[j]
            if a.source == b.source:
                continue
            k = STRENGTH[kind_of(b, facts[j])]
            if a.stances and b.stances:
                sk = stance_kind(a, b)
                if sk is not None and STRENGTH[sk] < k:
                    k = STRENGTH[sk]
            out[i][j] = out[j][i] = k
    return out


def family_strongest(figures: list[Figure]) -> list[tuple[int, int] | None]:
    """Each figure's strongest relation in a list, as family_strengths decides the pairs: the
    STRENGTH of the strongest and the place of the first other figure of that strength (None
    where the figure relates to none), without the table of every pair (the disputes report
    wants no more of a quantity's 60 x 60).

    Figures of one family for two periods, neither one unknown, only agree (the same figure
    for periods one within the other) or relate: such a pair is decided only for a figure
    that has nothing stronger (a difference) with the figures of its own period and those of
    an unknown one. Each other pair is decided once, for both figures."""
    n = len(figures)
    if not all(f.numeric and f.high is not None and f.family == figures[0].family for f in figures):
        out: list[tuple[int, int] | None] = []
        for row in family_strengths(figures):
            found = [k for k in row if k is not None]
            out.append((min(found), row.index(min(found))) if found else None)
        return out
    none = len(STRENGTH)  # weaker than any relation: no relation
    best, at = [none] * n, [n] * n
    facts = [figure_facts(f) for f in figures]
    sources = [f.source for f in figures]
    order = STRENGTH
    near: list[range | list[int]]  # the figures after each that it is decided against first
    if any(f.stances for f in figures):  # a position may relate two figures of any periods: every pair
        near = [range(i + 1, n) for i in range(n)]
    else:
        of_period: dict[str | None, list[int]] = {}
        for i, fa in enumerate(facts):
            of_period.setdefault(fa[0], []).append(i)
        unknown = of_period.get(None, [])
        near = [
            range(i + 1, n) if fa[0] is None else sorted({j for j in (*of_period[fa[0]], *unknown) if j > i})
            for i, fa in enumerate(facts)
        ]
    for i in range(n):
        a, source = figures[i], sources[i]
        kind_of = kind_against(a, facts[i])
        for j in near[i]:
            if sources[j] == source:
                continue
            b = figures[j]
            k = order[kind_of(b, facts[j])]
            if a.stances and b.stances:
                sk = stance_kind(a, b)
                if sk is not None and order[sk] < k:
                    k = order[sk]
            if k < best[i] or (k == best[i] and j < at[i]):
                best[i], at[i] = k, j
            if k < best[j] or (k == best[j] and i < at[j]):
                best[j], at[j] = k, i
    differs = order["differs"]
    for i in range(n):
        if best[i] > differs and not isinstance(near[i], range):  # nothing stronger near: every other figure
            a, source = figures[i], sources[i]
            kind_of = kind_against(a, facts[i])
            best[i], at[i] = none, n
            for j in range(n):
                if j != i and sources[j] != source:
                    k = order[kind_of(figures[j], facts[j])]
                    if k < best[i]:
                        best[i], at[i] = k, j
    return [None if k == none else (k, j) for k, j in zip(best, at, strict=True)]


def _stance_relation(a: Figure, b: Figure) -> Relation | None:
    if not a.stances or not b.stances:
        return None
    mine = dict(a.stances)
    best: Relation | None = None
    for prop, pos in b.stances:
        if prop not in mine:
            continue
        if mine[prop] != pos:
            x, y = sorted((a, b), key=lambda f: f.id)
            xs, ys = dict(x.stances)[prop], dict(y.stances)[prop]
            return Relation("opposes", f"opposite positions on '{prop}': {x.who()} {xs}, {y.who()} {ys}")
        if best is None:
            best = Relation("agrees", f"the same position on '{prop}' ({pos})")
    return best


def relation(a: Figure, b: Figure) -> Relation | None:
    """The relation between two claims, or None when they do not speak of one subject
    (same source, another entity and no shared proposition, or another topic without a
    shared quantity). Symmetric in its kind."""
    if a.source == b.source:
        return None
    found = [r for r in (_stance_relation(a, b), _figure_relation(a, b)) if r is not None]
    if not found:
        return None
    return min(found, key=lambda r: STRENGTH[r.kind])


def strongest(kinds: Any) -> str | None:
    ks = sorted(kinds, key=lambda k: STRENGTH.get(k, 99))
    return ks[0] if ks else None
