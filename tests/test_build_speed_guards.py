"""Guards for the build's speed work (issue 14), by structure, never by the clock: the fast
agreement counting gives the rule's counts exactly, and the build's steps can be timed."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from tui.store import agreement
from tui.store.agreement import Figure


def _family(rng: random.Random, n: int) -> list[Figure]:
    out = []
    for i in range(n):
        low = rng.choice([10, 20, 20, 30, 50, -5, 0])
        high = low + rng.choice([0, 0, 0, 5, 40])
        out.append(
            Figure(
                id=f"c{i}",
                source=f"s{rng.randrange(max(1, n // 3))}",
                qentity="meta",
                topic="t",
                metric="m",
                unit="u",
                period=rng.choice(["2026", "2026", "2025", None]),
                low=float(low),
                high=float(high),
                bound=rng.choice(["exact", "approx", "at-least", "at-most"]),
            )
        )
    return out


def _pair_by_pair(items: list[Figure]) -> dict[str, agreement.Summary]:
    """The counts of every claim from `relation`, one pair at a time: the rule itself."""
    out = {}
    for a in items:
        kinds = [(b, r.kind) for b in items if b is not a for r in [agreement.relation(a, b)] if r is not None]
        out[a.id] = agreement.Summary(
            conflicts=sum(k == "contradicts" for _, k in kinds),
            differs=sum(k == "differs" for _, k in kinds),
            agrees=sum(k == "agrees" for _, k in kinds),
            agree_sources=len({b.source for b, k in kinds if k == "agrees"}),
            # sources stating it in its period or in one nobody can tell (all of them, where its own is that)
            quantity_sources=len({b.source for b in items if a.period is None or b.period in (a.period, None)}),
        )
    return out


def test_linear_counting_equals_the_rule_on_crowded_families() -> None:
    rng = random.Random(5)
    for n in (1, 2, 5, 30, 300, 600):
        items = _family(rng, n)
        assert agreement.summarise_family(items) == _pair_by_pair(items)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 60))
def test_linear_counting_equals_the_rule_for_any_family(seed: int, n: int) -> None:
    items = _family(random.Random(seed), n)
    assert agreement.summarise_family(items) == _pair_by_pair(items)


def test_build_steps_are_reported_when_asked(tmp_path, small_data, monkeypatch, capsys) -> None:
    from conftest import build

    monkeypatch.setenv("PIVOT_BUILD_PROFILE", "1")
    build(small_data, tmp_path / "s.db")
    err = capsys.readouterr().err
    for name in ("agreement model", "claims insert", "indexes", "fts rebuild"):
        assert f"build step {name}: " in err
