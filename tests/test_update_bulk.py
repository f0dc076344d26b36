"""The update's bulk move (counting.move_by_kind) gives every claim of a family the counts the
model gives it, claim by claim: random families of one quantity (periods stated, presumed
from a date or unknown, nested periods, every status, dated and undated sources, bounds,
drafts, shared figures), a source's file added, edited or removed, and each claim's counts
after the change compared with summarise_family's of the family as it is now (the full
build's), whether moved in bulk, one by one, or counted as new. A claim moved in bulk
keeps its summary (the reason it needs no reading whole)."""

from __future__ import annotations

import random

import pytest

from tui.store.agreement import Figure, counting
from tui.store.agreement.counting import MOVED_FIELDS, Summary, move_by_kind, summarise_family
from tui.store.agreement.rules import presumed_period

FAMILY = ("acme", "employees-cut", "employees")
PERIODS = (None, None, "2025", "2026", "2026", "H1 2026", "by 2026", "long-term")
STATUSES = ("confirmed", "reported", "estimated", "projected", "planned", "possible", "opinion")
DATES = (None, "2025-11-02", "2026-01-15", "2026-03", "2026-05-02", "2026")
VALUES = ((1000.0, 1000.0), (1000.0, 1000.0), (2000.0, 2000.0), (1000.0, 3000.0), (5000.0, 5000.0), (4000.0, 6000.0))
BOUNDS = ("exact", "exact", "approx", "at-least", "at-most")


def figures_of(rng: random.Random, source: str, n: int) -> list[Figure]:
    date = rng.choice(DATES)
    out = []
    for i in range(n):
        period = rng.choice(PERIODS)
        low, high = rng.choice(VALUES)
        out.append(
            Figure(
                id=f"{source}-c{i}-{rng.random():.6f}",
                source=source,
                qentity=FAMILY[0],
                topic="job-cuts",
                metric=FAMILY[1],
                unit=FAMILY[2],
                period=period,
                low=low,
                high=high,
                bound=rng.choice(BOUNDS),
                status=rng.choice(STATUSES),
                date=date,
                presumed=presumed_period(period, date),
                draft=rng.random() < 0.15,
            )
        )
    return out


def narrow(rowid: int, f: Figure, s: Summary) -> tuple[object, ...]:
    """A claim as the update reads it (counting.Narrow), with the counts stored before."""
    return (
        rowid, f.id, f.source, f.period, f.presumed, f.low, f.high, f.bound, f.status, f.date, int(f.draft), False,
        s.conflicts, s.odds, s.revises, s.differs, s.agree_sources,
    )  # fmt: skip


def counts(s: Summary) -> tuple[int, ...]:
    return tuple(getattr(s, name) for name in MOVED_FIELDS)


@pytest.mark.parametrize("seed", range(60))
def test_moved_in_bulk_are_the_counts_of_the_family_as_it_is_now(seed: int) -> None:
    rng = random.Random(seed)
    sources = {f"s{k}": figures_of(rng, f"s{k}", rng.randint(1, 4)) for k in range(rng.randint(3, 25))}
    op = rng.choice(("add", "edit", "remove"))
    changed = "s-new" if op == "add" else rng.choice(sorted(sources))
    removed = [] if op == "add" else sources.pop(changed)
    added = [] if op == "remove" else figures_of(rng, changed, rng.randint(1, 4))
    others = [f for claims in sources.values() for f in claims]
    before = summarise_family([*others, *removed])
    now = summarise_family([*others, *added])
    rows = [narrow(i, f, before[f.id]) for i, f in enumerate(others)]
    rows += [narrow(len(rows) + i, f, Summary()) for i, f in enumerate(added)]  # inserted before the recount
    moved = move_by_kind(FAMILY, rows, added, removed)
    assert moved is not None
    by_rowid = dict(enumerate(others))
    in_bulk = {rowid: dict(deltas) for deltas, rowids in moved.bulk.items() for rowid in rowids}
    assert not set(in_bulk) & set(moved.one_by_one)
    for rowid, f in by_rowid.items():
        was = counts(before[f.id])
        if rowid in in_bulk:
            got = tuple(c + in_bulk[rowid].get(i, 0) for i, c in enumerate(was))
            assert now[f.id].figure == before[f.id].figure, "moved in bulk, its summary changed"
        elif rowid in moved.one_by_one:
            got = tuple(c + d for c, d in zip(was, moved.one_by_one[rowid]))
        else:
            got = was
        assert got == counts(now[f.id]), (op, f)
    for f in added:
        assert counts(moved.added[f.id]) == counts(now[f.id]), (op, f)
    reviewed_moved = sum(
        sum(in_bulk[r].get(i, 0) for i in (0, 1)) for r in in_bulk if not by_rowid[r].draft
    )  # the conflicts and odds moved in bulk
    assert moved.pairs_moved == reviewed_moved


def test_a_claim_of_a_source_that_came_or_went_left_behind_is_counted_whole() -> None:
    """A stored claim of the changed source that is neither added nor removed (not possible
    when a file is replaced whole): move_by_kind declines, as move_counts does."""
    rng = random.Random(1)
    kept = figures_of(rng, "s1", 2)
    added = figures_of(rng, "s1", 1)
    rows = [narrow(i, f, Summary()) for i, f in enumerate(kept)]
    assert move_by_kind(FAMILY, rows, added, []) is None
    assert counting.move_counts(kept, lambda _: Summary(), added, []) is None


def test_in_a_large_family_most_claims_move_in_bulk() -> None:
    """200 claims of 50 sources, one source added: most claims' counts move without their
    summaries changing, so they are moved in bulk, never read whole."""
    rng = random.Random(7)
    others = [f for k in range(50) for f in figures_of(rng, f"s{k}", 4)]
    added = figures_of(rng, "s-new", 3)
    before = summarise_family(others)
    rows = [narrow(i, f, before[f.id]) for i, f in enumerate(others)]
    rows += [narrow(len(rows) + i, f, Summary()) for i, f in enumerate(added)]
    moved = move_by_kind(FAMILY, rows, added, [])
    assert moved is not None
    assert sum(len(r) for r in moved.bulk.values()) > 2 * len(moved.one_by_one), moved.one_by_one
