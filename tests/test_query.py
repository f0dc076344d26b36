"""The filter language on a real store built from the small fixture corpus.

A table of cases (query text -> the claim ids it selects), the messages for
bad input, and a property test: any text gives rows or a QueryError, never
another exception.
"""

from __future__ import annotations

import os
import sqlite3

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import all_claims
from tui.query import (
    QueryError,
    Term,
    TextTerm,
    ValueTerm,
    build_filter,
    format_term,
    parse,
    toggle_term,
)
from tui.store import db, open_readonly

META_ENTITY = {  # entity:meta, Meta itself
    "alpha-meta-cut-pct",
    "alpha-meta-cut",
    "alpha-meta-capex",
    "alpha-meta-pods",
    "beta-meta-cut-pct",
    "beta-meta-cut-2025",
    "gamma-meta-capex",
    "gamma-meta-cut-unknown",
    "gamma-meta-ives",
}
META = META_ENTITY | {"beta-meta-2023-driver"}  # company:meta, Meta and its events
MSFT = {
    "alpha-msft-layoffs",
    "alpha-msft-layoffs-second",
    "alpha-msft-capex",
    "alpha-msft-retirement-pct",
    "beta-msft-retirement",
    "gamma-msft-capex",
    "gamma-msft-openings",
}
OTHER = {"alpha-bigtech-tradeoff", "beta-meta-2023-driver", "gamma-acme-model"}
ALL = META_ENTITY | MSFT | OTHER
ALPHA = {c for c in ALL if c.startswith("alpha-")}
BETA = {c for c in ALL if c.startswith("beta-")}
GAMMA = {c for c in ALL if c.startswith("gamma-")}
CAPEX = {"alpha-meta-capex", "gamma-meta-capex", "alpha-msft-capex", "gamma-msft-capex"}
QUALITATIVE = {"alpha-meta-pods", "alpha-bigtech-tradeoff", "beta-meta-2023-driver", "gamma-meta-ives", "gamma-acme-model"}
# every one at odds: a projection against a report (10 % / 20 %, the capex), and a figure whose
# period is presumed from its article's date (Gamma's 600, dated March 2026) against 8,000 in 2026
CONFLICTS = {
    "alpha-meta-cut-pct",
    "beta-meta-cut-pct",
    "alpha-msft-capex",
    "gamma-msft-capex",
    "alpha-meta-cut",
    "gamma-meta-cut-unknown",
}


def select(conn: sqlite3.Connection, text: str) -> set[str]:
    flt = build_filter(text, conn)
    return {r["id"] for r in all_claims(conn, flt)}


CASES = [
    # entities: id, name, alias, ticker, prefix; kinds
    ("", ALL),
    ("company:meta", META),
    ("company:facebook", META),
    ("COMPANY:FaceBook", META),
    ("entity:msft", MSFT),
    ("entity:meta", META_ENTITY),  # the entity alone, not its events
    ("company:meta-2023-cuts", {"beta-meta-2023-driver"}),
    ("company:micro", MSFT),
    ('entity:"big tech"', {"alpha-bigtech-tradeoff"}),
    ('company:"meta platforms"', META),
    ("kind:event", {"beta-meta-2023-driver"}),
    ("kind:group", {"alpha-bigtech-tradeoff"}),
    # sources: id, id prefix, publisher, a word of the title
    ("source:alpha-news", ALPHA),
    ("source:beta", BETA),
    ('source:"gamma research"', GAMMA),
    ("source:compute", GAMMA),
    ("source:untitled", BETA),
    # fields as stored
    ("topic:hiring", {"gamma-msft-openings", "gamma-acme-model"}),
    ("topic:ai-capex", CAPEX),
    ('topic:"ai infrastructure"', CAPEX),
    ("metric:ai-capex-usd", CAPEX),
    (
        "metric:employees",
        {"alpha-meta-cut", "alpha-msft-layoffs", "alpha-msft-layoffs-second", "beta-meta-cut-2025", "gamma-meta-cut-unknown"},
    ),
    ("period:2025", {"alpha-msft-layoffs", "alpha-msft-layoffs-second", "beta-meta-cut-2025"}),
    ("status:opinion", {"alpha-bigtech-tradeoff", "gamma-meta-ives"}),
    ("status:plan", {"alpha-msft-retirement-pct", "beta-msft-retirement"}),
    ("unit:usd", CAPEX),
    ("unit:roles", {"gamma-msft-openings"}),
    ("speaker:ives", {"gamma-meta-ives"}),
    ("speaker:WEDBUSH", {"gamma-meta-ives"}),
    ("flag:composite-examples", GAMMA),
    ("flag:no-byline", BETA),
    ("flag:ai", ALPHA),
    ("id:gamma-acme-model", {"gamma-acme-model"}),
    # negation
    ("-company:meta", ALL - META),
    ("-source:alpha-news company:meta", META - ALPHA),
    (
        "-period:2026",
        {"alpha-msft-layoffs", "alpha-msft-layoffs-second", "beta-meta-cut-2025", "gamma-meta-cut-unknown"} | QUALITATIVE,
    ),
    ("-speaker:ives", ALL - {"gamma-meta-ives"}),
    ("-flag:ai-assisted -flag:no-byline", GAMMA),
    # values
    ("value>=80b", {"alpha-meta-capex", "alpha-msft-capex", "gamma-meta-capex"}),
    ("value>80b", {"alpha-meta-capex", "gamma-meta-capex"}),
    (
        "value<10k",
        {
            "alpha-meta-cut-pct",
            "alpha-meta-cut",
            "alpha-msft-layoffs-second",
            "alpha-msft-retirement-pct",
            "beta-meta-cut-pct",
            "beta-meta-cut-2025",
            "beta-msft-retirement",
            "gamma-meta-cut-unknown",
            "gamma-msft-openings",
        },
    ),
    (
        "value<=600",
        {"alpha-meta-cut-pct", "alpha-msft-retirement-pct", "beta-meta-cut-pct", "beta-meta-cut-2025", "gamma-meta-cut-unknown"},
    ),
    ("value>=10%", {"alpha-meta-cut-pct", "beta-meta-cut-pct"}),
    ("value>=20%", {"beta-meta-cut-pct"}),
    ("value=10%", {"alpha-meta-cut-pct"}),
    ("value:120b", {"alpha-meta-capex"}),  # = means the range contains the number
    ("value:>=1,000 unit:roles", {"gamma-msft-openings"}),
    ("value>=$100m", CAPEX),
    ("value>=2.5k value<=9k", {"alpha-meta-cut", "beta-msft-retirement", "alpha-msft-layoffs-second"}),
    ("10%", {"alpha-meta-cut-pct"}),  # a bare word: full text
    ("-value=10%", ALL - {"alpha-meta-cut-pct"}),  # negated: everything else, qualitative claims too
    ("-value>=80b is:numeric", ALL - QUALITATIVE - {"alpha-meta-capex", "alpha-msft-capex", "gamma-meta-capex"}),
    ("value<10k -value<1k", {"alpha-meta-cut", "alpha-msft-layoffs-second", "beta-msft-retirement", "gamma-msft-openings"}),
    # is:
    ("is:conflict", CONFLICTS),
    ("is:conf", CONFLICTS),
    ("is:numeric", ALL - QUALITATIVE),
    ("is:qualitative", QUALITATIVE),
    ("is:at-odds", CONFLICTS),
    ("is:disputed", set()),  # nothing here cannot both hold: two reports of one stated period
    # Gamma's March estimate of 2026 capex (~$130 B) and Alpha's April one ($115-135 B): estimates of
    # a year not over are forecasts, and the dates say which came first
    ("is:revised", {"alpha-meta-capex", "gamma-meta-capex"}),
    ("is:presumed", {"gamma-meta-cut-unknown"}),
    ("is:differs", set()),
    (
        "is:single-source",
        {
            "gamma-msft-openings",
            "alpha-msft-layoffs",
            "alpha-msft-layoffs-second",
            "beta-msft-retirement",
            "alpha-msft-retirement-pct",
            "beta-meta-cut-2025",
        },
    ),
    ("is:corroborated", set()),
    ("is:draft", set()),
    ("sources>=2", CONFLICTS | {"alpha-meta-capex", "gamma-meta-capex"}),
    ("sources:1 company:meta", {"beta-meta-cut-2025"}),
    (
        "-sources>=2 is:numeric company:microsoft",
        {
            "gamma-msft-openings",
            "alpha-msft-layoffs",
            "alpha-msft-layoffs-second",
            "beta-msft-retirement",
            "alpha-msft-retirement-pct",
        },
    ),
    (
        "-is:conflict is:numeric company:meta",
        {"alpha-meta-capex", "beta-meta-cut-2025", "gamma-meta-capex"},
    ),
    # full text: bare words as prefixes, phrases, negated words, speaker and source title
    ("pods", {"alpha-meta-pods"}),
    ("monetiz", {"gamma-meta-ives"}),
    ("wedbush", {"gamma-meta-ives"}),
    ("compute", GAMMA | {"alpha-bigtech-tradeoff"}),
    ('"ai pods"', {"alpha-meta-pods"}),
    ('"pods ai"', set()),
    ("ai pods", {"alpha-meta-pods"}),
    ("-pods company:meta", META - {"alpha-meta-pods"}),
    ('company:meta -"ai pods"', META - {"alpha-meta-pods"}),
    ("PODS", {"alpha-meta-pods"}),
    ("prompt engineers", {"gamma-acme-model"}),
    # same key twice = OR; different keys = AND
    ("company:meta company:microsoft", META | MSFT),
    ("company:meta topic:ai-capex", {"alpha-meta-capex", "gamma-meta-capex"}),
    ("company:meta company:microsoft topic:ai-capex", CAPEX),
    ("company:meta is:conflict", {"alpha-meta-cut-pct", "beta-meta-cut-pct", "alpha-meta-cut", "gamma-meta-cut-unknown"}),
    ("-is:conflict", ALL - CONFLICTS),  # a negated is: keeps the qualitative claims
    ("status:opinion status:possible source:gamma", {"gamma-meta-ives", "gamma-acme-model"}),
    ("company:microsoft is:conflict source:alpha", {"alpha-msft-capex"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] or "(empty)" for c in CASES])
def test_query_selects(small_conn: sqlite3.Connection, text: str, expected: set[str]) -> None:
    assert select(small_conn, text) == expected


@pytest.mark.parametrize("text", [c[0] for c in CASES], ids=[c[0] or "(empty)" for c in CASES])
def test_explorer_paths_agree_with_the_filter(small_conn: sqlite3.Connection, text: str) -> None:
    rows_or_message(small_conn, text)


def test_count_and_pages_agree_with_the_filter(small_conn: sqlite3.Connection) -> None:
    flt = build_filter("company:meta", small_conn)
    assert db.count_matches(small_conn, flt) == (10, False)
    assert db.count_matches(small_conn, flt, cap=5) == (5, True)
    first = db.page(small_conn, flt, 0, 4)
    rest = db.page(small_conn, flt, 4, 100)
    assert len(first) == 4 and {r["id"] for r in first + rest} == META


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("compnay:meta", "unknown key 'compnay' — did you mean 'company'?"),
        ("sorce:alpha", "unknown key 'sorce' — did you mean 'source'?"),
        ("vlaue>=3", "unknown key 'vlaue' — did you mean 'value'?"),
        (
            "zzz:1",
            "unknown key 'zzz' — known keys: company, entity, flag, id, is, kind, metric, period, "
            "proposition, source, sources, speaker, status, topic, unit, value",
        ),
        ("sources>=two", "'sources>=two': sources needs a whole number, e.g. sources>=2"),
        ("value>=abc", "'value>=abc': 'abc' is not a number (examples: value>=80b, value<10k, value>=20%)"),
        ("value>=", "'value>=': '' is not a number (examples: value>=80b, value<10k, value>=20%)"),
        ("value>=10x", "'value>=10x': '10x' is not a number (examples: value>=80b, value<10k, value>=20%)"),
        ("value!=5", "'value!=5': use -value=N to exclude a value"),
        ("topic>=3", "'topic>=3': use topic:VALUE (comparisons like >= work only with value)"),
        ("company:", "'company:': company: needs a value, e.g. company:meta"),
        ('company:""', "'company:\"\"': company: needs a value, e.g. company:meta"),
        (
            "status:rumoured",
            "unknown status 'rumoured' (one of: confirmed, reported, estimated, projected, planned, possible, opinion, illustrative)",
        ),
        (
            "status:reportd",
            "unknown status 'reportd' — did you mean 'reported'? (one of: confirmed, reported, "
            "estimated, projected, planned, possible, opinion, illustrative)",
        ),
        (
            "is:conflicts",
            "unknown is: value 'conflicts' — did you mean 'conflict'? (one of: conflict, disputed, at-odds, revised, differs, corroborated, single-source, stance, presumed, numeric, qualitative, draft)",
        ),
        (
            "flag:a",
            "unknown flag 'a' (one of: ai-assisted, anonymous-sourcing, composite-examples, no-byline, "
            "secondary-reporting, unverified-figures)",
        ),
        ("kind:firm", "unknown entity kind 'firm' (one of: company, group, industry, event, division)"),
        ("company:nobody", "no company matches 'nobody'"),
        ("source:nowhere", "no source matches 'nowhere'"),
        ("topic:weather", "no topic matches 'weather'"),
        (" ".join(["x"] * 65), "too many terms (65); at most 64"),
    ],
)
def test_bad_queries_give_a_message(small_conn: sqlite3.Connection, text: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        build_filter(text, small_conn)
    assert str(info.value) == message


@pytest.mark.parametrize(
    "text",
    [
        '"ai pods',
        '"',
        '""',
        "-",
        "- -",
        "--",
        "*",
        "^",
        "pods*",
        "^pods",
        "NEAR(",
        "NEAR(pods ai)",
        "AND OR",
        "OR",
        "NOT",
        "AND",
        "(",
        ")",
        "pods)",
        "a:b:c",
        "'; drop table claims; --",
        "claims_fts MATCH 'x'",
        "summary:pods",
        "\\",
        "%",
        "_",
        "company:%",
        "company:_",
        "source:%",
        "metric:*",
        "metric:[",
        "speaker:%",
        "period:' OR 1=1 --",
        "value>=1" + "0" * 400,
        "value>=-5",
        "value:=",
        "value>=$",
        "value>=%",
        '-""',
        "ünïcödé",
        "日本語",
        "\x00",
        "a\x00b",
        "\u202e",
        "pods\nai",
        "\t",
        " " * 10,
        "-company:meta -",
        'company:"unclosed',
        'company:meta"',
        '"a" "b',
        "+",
        "company:meta OR company:microsoft",
    ],
)
def test_fts_and_sql_syntax_never_escapes(small_conn: sqlite3.Connection, text: str) -> None:
    try:
        ids = select(small_conn, text)
    except QueryError as exc:
        assert str(exc)
    else:
        assert ids <= ALL
    # the store is intact after any query
    assert small_conn.execute("SELECT count(*) FROM claims").fetchone()[0] == len(ALL)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-", ALL),
        ("*", ALL),
        ('"', ALL),
        ("'; drop table claims; --", set()),
        ('"ai pods', {"alpha-meta-pods"}),
        ("company:% ", set()),
        ("NEAR(pods", set()),
        ("AND OR", set()),
    ],
)
def test_odd_input_means_what_it_says(small_conn: sqlite3.Connection, text: str, expected: set[str]) -> None:
    """Punctuation alone is no filter; FTS5 operators and SQL are searched as words."""
    try:
        assert select(small_conn, text) == expected
    except QueryError as exc:
        assert expected == set() and "no company matches" in str(exc)


# a vocabulary that reaches every branch: keys, operators, quotes, FTS5 syntax, SQL, numbers
PIECES = [
    "company:",
    "entity:",
    "source:",
    "topic:",
    "metric:",
    "period:",
    "status:",
    "unit:",
    "speaker:",
    "flag:",
    "kind:",
    "is:",
    "id:",
    "value",
    ">=",
    "<=",
    ">",
    "<",
    "=",
    "!=",
    ":",
    "-",
    '"',
    "'",
    "*",
    "^",
    "(",
    ")",
    "NEAR",
    "AND",
    "OR",
    "NOT",
    ";",
    "--",
    "%",
    "_",
    "\\",
    "$",
    "k",
    "b",
    "m",
    "t",
    "10",
    "80",
    "2.5",
    ",",
    "meta",
    "facebook",
    "pods",
    "conflict",
    "numeric",
    "ai",
    "job-cuts",
    "2026",
    "drop table claims",
    " ",
    "  ",
    "é",
    "\x00",
    "\u202e",
    "\n",
]
query_text = st.one_of(
    st.text(max_size=60),
    # half characters (lone surrogates) and values long enough for SQLite's LIKE limit
    st.text(alphabet=st.characters(categories=["Cs", "Ll", "Nd", "Zs", "Po"]), max_size=12),
    st.builds(
        lambda key, n, tail: f"{key}{'x' * n}{tail}",
        st.sampled_from(["company:", "source:", "speaker:", "", "-"]),
        st.sampled_from([999, 1_000, 1_001, 30_000, 60_000]),
        st.sampled_from(["", " layoffs", "\udc80"]),
    ),
    st.lists(st.sampled_from(PIECES), max_size=12).map("".join),
    st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=4)), max_size=10).map(" ".join),
)
FACETS = ("source", "topic", "status", "period", "flag", "entity")
PROPERTY_EXAMPLES = int(os.environ.get("PIVOT_QUERY_EXAMPLES", "300"))


def rows_or_message(small_conn: sqlite3.Connection, text: str) -> None:
    try:
        flt = build_filter(text, small_conn)
    except QueryError as exc:
        assert str(exc).strip()
        return
    found = all_claims(small_conn, flt)
    assert {r["id"] for r in found} <= ALL
    # the explorer's paths (the text index walked in rowid order, stored facet counts) agree
    assert [r["id"] for r in db.page(small_conn, flt, 0, 100)] == [r["id"] for r in found]
    assert [r["id"] for r in db.page(small_conn, flt, 3, 5)] == [r["id"] for r in found[3:8]]
    assert db.count_matches(small_conn, flt, None) == (len(found), False)
    assert db.count_matches(small_conn, flt) == (len(found), False)
    # each facet counted exactly over the filter's WHERE clause (the store's own helper)
    exact = {name: db._facet(small_conn, name, flt.where, flt.params) for name in FACETS}
    assert db.facets(small_conn, flt, FACETS).values == exact


@settings(max_examples=PROPERTY_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=query_text)
def test_any_text_gives_rows_or_a_message(small_conn: sqlite3.Connection, text: str) -> None:
    rows_or_message(small_conn, text)


@pytest.mark.slow
@settings(max_examples=5000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=query_text)
def test_any_text_gives_rows_or_a_message_long(small_conn: sqlite3.Connection, text: str) -> None:
    rows_or_message(small_conn, text)


# --- the parsed form and editing query text ----------------------------------------------------


def test_parse_gives_the_small_structure() -> None:
    p = parse('company:meta -source:alpha value>=80b value<10% "ai pods" -layoffs is:conf')
    assert p.terms == [
        Term("company", "meta", False, "company"),
        Term("source", "alpha", True, "source"),
        Term("is", "conflict", False, "is"),
    ]
    assert p.values == [ValueTerm(">=", 80e9), ValueTerm("<", 10, "percent")]
    assert parse("-value>=$5m").values == [ValueTerm(">=", 5e6, "USD", negated=True)]
    assert p.text == [TextTerm("ai pods", phrase=True), TextTerm("layoffs", negated=True)]
    assert parse("   ").empty and parse("-").empty


def test_user_text_never_enters_the_sql(small_conn: sqlite3.Connection) -> None:
    evil = "x'); DROP TABLE claims; --"
    flt = build_filter(f'speaker:"{evil}" "{evil}" period:{evil.replace(" ", "")}', small_conn)
    assert "DROP" not in flt.where and "x'" not in flt.where
    assert any(evil in str(p) for p in flt.params)


def test_toggle_term_adds_and_removes() -> None:
    assert toggle_term("company:meta", "source", "alpha-news") == "company:meta source:alpha-news"
    assert toggle_term("company:meta source:alpha-news", "source", "alpha-news") == "company:meta"
    assert toggle_term("pods", "topic", "AI infrastructure") == 'pods topic:"AI infrastructure"'
    # a term matches whatever its case and quoting; a negated term is another term
    assert toggle_term('pods topic:"AI infrastructure"', "topic", "ai infrastructure") == "pods"
    assert toggle_term("-company:meta", "company", "meta") == "-company:meta company:meta"
    assert format_term("flag", "no-byline", negated=True) == "-flag:no-byline"


# --- hostile queries: SQL, FTS5 syntax, 10,000-character terms, emoji, right-to-left text ----------


HOSTILE_QUERIES = [
    "'; drop table claims; --",
    "x'); DROP TABLE claims; --",
    '" OR 1=1 --',
    "NEAR(",
    "^",
    "*",
    "AND OR",
    "a" * 10_000,
    "word " * 2_000,
    '"' + "word " * 2_000 + '"',
    "company:" + "x" * 10_000,
    "-" + "y" * 10_000,
    "speaker:" + "z" * 10_000,
    "value>=" + "9" * 10_000,
    '"' * 10_000,
    "-" * 10_000,
    "NEAR(" * 2_000,
    "\u200b" * 10_000,
    "🚀",
    "🚀" * 10_000,
    "👩‍💻",
    "عربي",
    "שלום",
    "ש" * 10_000,
    "\u202eevil",
    "\u061c",
    "[bold]x[/]",
    "\x1b[2J",
    "source:\x00",
    "company:🚀",
]


@pytest.mark.parametrize("text", HOSTILE_QUERIES, ids=[repr(q[:16]) + f"x{len(q)}" for q in HOSTILE_QUERIES])
def test_hostile_queries_give_rows_or_a_message(hostile, text: str) -> None:
    _, db_path = hostile
    conn = open_readonly(db_path)
    try:
        try:
            flt = build_filter(text, conn)
        except QueryError as exc:
            assert str(exc).strip()
        else:
            found = [r["id"] for r in all_claims(conn, flt)]
            assert set(found) <= {"evil-1", "evil-2"}
            assert [r["id"] for r in db.page(conn, flt, 0, 100)] == found
            assert db.count_matches(conn, flt, None, 2.0) == (len(found), False)
            db.facets(conn, flt, FACETS)
        assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 2
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("שלום", ["evil-2"]),
        ("عربي", ["evil-2"]),
        ("مرحبا", ["evil-2"]),
        ("rocket 🚀", ["evil-2"]),
        ("speaker:someone", ["evil-1"]),
    ],
)
def test_right_to_left_and_emoji_text_is_searchable(hostile, text: str, expected: list[str]) -> None:
    conn = open_readonly(hostile[1])
    flt = build_filter(text, conn)
    assert [r["id"] for r in all_claims(conn, flt)] == expected
    conn.close()


# the query language's own vocabulary (PIECES, above), plus emoji, right-to-left text,
# invisible characters and an escape sequence
_PIECES = [*PIECES, "🚀", "👩\u200d💻", "שלום", "مرحبا", "\u200b", "\x1b[2J"]


hostile_query = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=500, max_size=10_000),
    st.lists(st.sampled_from(_PIECES), max_size=16).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=12).map(" ".join),
)


@settings(
    max_examples=int(os.environ.get("PIVOT_HOSTILE_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_query)
def test_any_hostile_text_gives_rows_or_a_message(small_conn: sqlite3.Connection, text: str) -> None:
    rows_or_message(small_conn, text)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=hostile_query)
def test_any_hostile_text_gives_rows_or_a_message_10000_examples(small_conn: sqlite3.Connection, text: str) -> None:
    rows_or_message(small_conn, text)


# --- a term and its negation split the claims in two, for every key and value ------------------


def _values_of_every_key(conn: sqlite3.Connection) -> list[str]:
    """A term for every key the language has, with values the store holds (and a few that match
    nothing), plus every `is:` value, value and sources comparisons and a word."""
    from tui.query import IS_VALUES, KEYS

    column = {"company": "entity", "entity": "entity", "source": "source", "topic": "topic", "metric": "metric",
              "period": "period", "status": "status", "unit": "unit", "speaker": "speaker", "id": "id"}  # fmt: skip
    terms: list[str] = []
    for key in KEYS:
        if key == "is":
            terms += [f"is:{v}" for v in IS_VALUES]
        elif key in column:
            found = [r[0] for r in conn.execute(f"SELECT DISTINCT {column[key]} FROM claims WHERE {column[key]} IS NOT NULL")]
            terms += [f'{key}:"{v}"' for v in found[:6]]
        elif key == "flag":
            terms += [f"flag:{r[0]}" for r in conn.execute("SELECT DISTINCT flag FROM source_flags")]
        elif key == "kind":
            terms += [f"kind:{r[0]}" for r in conn.execute("SELECT DISTINCT kind FROM entities")]
        elif key == "proposition":
            terms += [f"proposition:{r[0]}" for r in conn.execute("SELECT id FROM propositions")]
        else:  # a key this test does not know yet must be added here
            raise AssertionError(f"no values for key {key!r}")
    terms += ["value>=10", "value<1k", "value=10%", "value>=$100m", "sources>=2", "sources:1", "layoffs", '"ai pods"']
    return terms


@pytest.mark.parametrize("corpus", ["small", "bundled"])
def test_a_term_and_its_negation_split_every_claim_in_two(corpus: str, request: pytest.FixtureRequest) -> None:
    """`-is:conflict` kept only the numeric claims once (a qualitative claim's relation is
    NULL): every term of every key, and its negation, add up to the whole, with no claim in
    both."""
    conn = request.getfixturevalue(f"{corpus}_conn")
    everything = select(conn, "")
    terms = _values_of_every_key(conn)
    assert len(terms) > 30
    for term in terms:
        try:
            yes, no = select(conn, term), select(conn, f"-{term}")
        except QueryError:
            continue  # a value the language refuses (a speaker with quotes): refused both ways
        assert yes | no == everything and not yes & no, term
