"""A group's figure held against the sum of its members' figures."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..fmt import format_value
from .rules import Figure


@dataclass(frozen=True, slots=True)
class GroupCheck:
    kind: str  # contradicts / at-odds / differs / agrees
    reason: str
    low: float
    high: float  # the members' sum (raw figures; a member with several figures gives its range)


def group_check(
    group_figure: Figure, members: list[str], member_names: Mapping[str, str], figures_of: Mapping[str, list[Figure]]
) -> GroupCheck | None:
    """Hold a group's figure against the sum of its members' reviewed figures for the same
    metric, unit and period (stated, or presumed). None unless every member has such a figure.
    Where the group's own source gives every member's figure, its sum is its own arithmetic;
    else the members' figures of every source are summed, a member with several giving its
    range. A sum that cannot meet the group's figure contradicts it only when every figure
    involved is an outcome with a stated period; otherwise they are at odds."""
    if not group_figure.numeric or not members or group_figure.eperiod is None:
        return None
    found: dict[str, list[Figure]] = {}
    for m in members:
        found[m] = [
            f
            for f in figures_of.get(m, [])
            if f.numeric
            and not f.draft
            and f.metric == group_figure.metric
            and f.unit == group_figure.unit
            and f.eperiod == group_figure.eperiod
        ]
        if not found[m]:
            return None
    own = {m: [f for f in figs if f.source == group_figure.source] for m, figs in found.items()}
    same_source = all(own.values())
    if same_source:
        found = own
    sources = {f.source for figs in found.values() for f in figs}
    parts: list[tuple[str, float, float, float, float]] = []
    used: list[Figure] = []
    for m in members:
        same = found[m]
        used += same
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
    if same_source:
        whose = "this source's figures for the members"
    else:
        whose = "the members" if len(sources) == 1 else f"the members' figures of {len(sources)} sources"
    if ehi < glo or elo > ghi:
        settled = all(f.outcome and f.period is not None for f in [group_figure, *used])
        if settled:
            return GroupCheck("contradicts", f"{whose} sum to {total} ({terms}); {said} cannot hold with it", low, high)
        return GroupCheck(
            "at-odds",
            f"{whose} sum to {total} ({terms}); {said} does not meet it (an expectation or a presumed period is involved)",
            low,
            high,
        )
    if low == group_figure.low and high == group_figure.high:
        return GroupCheck("agrees", f"{whose} sum to {total} ({terms}), the same figure", low, high)
    assert group_figure.low is not None and group_figure.high is not None
    if low <= group_figure.low and group_figure.high <= high:
        return GroupCheck("differs", f"{whose} sum to {total} ({terms}); {said} lies within it: both can hold", low, high)
    if glo <= low and high <= ghi:
        return GroupCheck("differs", f"{whose} sum to {total} ({terms}), within {said}: both can hold", low, high)
    return GroupCheck("differs", f"{whose} sum to {total} ({terms}), not {said}, but both can hold", low, high)
