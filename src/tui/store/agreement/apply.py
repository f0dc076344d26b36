"""The model applied to a corpus, or to the part of it an update touches: one function
for both, and the values the store keeps per claim (AGREEMENT_FIELDS, in order)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .counting import CONFLICT_SUMMARIES, SUMMARIES, Summary, summarise
from .groups import GroupCheck, group_check
from .rules import Figure, normalise_period, normalise_unit, presumed_period, quantity_entity, short_source

# id -> (kind, parent, members, name)
EntityInfo = Mapping[str, tuple[str, str | None, list[str], str]]


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the model reads of a source: its date and how reasons name it."""

    date: str | None = None  # `published`, else `as_of`
    as_of: bool = False
    label: str | None = None

    @classmethod
    def of(cls, title: str | None, publisher: str | None, published: str | None, as_of: str | None) -> SourceInfo:
        return cls(published or as_of, bool(as_of and not published), short_source(title, publisher))


def figure_of_claim(c: Any, entities: EntityInfo, source: SourceInfo) -> Figure:
    """A Figure from a validated claim (store/model.Claim) and its source."""
    kind, parent, _, _ = entities.get(c.entity, ("company", None, [], c.entity))
    period = normalise_period(c.period)
    return Figure(
        id=c.id,
        source=c.source,
        qentity=quantity_entity(c.entity, kind, parent),
        topic=c.topic,
        metric=c.metric if c.value_low is not None else None,
        unit=normalise_unit(c.unit),
        period=period,
        low=c.value_low,
        high=c.value_high,
        bound=c.bound,
        display_unit=c.unit,
        status=c.status,
        date=source.date,
        as_of=source.as_of,
        presumed=presumed_period(period, source.date) if c.value_low is not None else None,
        label=source.label,
        draft=bool(c.draft),
        stances=tuple(sorted((c.stance or {}).items())),
    )


@dataclass
class Model:
    """Everything the store keeps of the model, for a whole corpus or a part of it."""

    summaries: dict[str, Summary] = field(default_factory=dict)
    groups: dict[str, GroupCheck] = field(default_factory=dict)


def model_of(figures: Iterable[Figure], entities: EntityInfo, member_figures: Mapping[str, list[Figure]] | None = None) -> Model:
    """Summaries of every claim among `figures`, and the checks of every group figure among
    them against its members' figures (`member_figures`: quantity entity -> figures; by default
    those among `figures`). The full build passes the whole corpus; an update passes the
    families and positions it touched (with every member's figures), and gets the same values."""
    figures = list(figures)
    model = Model(summaries=summarise(figures))
    groups = {e: info for e, info in entities.items() if info[0] == "group" and info[2]}
    if not groups:
        return model
    if member_figures is None:
        by_entity: dict[str, list[Figure]] = defaultdict(list)
        for f in figures:
            if f.numeric:
                by_entity[f.qentity].append(f)
        member_figures = by_entity
    names = {e: info[3] for e, info in entities.items()}
    for f in figures:
        info = groups.get(f.qentity)
        if info is not None and f.numeric:
            check = group_check(f, info[2], names, member_figures)
            if check is not None:
                model.groups[f.id] = check
    return model


class Stored(NamedTuple):
    """The agreement columns of one claim, as the store keeps them (schema.AGREEMENT_FIELDS)."""

    conflict_count: int = 0
    odds_count: int = 0
    revise_count: int = 0
    differ_count: int = 0
    agree_count: int = 0
    agree_sources: int = 0
    quantity_sources: int = 0
    relation: str | None = None  # the summary of its figure (of its positions for a claim without one)
    group_relation: str | None = None
    group_reason: str | None = None
    group_low: float | None = None
    group_high: float | None = None
    oppose_count: int = 0  # claims of other sources taking the opposite position
    concur_count: int = 0  # claims of other sources taking the same position
    position_relation: str | None = None  # the summary of its positions (disputed / corroborated / single-source)
    standing: str | None = (
        None  # the claim's one summary: an opposed position disputes it, else its figure's, else its positions'
    )


NOTHING = Stored()


def final_relation(s: Summary, g: GroupCheck | None) -> str | None:
    """The claim's summary, its group check included: a sum that cannot hold disputes it, one
    at odds puts it at odds, one that differs makes it differ (unless something stronger holds)."""
    relation = s.relation
    if g is None or relation is None:
        return relation
    order = SUMMARIES
    from_group = {"contradicts": "disputed", "at-odds": "at-odds", "differs": "differs"}.get(g.kind)
    if from_group is not None and order.index(from_group) < order.index(relation):
        return from_group
    return relation


def stored(fid: str, model: Model) -> Stored:
    """The agreement columns of one claim (all zero and null for a claim with no relation to count)."""
    s = model.summaries.get(fid)
    if s is None:
        return NOTHING
    g = model.groups.get(fid)
    return Stored(
        s.conflicts,
        s.odds,
        s.revises,
        s.differs,
        s.agrees,
        s.agree_sources,
        s.quantity_sources,
        final_relation(s, g),
        g.kind if g else None,
        g.reason if g else None,
        g.low if g else None,
        g.high if g else None,
        s.opposed,
        s.concurs,
        s.position,
        overall(final_relation(s, g), s.position),
    )


def summary_of_stored(values: Stored, numeric: bool) -> Summary:
    """The Summary a claim's stored values say (what stored() wrote), for an update that moves
    some of its counts and stores it again. (The number of distinct sources concurring is not
    kept, only whether there is one: what its position's summary reads.)"""
    return Summary(
        numeric=numeric,
        conflicts=values.conflict_count,
        odds=values.odds_count,
        revises=values.revise_count,
        differs=values.differ_count,
        agrees=values.agree_count,
        agree_sources=values.agree_sources,
        quantity_sources=values.quantity_sources,
        opposed=values.oppose_count,
        concurs=values.concur_count,
        concur_sources=int(values.position_relation == "corroborated"),
        has_position=values.position_relation is not None,
    )


def group_of_stored(values: Stored) -> GroupCheck | None:
    """The group check a claim's stored values say."""
    if values.group_relation is None:
        return None
    assert values.group_reason is not None and values.group_low is not None and values.group_high is not None
    return GroupCheck(values.group_relation, values.group_reason, values.group_low, values.group_high)


def overall(relation: str | None, position: str | None) -> str | None:
    """A claim's one summary (what `is:` filters and the table's mark say): an opposed position
    disputes it; else its figure's summary; else its positions'."""
    if position == "disputed":
        return "disputed"
    return relation if relation is not None else position


def in_conflict(standing: str | None) -> bool:
    """A claim `is:conflict` finds (by its standing, its one summary): its figure disputed or at
    odds, or its position opposed."""
    return standing in CONFLICT_SUMMARIES


def conflict_pairs(values: Iterable[tuple[int, int, int, bool]]) -> int:
    """The number of disagreeing pairs (figures that cannot both hold or are at odds, opposite
    positions) among reviewed claims, from each claim's (conflict_count, odds_count,
    oppose_count, draft): every pair is counted by both its claims, and a draft's counts are
    what it would be, not what is."""
    return sum(c + o + p for c, o, p, draft in values if not draft) // 2
