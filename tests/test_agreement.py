"""The agreement model (store/agreement.py): one relation per pair, one summary per claim,
the same in the model, the full build, the incremental update, the queries and the CLI."""

from __future__ import annotations

import dataclasses
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import all_claims
from tui.query import build_filter
from tui.store import agreement, build_store, db, load_corpus, open_readonly
from tui.store.agreement import Figure, relation, summarise
from tui.store.refresh import ensure_store


def fig(
    fid: str,
    source: str,
    low: float,
    high: float | None = None,
    bound: str = "exact",
    *,
    period: str | None = "2026",
    metric: str = "workforce-cut-pct",
    unit: str = "percent",
    entity: str = "meta",
    topic: str = "job-cuts",
    status: str = "reported",
    date: str | None = None,
    as_of: bool = False,
    label: str | None = None,
    draft: bool = False,
    stances: dict[str, str] | None = None,
) -> Figure:
    """A claim as the model reads it: the period as stated, presumed from `date` where none is."""
    normal = agreement.normalise_period(period)
    return Figure(
        fid,
        source,
        entity,
        topic,
        metric,
        unit,
        normal,
        low,
        low if high is None else high,
        bound,
        unit,
        status=status,
        date=date,
        as_of=as_of,
        presumed=agreement.presumed_period(normal, date),
        label=label,
        draft=draft,
        stances=tuple(sorted((stances or {}).items())),
    )


def words(fid: str, source: str, stances: dict[str, str], **kw: object) -> Figure:
    """A qualitative claim taking positions."""
    return Figure(fid, source, str(kw.get("entity", "meta")), str(kw.get("topic", "motivation")),
                  stances=tuple(sorted(stances.items())), label=str(kw.get("label", source)),
                  draft=bool(kw.get("draft", False)))  # fmt: skip


SYN = {"date": "2026-04-25", "label": "SynapNews"}
REB = {"date": "2026-03", "as_of": True, "label": "The AI Rebalancing"}


# --- one pair: the exact relation and reason -----------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "kind", "reason"),
    [
        # contradicts: two outcomes, periods stated, ranges that cannot both hold
        (
            fig("a", "s1", 10, bound="approx"),
            fig("b", "s2", 20, bound="at-least"),
            "contradicts",
            "~10 % (9–11 %) and ≥ 20 % cannot both hold (2026)",
        ),
        (fig("a", "s1", 10, 20), fig("b", "s2", 21, 30), "contradicts", "10–20 % and 21–30 % cannot both hold (2026)"),
        (
            fig("a", "s1", 80, bound="at-least", unit="usd"),
            fig("b", "s2", 50, bound="at-most", unit="usd", status="confirmed"),
            "contradicts",
            "≥ 80 usd and ≤ 50 usd cannot both hold (2026)",
        ),
        # framing: a projection (or a plan, a possibility) against an outcome is at odds, never
        # "cannot both hold"; the reason names what each is, with its source and date
        (
            fig("reb", "s1", 20, bound="at-least", status="possible", **REB),
            fig("syn", "s2", 10, bound="approx", **SYN),
            "at-odds",
            "a possibility (≥ 20 %, The AI Rebalancing, as of Mar 2026) against a report (~10 %, SynapNews, 25 Apr 2026): "
            "the figures do not meet",
        ),
        (
            fig("a", "s1", 20, bound="at-least", status="projected", label="A"),
            fig("b", "s2", 10, status="planned", label="B"),
            "at-odds",
            "a projection (≥ 20 %, A) against a plan (10 %, B): the figures do not meet",
        ),
        # a presumed period never makes a contradiction: at odds, and the reason says why
        (
            fig("syn", "s1", 10, bound="approx", period=None, **SYN),
            fig("x", "s2", 20, bound="at-least", label="X"),
            "at-odds",
            "a report (~10 %, SynapNews, 25 Apr 2026) against a report (≥ 20 %, X): the figures do not meet; "
            "SynapNews states no period: 2026 presumed from the article's date",
        ),
        # revisions: two dated expectations whose dates say which came first
        (
            fig("apr", "s1", 115e9, 135e9, unit="USD", metric="ai-capex-usd", status="projected", **SYN),
            fig(
                "may",
                "s2",
                125e9,
                145e9,
                unit="USD",
                metric="ai-capex-usd",
                status="projected",
                date="2026-05-02",
                label="Ledger",
            ),
            "revises",
            "revised: projection $115–135 B (SynapNews, 25 Apr 2026) → projection $125–145 B (Ledger, 2 May 2026)",
        ),
        (
            fig("jan", "s1", 65e9, unit="USD", metric="ai-capex-usd", status="projected", date="2026-01", label="A"),
            fig("apr", "s2", 72e9, unit="USD", metric="ai-capex-usd", status="planned", date="2026-04", label="B"),
            "revises",
            "revised, and the figures do not meet: projection $65 B (A, Jan 2026) → plan $72 B (B, Apr 2026)",
        ),
        # dates that do not say which came first (April, and 25 April): not a revision
        (
            fig("a", "s1", 115e9, 135e9, unit="USD", metric="ai-capex-usd", status="projected", date="2026-04", label="A"),
            fig("b", "s2", 125e9, 145e9, unit="USD", metric="ai-capex-usd", status="projected", **SYN),
            "differs",
            "$115–135 B and $125–145 B can both hold, but are not the same figure",
        ),
        # differs: both can hold, but not the same figure
        (
            fig("a", "s1", 115e9, 135e9, unit="USD"),
            fig("b", "s2", 125e9, 145e9, unit="USD"),
            "differs",
            "$115–135 B and $125–145 B can both hold, but are not the same figure",
        ),
        (
            fig("a", "s1", 10, 20),
            fig("b", "s2", 20, 30),
            "differs",
            "10–20 % and 20–30 % can both hold, but are not the same figure",
        ),
        (fig("a", "s1", 15), fig("b", "s2", 10, 20), "differs", "15 % and 10–20 % can both hold, but are not the same figure"),
        (
            fig("a", "s1", 20, bound="at-least"),
            fig("b", "s2", 20, bound="at-most"),
            "differs",
            "≥ 20 % and ≤ 20 % can both hold, but are not the same figure",
        ),
        # a period nobody can tell (none stated, no date): the same figure agrees, another differs
        (
            fig("a", "s1", 10),
            fig("b", "s2", 20, bound="at-least", period=None, label="B"),
            "differs",
            "not the same figure, and B states no period (2026 by the other): 10 % vs ≥ 20 % may be for different periods",
        ),
        (
            fig("a", "s1", 10, period=None, label="A"),
            fig("b", "s2", 20, period=None, label="B"),
            "differs",
            "not the same figure, and A and B state no period: 10 % vs 20 % may be for different periods",
        ),
        (
            fig("a", "s1", 8000, unit="employees", metric="employees-cut"),
            fig("b", "s2", 8000, bound="approx", unit="employees", metric="employees-cut", period=None, label="B"),
            "agrees",
            "the same figure: 8,000 employees and ~8,000 employees; B states no period and carries no date",
        ),
        # time: the same figure with and without a stated period corroborates, with the caveat
        (
            fig("a", "s1", 8000, unit="employees", metric="employees-cut"),
            fig("b", "s2", 8000, bound="approx", unit="employees", metric="employees-cut", period=None, **SYN),
            "agrees",
            "the same figure: 8,000 employees and ~8,000 employees; SynapNews states no period: 2026 presumed from the "
            "article's date",
        ),
        (fig("a", "s1", 20, bound="at-least"), fig("b", "s2", 20, bound="at-least"), "agrees", "the same figure: ≥ 20 %"),
        (fig("a", "s1", 10, period="FY2026"), fig("b", "s2", 10, period="2026"), "agrees", "the same figure: 10 %"),
        # related: another metric of the same subject, another period, another horizon
        (
            fig("a", "s1", 8000, unit="employees", metric="employees-cut"),
            fig("b", "s2", 10),
            "related",
            "another measure of the same subject: workforce-cut-pct (10 %) beside employees-cut (8,000 employees)",
        ),
        (fig("a", "s1", 10, period="2025"), fig("b", "s2", 20), "related", "for another period: 2025 vs 2026"),
        (fig("a", "s1", 10, period="H2 2026"), fig("b", "s2", 20), "related", "for another period: H2 2026 lies within 2026"),
        (
            fig("a", "s1", 600e9, unit="USD", metric="ai-capex-usd", period="long-term"),
            fig("b", "s2", 115e9, 135e9, unit="USD", metric="ai-capex-usd", **SYN),
            "related",
            "another horizon: long-term beside 2026",
        ),
        (
            fig("a", "s1", 10, period="2026"),
            fig("b", "s2", 20, period="2023–2026"),
            "related",
            "another horizon: 2023-2026 beside 2026",
        ),
        (
            fig("a", "s1", 72.2e9, unit="USD", metric="ai-capex-usd", period=None, date="2025-02", label="A"),
            fig("b", "s2", 115e9, 135e9, unit="USD", metric="ai-capex-usd", **SYN),
            "related",
            "for another period: 2025 (presumed) vs 2026",
        ),
        # words: positions on one proposition
        (
            words("oxm", "s1", {"meta-cuts-fund-ai": "against"}, label="0xMetaLabs"),
            words("syn", "s2", {"meta-cuts-fund-ai": "for"}, label="SynapNews"),
            "opposes",
            "opposite positions on 'meta-cuts-fund-ai': 0xMetaLabs against, SynapNews for",
        ),
        (
            words("a", "s1", {"p": "for"}, entity="meta"),
            words("b", "s2", {"p": "for"}, entity="microsoft"),
            "agrees",
            "the same position on 'p' (for)",
        ),
    ],
)
def test_relation_and_reason(a: Figure, b: Figure, kind: str, reason: str) -> None:
    r = relation(a, b)
    assert r is not None and (r.kind, r.reason) == (kind, reason)
    back = relation(b, a)
    assert back is not None and back.kind == kind
    assert agreement.relation_kind(a, b) == kind


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (fig("a", "s1", 10), fig("b", "s1", 20)),  # one source's prose and table: never related
        (fig("a", "s1", 10), fig("b", "s2", 20, entity="microsoft")),  # another entity
        (fig("a", "s1", 10), fig("b", "s2", 20, metric="other", topic="hiring")),  # another metric and topic
        (words("a", "s1", {"p": "for"}), words("b", "s2", {"q": "against"}, topic="strategy")),  # other propositions
    ],
)
def test_no_relation(a: Figure, b: Figure) -> None:
    assert relation(a, b) is None


def test_units_are_compared_case_insensitively() -> None:
    assert agreement.normalise_unit(" USD ") == agreement.normalise_unit("usd") == "usd"


@pytest.mark.parametrize(
    ("written", "normal"),
    [
        ("2026", "2026"),
        ("FY2026", "2026"),
        ("fiscal 2026", "2026"),
        ("H2 2026", "H2 2026"),
        ("2H 2026", "H2 2026"),
        ("2026-H2", "H2 2026"),
        ("Q1 2026", "Q1 2026"),
        ("2023-2026", "2023-2026"),
        ("2023–2026", "2023-2026"),
        ("2023 to 2026", "2023-2026"),
        ("long term", "long-term"),
        ("Long-term", "long-term"),
        ("multi-year", "long-term"),
        ("by 2028", "by 2028"),
        ("by the end of 2028", "by 2028"),
        ("March quarter", "March quarter"),
        (None, None),
    ],
)
def test_periods_are_normalised(written: str | None, normal: str | None) -> None:
    assert agreement.normalise_period(written) == normal


@pytest.mark.parametrize(
    ("period", "date", "presumed"),
    [
        (None, "2026-04-25", "2026"),
        (None, "2026-03", "2026"),
        (None, "2025", "2025"),
        ("2025", "2026-04-25", None),
        (None, None, None),
    ],
)
def test_a_missing_period_is_presumed_from_the_sources_date(period: str | None, date: str | None, presumed: str | None) -> None:
    assert agreement.presumed_period(period, date) == presumed


def test_dates_say_which_came_first_only_when_they_do_not_overlap() -> None:
    assert agreement.dates_apart("2026-03", "2026-04-25")
    assert not agreement.dates_apart("2026-04", "2026-04-25")
    assert not agreement.dates_apart("2026", "2026-04-25")
    assert not agreement.dates_apart(None, "2026-04-25")
    assert agreement.show_date("2026-04-25") == "25 Apr 2026"
    assert agreement.show_date("2026-03", as_of=True) == "as of Mar 2026"


# --- summaries agree with the pairs, at any size ----------------------------------------------


def _figure(i: int, src: int, lo: int, width: int, bound: str, period: str | None, status: str, date: str | None,
            draft: bool, stance: str | None) -> Figure:  # fmt: skip
    stances = {"p": stance} if stance else None
    if lo == 0:  # a claim without a figure, taking a position (or not)
        return words(f"c{i}", f"s{src}", stances or {}, draft=draft, label=f"s{src}")
    return fig(f"c{i}", f"s{src}", lo, lo + width, bound, period=period, status=status, date=date, draft=draft,
               stances=stances, label=f"s{src}")  # fmt: skip


figures_st = st.lists(
    st.builds(
        _figure,
        st.integers(0, 10**6),
        st.integers(0, 3),
        st.sampled_from([0, 8, 9, 10, 11, 12, 20]),
        st.sampled_from([0, 0, 0, 1, 5]),
        st.sampled_from(["exact", "approx", "at-least", "at-most"]),
        st.sampled_from(["2026", "2026", None, "2025", "long-term", "H2 2026"]),
        st.sampled_from(["reported", "reported", "confirmed", "estimated", "projected", "planned", "possible", "opinion"]),
        st.sampled_from([None, None, "2026-03", "2026-04", "2026-04-25", "2026-05-02", "2025-11-30", "2026"]),
        st.sampled_from([False, False, False, True]),
        st.sampled_from([None, None, None, "for", "against"]),
    ),
    max_size=16,
    unique_by=lambda f: f.id,
)

FIELD = {"contradicts": "conflicts", "at-odds": "odds", "revises": "revises", "differs": "differs", "agrees": "agrees"}


@settings(max_examples=400, deadline=None)
@given(figures_st)
def test_summaries_equal_counting_the_pairs_one_by_one(figures: list[Figure]) -> None:
    """The counts from sorted bounds and hashing equal the rules pair by pair, each claim
    counted against the reviewed claims of other sources (drafts are never partners): its
    figure by figure_kind, its positions by stance_kind. Small families are counted pair by
    pair, larger ones through indexes: both ways give the same counts."""
    from tui.store.agreement import counting

    summaries = summarise(figures)
    small, counting.SMALL_FAMILY = counting.SMALL_FAMILY, 0
    try:
        assert summarise(figures) == summaries  # every family through its indexes
    finally:
        counting.SMALL_FAMILY = small
    for a in figures:
        if not a.numeric and not a.stances:
            assert a.id not in summaries
            continue
        others = [b for b in figures if b is not a and not b.draft and b.source != a.source]
        s = summaries[a.id]
        if a.numeric:
            kinds = [(b, agreement.figure_kind(a, b)) for b in others]
            for kind, name in FIELD.items():
                assert getattr(s, name) == sum(k == kind for _, k in kinds), (name, kinds)
            assert s.agree_sources == len({b.source for b, k in kinds if k == "agrees"})
            told = {b.source for b in figures if b.numeric and not b.draft and b.family == a.family}
            same_period = {b.source for b in figures if b.numeric and not b.draft and b.family == a.family
                           and (a.eperiod is None or b.eperiod in (a.eperiod, None))}  # fmt: skip
            assert s.quantity_sources == len((told if a.eperiod is None else same_period) | {a.source})
        positions = [agreement.stance_kind(a, b) for b in others]
        assert s.opposed == positions.count("opposes") and s.concurs == positions.count("agrees")
        assert s.has_position == bool(a.stances)


@settings(max_examples=300, deadline=None)
@given(figures_st)
def test_the_relation_is_symmetric(figures: list[Figure]) -> None:
    for a in figures:
        for b in figures:
            ra, rb = relation(a, b), relation(b, a)
            assert (ra is None) == (rb is None)
            if ra is not None and rb is not None:
                assert ra.kind == rb.kind


@settings(max_examples=300, deadline=None)
@given(figures_st, figures_st)
def test_drafts_never_change_a_reviewed_claims_relation(figures: list[Figure], more: list[Figure]) -> None:
    """Adding drafts (of any source, any figure, any position) leaves every reviewed claim's
    counts and summary as they were."""
    reviewed = [f for f in figures if not f.draft]
    drafts = [
        Figure(**{**{k: getattr(f, k) for k in Figure.__slots__}, "id": f"d{f.id}", "draft": True})  # type: ignore[arg-type]
        for f in more
    ]
    before = summarise(reviewed)
    after = summarise(reviewed + drafts)
    assert {k: v for k, v in after.items() if not k.startswith("d")} == before


@settings(max_examples=200, deadline=None)
@given(figures_st, figures_st)
def test_an_unrelated_file_never_changes_a_relation(figures: list[Figure], others: list[Figure]) -> None:
    """Claims about another entity and other propositions (an unrelated file) leave every
    summary as it was."""
    moved = [
        Figure(**{**{k: getattr(f, k) for k in Figure.__slots__}, "id": f"x{f.id}", "source": f"other-{f.source}",  # type: ignore[arg-type]
                  "qentity": "microsoft", "stances": tuple((f"other-{p}", pos) for p, pos in f.stances)})
        for f in others
    ]  # fmt: skip
    assert summarise(figures) == {k: v for k, v in summarise(figures + moved).items() if not k.startswith("x")}


# --- groups -------------------------------------------------------------------------------------

NAMES = {"meta": "Meta", "microsoft": "Microsoft"}


def capex(fid: str, source: str, low: float, high: float | None = None, bound: str = "exact", entity: str = "meta",
          **kw: object) -> Figure:  # fmt: skip
    return fig(fid, source, low, high, bound, metric="capex-usd", unit="USD", entity=entity, topic="ai-capex", **kw)  # type: ignore[arg-type]


def test_a_group_figure_is_held_against_the_sum_of_its_members() -> None:
    members = {"meta": [capex("m", "s1", 115e9, 135e9)], "microsoft": [capex("x", "s2", 80e9)]}
    check = agreement.group_check(capex("g", "s3", 200e9, bound="approx", entity="both"), ["meta", "microsoft"], NAMES, members)
    assert check is not None and check.kind == "differs"
    assert check.reason == (
        "the members' figures of 2 sources sum to $195–215 B (Meta $115–135 B + Microsoft $80 B); ~$200 B lies within it: "
        "both can hold"
    )
    assert (check.low, check.high) == (195e9, 215e9)
    check = agreement.group_check(capex("g", "s3", 400e9, entity="both"), ["meta", "microsoft"], NAMES, members)
    assert check is not None and check.kind == "contradicts"
    assert check.reason == (
        "the members' figures of 2 sources sum to $195–215 B (Meta $115–135 B + Microsoft $80 B); $400 B cannot hold with it"
    )
    check = agreement.group_check(capex("g", "s3", 195e9, 215e9, entity="both"), ["meta", "microsoft"], NAMES, members)
    assert check is not None and check.kind == "agrees"


def test_a_group_sum_against_a_projection_is_at_odds_not_a_contradiction() -> None:
    members = {"meta": [capex("m", "s1", 115e9, 135e9)], "microsoft": [capex("x", "s2", 80e9)]}
    check = agreement.group_check(
        capex("g", "s3", 400e9, entity="both", status="projected"), ["meta", "microsoft"], NAMES, members
    )
    assert check is not None and check.kind == "at-odds"
    assert "cannot hold" not in check.reason


def test_a_group_figure_is_held_first_against_its_own_sources_figures_for_the_members() -> None:
    """A source that gives the group's figure and each member's: its own arithmetic, not a
    range mixing other sources and dates."""
    members = {
        "meta": [capex("m-own", "s3", 10e9), capex("m-other", "s1", 15e9)],
        "microsoft": [capex("x-own", "s3", 35e9), capex("x-other", "s2", 30e9)],
    }
    check = agreement.group_check(capex("g", "s3", 45e9, entity="both"), ["meta", "microsoft"], NAMES, members)
    assert check is not None and check.kind == "agrees"
    assert check.reason == "this source's figures for the members sum to $45 B (Meta $10 B + Microsoft $35 B), the same figure"


def test_a_group_without_every_member_is_not_summed() -> None:
    members = {"meta": [capex("m", "s1", 115e9, 135e9)]}
    assert agreement.group_check(capex("g", "s3", 400e9, entity="both"), ["meta", "microsoft"], NAMES, members) is None


def test_a_draft_member_figure_is_never_summed() -> None:
    members = {"meta": [capex("m", "s1", 115e9, 135e9)], "microsoft": [capex("x", "s2", 80e9, draft=True)]}
    assert agreement.group_check(capex("g", "s3", 400e9, entity="both"), ["meta", "microsoft"], NAMES, members) is None


# --- in the store: small corpora of our own ------------------------------------------------------

ENTITIES = """entities:
  - {id: meta, name: Meta Platforms, kind: company}
  - {id: microsoft, name: Microsoft, kind: company}
  - {id: meta-2026-round, name: Meta's 2026 round, kind: event, parent: meta}
  - {id: both, name: Meta and Microsoft, kind: group, members: [meta, microsoft]}
"""
TOPICS = """topics:
  - {id: job-cuts, label: Job reductions, order: 1}
  - {id: ai-capex, label: AI infrastructure investment, order: 2}
"""


def source_file(sid: str, *claims: str) -> str:
    body = "".join(claims)
    return f"id: {sid}\ntitle: {sid.title()}\nkind: news\nclaims:\n{body}"


def claim_yaml(
    cid: str,
    entity: str,
    value: str,
    *,
    metric: str = "workforce-cut-pct",
    unit: str = "percent",
    topic: str = "job-cuts",
    bound: str = "exact",
    period: str | None = '"2026"',
) -> str:
    period_line = f"    period: {period}\n" if period else ""
    return (
        f"  - id: {cid}\n    entity: {entity}\n    topic: {topic}\n    summary: s {cid}\n    quote: q {cid}\n"
        f"    status: reported\n    metric: {metric}\n    value: {value}\n    unit: {unit}\n    bound: {bound}\n{period_line}"
    )


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.yaml").write_text(ENTITIES)
    (data / "topics.yaml").write_text(TOPICS)
    files = {
        # one source's prose and its own table: the same figure twice, counted once
        "alpha": source_file(
            "alpha",
            claim_yaml("a-prose", "meta", "10", bound="approx"),
            claim_yaml("a-table", "meta", "10"),
            claim_yaml("a-capex", "meta", "[115000000000, 135000000000]", metric="ai-capex-usd", unit="USD", topic="ai-capex"),
        ),
        # an event counts as its company for its period
        "beta": source_file(
            "beta",
            claim_yaml("b-event", "meta-2026-round", "20", bound="at-least"),
            claim_yaml("b-capex", "meta", "[125000000000, 145000000000]", metric="ai-capex-usd", unit="usd", topic="ai-capex"),
        ),
        "gamma": source_file(
            "gamma",
            claim_yaml("g-same", "meta", "10"),
            claim_yaml("g-noperiod", "meta", "10", period=None),
            claim_yaml("g-msft", "microsoft", "[80000000000, 90000000000]", metric="ai-capex-usd", unit="USD", topic="ai-capex"),
        ),
        # a group's figure against its members' sum (Meta's ranges span $115-145 B, Microsoft $80-90 B)
        "delta": source_file(
            "delta", claim_yaml("d-group", "both", "300000000000", metric="ai-capex-usd", unit="USD", topic="ai-capex")
        ),
    }
    for name, text in files.items():
        (data / "sources" / f"{name}.yaml").write_text(text)
    return data


def store_rows(db_path: Path) -> dict[str, sqlite3.Row]:
    conn = open_readonly(db_path)
    return {r["id"]: r for r in conn.execute("SELECT * FROM claims")}


def test_the_store_keeps_each_claims_summary(corpus_dir: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    build_store(load_corpus(corpus_dir), db_path)
    rows = store_rows(db_path)
    summary = {cid: (r["relation"], r["conflict_count"], r["differ_count"], r["agree_sources"]) for cid, r in rows.items()}
    assert summary == {
        # ~10 % and 10 % (alpha) against ≥ 20 % (beta's event) and 10 % (gamma): about 10 and exactly
        # 10 are the same figure; g-noperiod states no period (and Gamma no date): the same figure
        # agrees with it anyway, another differs from it
        "a-prose": ("disputed", 1, 0, 1),
        "a-table": ("disputed", 1, 0, 1),
        "b-event": ("disputed", 3, 1, 0),
        "g-same": ("disputed", 1, 0, 1),
        "g-noperiod": ("corroborated", 0, 1, 1),  # the same figure elsewhere outweighs a differing one
        "a-capex": ("differs", 0, 1, 0),
        "b-capex": ("differs", 0, 1, 0),
        "g-msft": ("single-source", 0, 0, 0),
        "d-group": ("disputed", 0, 0, 0),  # $300 B cannot meet the members' $195-235 B
    }
    assert rows["b-event"]["qentity"] == "meta"
    assert rows["b-capex"]["qunit"] == "usd" and rows["b-capex"]["unit"] == "usd"
    assert rows["d-group"]["group_relation"] == "contradicts"
    assert rows["d-group"]["group_reason"] == (
        "the members' figures of 3 sources sum to $195–235 B (Meta Platforms $115–145 B + Microsoft $80–90 B); "
        "$300 B cannot hold with it"
    )


def test_queries_use_the_model(corpus_dir: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "store.db"
    build_store(load_corpus(corpus_dir), db_path)
    conn = open_readonly(db_path)

    def select(text: str) -> set[str]:
        flt = build_filter(text, conn)
        return {r["id"] for r in all_claims(conn, flt)}

    assert select("is:conflict") == {"a-prose", "a-table", "b-event", "g-same", "d-group"}
    assert select("is:differs") == {"a-capex", "b-capex"}
    assert select("is:corroborated") == {"a-prose", "a-table", "g-same", "g-noperiod"}
    assert select("is:single-source") == {"g-msft"}
    # g-noperiod's period nobody can tell: it counts every source of the quantity, and they count it
    assert select("sources>=3") == {"a-prose", "a-table", "b-event", "g-same", "g-noperiod"}
    assert select("company:meta metric:workforce") == {"a-prose", "a-table", "b-event", "g-same", "g-noperiod"}
    assert select("entity:meta metric:workforce") == {"a-prose", "a-table", "g-same", "g-noperiod"}
    row = db.claim(conn, "a-prose")
    related = {r.row["id"]: (r.relation.kind, r.relation.reason) for r in db.related(conn, row)}
    assert related == {
        "b-event": ("contradicts", "~10 % (9–11 %) and ≥ 20 % cannot both hold (2026)"),
        "g-same": ("agrees", "the same figure: ~10 % and 10 %"),
        "g-noperiod": ("agrees", "the same figure: ~10 % and 10 %; Gamma states no period and carries no date"),
    }
    assert db.conflicts_of(conn, "b-event") == ["a-prose", "a-table", "g-same"]


def test_an_added_file_updates_in_place_as_a_full_build_would(corpus_dir: Path, tmp_path: Path) -> None:
    db_path, full_path = tmp_path / "store.db", tmp_path / "full.db"
    ensure_store(corpus_dir, db_path)
    (corpus_dir / "sources" / "epsilon.yaml").write_text(
        source_file(
            "epsilon",
            claim_yaml("e-capex", "meta", "[125000000000, 145000000000]", metric="ai-capex-usd", unit="USD", topic="ai-capex"),
            claim_yaml("e-msft", "microsoft", "85000000000", metric="ai-capex-usd", unit="USD", topic="ai-capex"),
        )
    )
    ready = ensure_store(corpus_dir, db_path)
    assert ready.built is not None and ready.built.mode == "update"
    build_store(load_corpus(corpus_dir), full_path)
    fields = (
        "id, qentity, qunit, qperiod, conflict_count, differ_count, agree_count, agree_sources, quantity_sources, "
        "relation, group_relation, group_reason, group_low, group_high"
    )

    def snapshot(p: Path) -> list[tuple]:
        conn = sqlite3.connect(p)
        return sorted(tuple(r) for r in conn.execute(f"SELECT {fields} FROM claims"))

    assert snapshot(db_path) == snapshot(full_path)
    rows = store_rows(db_path)
    assert rows["e-capex"]["relation"] == "corroborated" and rows["e-capex"]["agree_sources"] == 1  # beta's $125-145 B
    # the members' sum moved with Microsoft's new figure: the group's check was recounted too
    assert rows["d-group"]["group_reason"].startswith("the members' figures of 4 sources sum to $195–235 B")
    (corpus_dir / "sources" / "epsilon.yaml").unlink()
    ensure_store(corpus_dir, db_path)
    build_store(load_corpus(corpus_dir), full_path)
    assert snapshot(db_path) == snapshot(full_path)


def test_pivot_disputes_and_the_json_export(corpus_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    db_path = tmp_path / "store.db"
    runner = CliRunner()
    out = runner.invoke(main, ["disputes", "--data", str(corpus_dir), "--db", str(db_path)])
    assert out.exit_code == 0, out.output
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("gfm-like").parse(out.stdout)
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h2"]
    # strongest disagreements first; a quantity stated by one source is not listed
    assert headings[0] == "1. Meta Platforms: workforce-cut-pct (percent), ⚠ contradicts"
    assert headings[1].startswith("2. Meta Platforms: ai-capex-usd") and headings[1].endswith("≠ differs")
    assert headings[-1] == "Sources"
    assert sum(t.type == "table_open" for t in tokens) == 2
    data = json.loads(
        runner.invoke(main, ["disputes", "--format", "json", "--data", str(corpus_dir), "--db", str(db_path)]).stdout
    )
    assert [(q["entity"], q["metric"], q["relation"], q["sources"]) for q in data] == [
        ("meta", "workforce-cut-pct", "contradicts", 3),
        ("meta", "ai-capex-usd", "differs", 2),
    ]
    records = json.loads(
        runner.invoke(main, ["export", "id:a-prose", "--format", "json", "--data", str(corpus_dir), "--db", str(db_path)]).stdout
    )
    assert [(r["relation"], r["conflicts"], r["differs_from"], r["corroborated_by"]) for r in records] == [
        ("disputed", ["b-event"], [], ["g-noperiod", "g-same"]),
    ]


# --- the bundled corpus: what the "done" asks ------------------------------------------------

BUNDLED = Path(__file__).resolve().parents[1] / "data"


def test_the_bundled_corpus_shows_metas_2026_cut_disagreement(tmp_path: Path) -> None:
    """Both SynapNews 10 % claims and both Rebalancing 20 % claims are in conflict."""
    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    db_path = tmp_path / "store.db"
    build_store(load_corpus(data), db_path)
    conn = open_readonly(db_path)
    flt = build_filter("is:conflict company:meta metric:workforce-cut-pct", conn)
    rows = all_claims(conn, flt)
    by_source = {}
    for r in rows:
        by_source.setdefault(r["source"], set()).add(r["value_low"])
    assert by_source.get("synapnews-ai-pivot") == {10.0} and sum(r["source"] == "synapnews-ai-pivot" for r in rows) >= 2
    assert by_source.get("ai-rebalancing-meta-layoffs") == {20.0}
    assert sum(r["source"] == "ai-rebalancing-meta-layoffs" for r in rows) >= 2


def test_pivot_disputes_shows_metas_2026_cut_with_every_source_on_it(tmp_path: Path) -> None:
    """The figures of the quantity, the related measures (8,000, ~600 AI-team layoffs) and
    the sources that speak of the cut without a figure: every source on the subject."""
    from click.testing import CliRunner

    from tui.cli import main

    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    out = CliRunner().invoke(
        main, ["disputes", "company:meta", "--format", "json", "--data", str(data), "--db", str(tmp_path / "s.db")]
    )
    found = json.loads(out.stdout)
    cut = next(q for q in found if q["metric"] == "workforce-cut-pct")
    # the Rebalancing's ">= 20 %" is a possibility ("could see") and a projection, SynapNews's ~10 % a report
    assert cut["relation"] == "at-odds"
    conn = open_readonly(tmp_path / "s.db")
    ids = [f["id"] for f in cut["figures"]] + cut["related"] + cut["statements"]
    sources = {r["source"] for r in db.claims_by_ids(conn, ids)}
    assert {"synapnews-ai-pivot", "ai-rebalancing-meta-layoffs", "meta-600-ai-layoffs"} <= sources
    assert len(sources) >= 4


@pytest.mark.parametrize("fmt", ["md", "json", "table"])
def test_pivot_disputes_reads_a_large_store_s_subjects_bounded_to_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Past BULK claims around the quantities, each subject's measures and statements are
    read by a bounded query each (a large store): the same report as read at once."""
    from click.testing import CliRunner

    from tui.cli import main
    from tui.store import disputes

    data = tmp_path / "data"
    shutil.copytree(BUNDLED, data)
    args = ["disputes", "--format", fmt, "--data", str(data), "--db", str(tmp_path / "s.db")]
    whole = CliRunner().invoke(main, args)
    assert whole.exit_code == 0, whole.output
    kinds: list[bool] = []
    real_init = disputes.Around.__init__

    def init(self: disputes.Around, *a: Any) -> None:
        real_init(self, *a)
        kinds.append(self.whole)

    monkeypatch.setattr(disputes.Around, "__init__", init)
    monkeypatch.setattr(disputes, "BULK", 3)
    bounded = CliRunner().invoke(main, args)
    assert bounded.exit_code == 0, bounded.output
    assert kinds == [False]
    assert bounded.stdout == whole.stdout and "related" in whole.stdout.lower()


# --- every rule in one store: time, horizons, framing, revisions, words, drafts, divisions --------

RULES_ENTITIES = """entities:
  - {id: meta, name: Meta Platforms, kind: company}
  - {id: meta-reality-labs, name: Reality Labs, kind: division, parent: meta}
  - {id: meta-2026-round, name: Meta's 2026 round, kind: event, parent: meta}
  - {id: microsoft, name: Microsoft, kind: company}
"""
RULES_TOPICS = """topics:
  - {id: job-cuts, label: Job reductions, order: 1}
  - {id: ai-capex, label: AI infrastructure investment, order: 2}
  - {id: motivation, label: Key motivation, order: 3}
  - {id: losses, label: Losses, order: 4}
"""
RULES_PROPOSITIONS = """propositions:
  - {id: meta-cuts-fund-ai, text: "Meta's job cuts pay for its AI build-out", entity: meta, topic: motivation}
"""


def _claim(cid: str, entity: str, topic: str, status: str, *, metric: str | None = None, value: str | None = None,
           unit: str | None = None, bound: str = "exact", period: str | None = None, stance: str | None = None,
           draft: bool = False) -> str:  # fmt: skip
    lines = [f"  - id: {cid}", f"    entity: {entity}", f"    topic: {topic}", f"    summary: s {cid}", f"    quote: q {cid}",
             f"    status: {status}"]  # fmt: skip
    if metric:
        lines += [f"    metric: {metric}", f"    value: {value}", f"    unit: {unit}", f"    bound: {bound}"]
    if period:
        lines.append(f"    period: {period}")
    if stance:
        lines.append(f"    stance: {{meta-cuts-fund-ai: {stance}}}")
    if draft:
        lines.append("    draft: true")
    return "\n".join(lines) + "\n"


def _source(sid: str, title: str, *claims: str, published: str | None = None, as_of: str | None = None) -> str:
    head = f'id: {sid}\ntitle: "{title}"\nkind: news\n'
    if published:
        head += f"published: {published}\n"
    if as_of:
        head += f"as_of: {as_of}\n"
    return head + "claims:\n" + "".join(claims)


PCT = {"metric": "workforce-cut-pct", "unit": "percent"}
CUT = {"metric": "employees-cut", "unit": "employees"}
CAPEX = {"metric": "ai-capex-usd", "unit": "USD"}
RULES_SOURCES = {
    "syn": _source(
        "syn",
        "SynapNews",
        _claim("syn-pct", "meta", "job-cuts", "reported", value="10", bound="approx", **PCT),  # no period: 2026 presumed
        _claim("syn-cut", "meta", "job-cuts", "reported", value="8000", period='"2026"', **CUT),
        _claim("syn-capex", "meta", "ai-capex", "projected", value="[115000000000, 135000000000]", period='"2026"', **CAPEX),
        _claim("syn-fund", "meta", "motivation", "reported", stance="for"),
        published="2026-04-25",
    ),
    "reb": _source(
        "reb",
        "The AI Rebalancing: Meta Braces",
        _claim("reb-pct", "meta-2026-round", "job-cuts", "possible", value="20", bound="at-least", period='"2026"', **PCT),
        as_of="2026-03",
    ),
    "ledger": _source(
        "ledger",
        "Ledger",
        _claim("led-capex", "meta", "ai-capex", "projected", value="[125000000000, 145000000000]", period='"2026"', **CAPEX),
        published="2026-05-02",
    ),
    "oxm": _source("oxm", "0xMetaLabs", _claim("oxm-fund", "meta", "motivation", "opinion", stance="against")),
    "ana": _source(
        "ana",
        "[untitled analysis]",
        _claim("ana-600b", "meta", "ai-capex", "estimated", value="600000000000", period="long-term", **CAPEX),
        _claim("ana-cut", "meta", "job-cuts", "reported", value="8000", bound="approx", **CUT),  # no period, no date
    ),
    "rl": _source(
        "rl",
        "Reality Labs report",
        _claim(
            "rl-loss",
            "meta-reality-labs",
            "losses",
            "confirmed",
            metric="operating-loss-usd",
            value="16000000000",
            unit="USD",
            period='"2024"',
        ),
        _claim("rl-cut", "meta-reality-labs", "job-cuts", "reported", value="9000", period='"2026"', **CUT),
        published="2025-02",
    ),
}
DRAFTS = _source(
    "drafted", "Drafted page",
    _claim("d-cut", "meta", "job-cuts", "reported", value="9000", period='"2026"', draft=True, **CUT),
    _claim("d-fund", "meta", "motivation", "reported", stance="against", draft=True),
    published="2026-06-01",
)  # fmt: skip


@pytest.fixture
def rules_dir(tmp_path: Path) -> Path:
    data = tmp_path / "rules"
    (data / "sources").mkdir(parents=True)
    (data / "entities.yaml").write_text(RULES_ENTITIES)
    (data / "topics.yaml").write_text(RULES_TOPICS)
    (data / "propositions.yaml").write_text(RULES_PROPOSITIONS)
    for name, text in RULES_SOURCES.items():
        (data / "sources" / f"{name}.yaml").write_text(text)
    return data


def _relations(conn: sqlite3.Connection, cid: str) -> dict[str, tuple[str, str]]:
    return {
        r.row["id"]: (r.relation.kind, r.relation.reason)
        for r in db.related(conn, db.claim(conn, cid))
        if r.relation.kind != "related" or r.row["metric"]
    }


def test_every_rule_in_one_store(rules_dir: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "rules.db"
    build_store(load_corpus(rules_dir), db_path)
    conn = open_readonly(db_path)
    rows = store_rows(db_path)
    assert {cid: r["relation"] for cid, r in rows.items()} == {
        "syn-pct": "at-odds",  # its period presumed (2026), against a possibility
        "reb-pct": "at-odds",
        "syn-cut": "corroborated",  # the same figure, ana states no period and carries no date
        "ana-cut": "corroborated",
        "syn-capex": "revised",  # April's guidance, revised in May
        "led-capex": "revised",
        "ana-600b": "single-source",  # a long-term horizon: related to 2026, never a disagreement
        "syn-fund": "disputed",  # opposite positions on one proposition
        "oxm-fund": "disputed",
        "rl-loss": "single-source",  # a division's figure is its own
        "rl-cut": "single-source",
    }
    assert rows["syn-pct"]["presumed_period"] == "2026" and rows["syn-pct"]["period"] is None
    assert _relations(conn, "syn-pct")["reb-pct"] == (
        "at-odds",
        "a possibility (≥ 20 %, The AI Rebalancing, as of Mar 2026) against a report (~10 %, SynapNews, 25 Apr 2026): "
        "the figures do not meet; SynapNews states no period: 2026 presumed from the article's date",
    )
    assert _relations(conn, "syn-capex")["led-capex"] == (
        "revises",
        "revised: projection $115–135 B (SynapNews, 25 Apr 2026) → projection $125–145 B (Ledger, 2 May 2026)",
    )
    assert _relations(conn, "ana-600b")["syn-capex"] == ("related", "another horizon: long-term beside 2026")
    assert _relations(conn, "syn-cut")["ana-cut"] == (
        "agrees",
        "the same figure: 8,000 employees and ~8,000 employees; [untitled analysis] states no period and carries no date",
    )
    assert _relations(conn, "oxm-fund")["syn-fund"] == (
        "opposes",
        "opposite positions on “Meta's job cuts pay for its AI build-out”: 0xMetaLabs against, SynapNews, 25 Apr 2026 for",
    )
    assert "rl-cut" not in _relations(conn, "syn-cut")  # Reality Labs' cut is not Meta's

    def select(text: str) -> set[str]:
        flt = build_filter(text, conn)
        return {r["id"] for r in all_claims(conn, flt)}

    assert select("is:conflict") == {"syn-pct", "reb-pct", "syn-fund", "oxm-fund"}
    assert select("is:disputed") == {"syn-fund", "oxm-fund"}
    assert select("is:at-odds") == {"syn-pct", "reb-pct"}
    assert select("is:revised") == {"syn-capex", "led-capex"}
    assert select("is:presumed") == {"syn-pct"}
    assert select("proposition:meta-cuts-fund-ai") == select("is:stance") == {"syn-fund", "oxm-fund"}
    assert select("company:meta") >= {"rl-loss", "rl-cut", "reb-pct"}  # its divisions and events
    assert select("entity:meta") & {"rl-loss", "reb-pct"} == set()


def test_drafts_change_no_reviewed_claim_and_show_how_they_would_relate(rules_dir: Path, tmp_path: Path) -> None:
    db_path = tmp_path / "rules.db"
    ensure_store(rules_dir, db_path)
    before = store_rows(db_path)
    (rules_dir / "sources" / "drafted.yaml").write_text(DRAFTS)
    ready = ensure_store(rules_dir, db_path)
    assert ready.built is not None and ready.built.mode == "update"
    after = store_rows(db_path)
    fields = ("relation", "conflict_count", "odds_count", "revise_count", "differ_count", "agree_count", "agree_sources")
    assert {c: tuple(r[f] for f in fields) for c, r in before.items()} == {
        c: tuple(r[f] for f in fields) for c, r in after.items() if c in before
    }
    # what the drafts would say once reviewed: 9,000 cannot both hold with 8,000 (two reports of 2026);
    # "against" opposes SynapNews's "for"
    assert after["d-cut"]["relation"] == "disputed" and after["d-cut"]["conflict_count"] == 1
    assert after["d-fund"]["relation"] == "disputed"
    conn = open_readonly(db_path)
    flt = build_filter("is:conflict", conn)
    assert {r["id"] for r in all_claims(conn, flt)} == {"syn-pct", "reb-pct", "syn-fund", "oxm-fund"}
    assert "d-cut" not in _relations(conn, "syn-cut")  # a reviewed claim's detail never lists a draft
    assert _relations(conn, "d-cut")["syn-cut"][0] == "contradicts"
    fresh = tmp_path / "fresh.db"
    build_store(load_corpus(rules_dir), fresh)
    assert store_rows(fresh).keys() == after.keys()
    snapshot = lambda rows: {c: tuple(r[k] for k in r.keys() if k != "rowid") for c, r in rows.items()}  # noqa: SIM118 (a Row)
    assert snapshot(store_rows(fresh)) == snapshot(after)  # the update is the full build


def test_check_and_build_count_the_same_conflicts(rules_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from tui.cli import main

    (rules_dir / "sources" / "drafted.yaml").write_text(DRAFTS)
    runner = CliRunner()
    check = runner.invoke(main, ["check", "--data", str(rules_dir)])
    build = runner.invoke(main, ["build", "--data", str(rules_dir), "--db", str(tmp_path / "s.db")])
    assert check.exit_code == build.exit_code == 0, (check.output, build.output)
    # two pairs: the 10 % / 20 % at odds, the opposite positions; the drafts' would-be pairs not counted
    assert ", 2 conflicts" in check.stdout and ", 2 conflicts in " in build.stdout


# --- cases a fact-checker found on real articles (corpora of our own sentences) ------------------


def test_an_estimate_of_a_year_not_over_is_a_forecast_never_a_contradiction() -> None:
    """Analysts' estimates of this year's capex (February and May) are forecasts: the later one
    revises the earlier, it does not contradict it; an estimate of a year that was over when it
    was written is an outcome, and two of those can contradict each other."""
    early = fig(
        "a", "s1", 120e9, 145e9, "approx", unit="USD", metric="capex-usd", status="estimated", date="2026-02-10", label="A"
    )
    late = fig("b", "s2", 215e9, unit="USD", metric="capex-usd", status="estimated", date="2026-05-11", label="B")
    assert relation(early, late).kind == "revises"  # type: ignore[union-attr]
    undated = fig("c", "s3", 215e9, unit="USD", metric="capex-usd", status="estimated", label="C")
    assert relation(early, undated).kind == "at-odds"  # type: ignore[union-attr]
    past = fig("d", "s1", 50e9, unit="USD", metric="capex-usd", status="estimated", period="2025", date="2026-02-10")
    report = fig("e", "s2", 80e9, unit="USD", metric="capex-usd", status="reported", period="2025", date="2026-03-01")
    assert relation(past, report).kind == "contradicts"  # type: ignore[union-attr]


def test_the_same_figure_for_periods_one_within_the_other_agrees() -> None:
    a = fig("a", "s1", 725e9, bound="approx", unit="USD", metric="capex-usd", period="by 2026")
    b = fig("b", "s2", 725e9, unit="USD", metric="capex-usd", period="2026")
    r = relation(a, b)
    assert r is not None and (r.kind, r.reason) == (
        "agrees",
        "the same figure: ~$725 B and $725 B, for 2026 and by 2026, one within the other",
    )
    c = fig("c", "s3", 700e9, unit="USD", metric="capex-usd", period="by 2026")
    assert relation(b, c).kind == "related"  # type: ignore[union-attr]  # another figure, another period: only related
    s = summarise([a, b, c])
    assert (s["a"].agrees, s["b"].agree_sources) == (1, 1)


def test_a_figure_many_sources_state_reads_corroborated_though_one_differs() -> None:
    figures = [
        fig("s1", "syn", 8000, unit="employees", metric="employees-cut", date="2026-04-25"),
        fig("a1", "all", 8000, bound="approx", unit="employees", metric="employees-cut", period=None),
        fig("b1", "bin", 15800, bound="at-least", unit="employees", metric="employees-cut", period=None, status="possible"),
    ]
    s = summarise(figures)
    assert s["s1"].relation == "corroborated" and s["s1"].differs == 1
    assert s["b1"].relation == "differs"


def test_a_position_another_source_opposes_is_never_drawn_on_the_figure() -> None:
    """A figure claim that also takes a position: its figure's summary is its own, its
    positions are counted apart; the claim's one standing is disputed."""
    from tui.store.agreement import apply

    a = fig("a", "s1", 600e9, unit="USD", metric="ai-capex-usd", period="by 2028", stances={"p": "for"})
    b = words("b", "s2", {"p": "against"})
    s = summarise([a, b])
    assert (s["a"].relation, s["a"].position, s["a"].opposed) == ("single-source", "disputed", 1)
    stored = apply.stored("a", apply.Model(summaries=s))
    assert (stored.relation, stored.position_relation, stored.standing) == ("single-source", "disputed", "disputed")


def _strongest_of_table(figures: list[Figure]) -> list[tuple[int, int] | None]:
    """Each row of family_strengths's table: its strongest and the first place of it."""
    out: list[tuple[int, int] | None] = []
    for row in agreement.family_strengths(figures):
        found = [k for k in row if k is not None]
        out.append((min(found), row.index(min(found))) if found else None)
    return out


@settings(max_examples=300, deadline=None)
@given(figures_st)
def test_the_strongest_of_a_family_without_positions_is_the_table_s(figures: list[Figure]) -> None:
    """family_strongest decides a pair of two periods (neither unknown) only for a figure
    with nothing stronger than an agreement near it: the same answers as the whole table."""
    numeric = [dataclasses.replace(f, stances=()) for f in figures if f.numeric]
    assert agreement.family_strongest(numeric) == _strongest_of_table(numeric)


def test_the_first_agreement_may_be_a_figure_of_another_period() -> None:
    """10 % for 2026 (first), then 10 % for H2 2026 by two sources: the second H2 figure
    agrees with the H2 one of its period and, first in the list, with 2026's (one within
    the other): its strongest relation is to the first."""
    figures = [
        fig("a", "s1", 10, period="2026"),
        fig("b", "s2", 10, period="H2 2026"),
        fig("c", "s3", 10, period="H2 2026"),
    ]
    agrees = agreement.STRENGTH["agrees"]
    assert agreement.family_strongest(figures) == [(agrees, 1), (agrees, 0), (agrees, 0)] == _strongest_of_table(figures)


@settings(max_examples=300, deadline=None)
@given(figures_st)
def test_the_strengths_of_a_family_are_relation_kinds_pair_by_pair(figures: list[Figure]) -> None:
    """family_strengths (each figure's period, span and date worked out once, for the
    disputes report) decides every pair as relation_kind does, for one family's figures and
    for any other list; and the report's strongest relation of each figure is the first of
    the strongest kind in list order, worded by relation, as a loop over every pair finds it."""
    from tui.store.disputes import strongest_relations

    numeric = [f for f in figures if f.numeric]
    for group in (numeric, figures):
        got = agreement.family_strengths(group)
        for i, a in enumerate(group):
            for j, b in enumerate(group):
                kind = agreement.relation_kind(a, b) if i != j else None
                assert got[i][j] == (None if kind is None else agreement.STRENGTH[kind]), (a, b)
        assert agreement.family_strongest(group) == _strongest_of_table(group)
        expected = []
        for f in group:
            best = None
            for g in group:
                rel = relation(f, g)
                if rel is not None and (best is None or agreement.STRENGTH[rel.kind] < agreement.STRENGTH[best[0].kind]):
                    best = (rel, g.id)
            expected.append(best or (None, None))
        assert strongest_relations(group) == expected
