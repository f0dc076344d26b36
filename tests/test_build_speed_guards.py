"""Guards for the build's speed work (issue 14), by structure, never by the clock: the fast
agreement counting gives the model's counts exactly, and the build's steps can be timed."""

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


def test_fast_counting_equals_the_model_on_crowded_families() -> None:
    rng = random.Random(5)
    for n in (1, 2, 5, 30, 300, 2000):
        items = _family(rng, n)
        assert agreement.summarise_family_fast(items) == agreement.summarise_family(items)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 60))
def test_fast_counting_equals_the_model_for_any_family(seed: int, n: int) -> None:
    items = _family(random.Random(seed), n)
    assert agreement.summarise_family_fast(items) == agreement.summarise_family(items)


def test_build_steps_are_reported_when_asked(tmp_path, small_data, monkeypatch, capsys) -> None:
    from conftest import build

    monkeypatch.setenv("PIVOT_BUILD_PROFILE", "1")
    build(small_data, tmp_path / "s.db")
    err = capsys.readouterr().err
    for name in ("agreement model", "claims insert", "indexes", "fts rebuild"):
        assert f"build step {name}: " in err
