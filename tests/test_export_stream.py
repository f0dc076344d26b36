"""The streaming export (store/export/): relations looked up in batches, bounded lists
with exact totals, the same bytes as before for small corpora, memory that does not grow
with the corpus, and the CLI's format / header / --ids behaviour (issue 13, issue 14).

No wall-clock asserts here: speed is measured by benchmarks/run.py."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import build
from helpers import all_claims, cli
from tui.query import build_filter
from tui.store import agreement, open_readonly
from tui.store.export import (
    LISTED_IDS,
    ExportInfo,
    RelationLister,
    Selection,
    export_to,
    format_of,
    render_claims,
    stream_claims,
    with_format,
)


def _corpus(root: Path, sources: int, per_source: int, seed: int = 1) -> Path:
    """A corpus where one quantity has many mutually disagreeing claims."""
    rng = random.Random(seed)
    (root / "sources").mkdir(parents=True)
    (root / "entities.yaml").write_text("entities:\n  - {id: meta, name: Meta, kind: company}\n")
    (root / "topics.yaml").write_text("topics:\n  - {id: job-cuts, label: Job cuts, order: 1}\n")
    for s in range(sources):
        lines = [f"id: s{s:03d}", f"title: Source {s}", "kind: news", "claims:"]
        for c in range(per_source):
            low = rng.choice([100, 200, 300, 400, 500, 600])
            high = low + rng.choice([0, 0, 50, 150])
            bound = rng.choice(["exact", "exact", "approx", "at-least", "at-most"])
            period = rng.choice(["2026", "2026", "2025", None])
            value = low if low == high else f"[{low}, {high}]"
            lines += [
                f"  - id: s{s:03d}-c{c}",
                "    entity: meta",
                "    topic: job-cuts",
                f"    summary: Meta cuts {low} staff",
                f"    quote: cuts {low} staff",
                "    metric: employees-cut",
                f"    value: {value}",
                "    unit: employees",
                f"    bound: {bound}",
                *([f"    period: '{period}'"] if period else []),
                "    status: reported",
            ]
        (root / "sources" / f"s{s:03d}.yaml").write_text("\n".join(lines) + "\n")
    return root


@pytest.fixture(scope="module")
def crowd(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crowd")
    data = _corpus(root / "data", sources=60, per_source=5)
    return build(data, root / "store.db")


def _brute(conn, row) -> dict[str, set[str]]:
    """Every reviewed claim of another source by its figure's relation to `row`'s (pair by pair)."""
    me = agreement.figure_of_record(row)
    out: dict[str, set[str]] = {k: set() for k in ("contradicts", "at-odds", "revises", "differs", "agrees")}
    for r in all_claims(conn, build_filter("-is:draft", conn)):
        if r["source"] == me.source:
            continue
        kind = agreement.figure_kind(me, agreement.figure_of_record(r))
        if kind in out:
            out[kind].add(r["id"])
    return out


def test_listed_ids_follow_the_agreement_model_and_totals_are_exact(crowd: Path) -> None:
    conn = open_readonly(crowd)
    rows = all_claims(conn)
    full = RelationLister(conn, limit=10**6).lists(rows)
    cut = RelationLister(conn).lists(rows)
    for r, everything, few in zip(rows, full, cut):
        want = _brute(conn, r)
        for name, kind, count, _ in (
            ("contradicted_by", "contradicts", "conflict_count", ""),
            ("at_odds_with", "at-odds", "odds_count", ""),
            ("revisions", "revises", "revise_count", ""),
            ("differs_from", "differs", "differ_count", ""),
            ("corroborated_by", "agrees", "agree_count", ""),
        ):
            assert len(want[kind]) == r[count], (r["id"], kind)  # the stored count is the model's
            assert set(few[name]) <= want[kind] and len(few[name]) <= LISTED_IDS
            assert len(few[name]) == min(LISTED_IDS, len(want[kind])), (r["id"], kind)
            assert set(everything[name]) <= want[kind]
            assert few[name] == sorted(few[name])


def test_json_carries_totals_beside_the_bounded_lists(crowd: Path) -> None:
    conn = open_readonly(crowd)
    text = render_claims(conn, all_claims(conn), "json")
    records = json.loads(text)
    assert text == json.dumps(records, ensure_ascii=False, indent=2) + "\n"  # the same bytes as before
    assert any(r["conflicts_total"] > LISTED_IDS for r in records)
    for r in records:
        for name, total in (
            ("conflicts", "conflicts_total"),
            ("at_odds_with", "at_odds_total"),
            ("revisions", "revisions_total"),
            ("differs_from", "differs_total"),
            ("corroborated_by", "corroborated_total"),
        ):
            assert len(r[name]) == min(r[total], LISTED_IDS)


def test_relations_are_looked_up_once_per_batch_not_once_per_claim(crowd: Path, monkeypatch) -> None:
    from tui.store.export import selection

    monkeypatch.setattr(selection, "BATCH", 50)
    conn = open_readonly(crowd)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    try:
        for fmt in ("json", "csv", "md"):
            statements.clear()
            n = stream_claims(conn, io.StringIO(), Selection(), fmt)
            assert n == 300
            family = [s for s in statements if "FROM claims WHERE qentity" in s]
            batches = -(-n // 50)
            assert len(family) <= batches, (fmt, len(family))
            # never one statement per claim: a handful per batch at most
            assert len(statements) <= 4 * batches + 10, (fmt, len(statements))
    finally:
        conn.set_trace_callback(None)


def test_streaming_gives_the_same_bytes_as_the_whole_list(small_conn) -> None:
    rows = all_claims(small_conn)
    info = ExportInfo("", "2026-01-02", "abc")
    for fmt in ("md", "csv", "json"):
        buf = io.StringIO()
        stream_claims(small_conn, buf, Selection(), fmt, info=info if fmt == "md" else None)
        assert buf.getvalue() == render_claims(small_conn, rows, fmt, title="Claims", info=info if fmt == "md" else None)


def test_markdown_header_names_the_query_the_date_and_the_corpus(small_conn) -> None:
    sel = Selection("1", (), "company:meta | x`y")
    buf = io.StringIO()
    stream_claims(small_conn, buf, sel, "md", info=ExportInfo(sel.query, "2026-05-06", "0123456789ab"))
    lines = buf.getvalue().splitlines()
    assert lines[0] == "# Claims: company:meta \\| x\\`y"
    assert lines[2] == "Query: `company:meta \\| xʼy` · exported 2026-05-06 · corpus version 0123456789ab"
    picked = Selection.of_ids(["alpha-meta-cut", "beta-meta-cut-pct"])
    buf = io.StringIO()
    stream_claims(small_conn, buf, picked, "md", info=ExportInfo(None, "2026-05-06", None), ids=True)
    text = buf.getvalue()
    assert text.startswith("# Selected claims (2)\n\nSelected claims · exported 2026-05-06\n")
    assert "| # | Id | Entity |" in text and "| alpha-meta-cut |" in text
    assert "document:" not in text and ".txt" not in text  # sources by title, never by file name


def test_format_follows_the_extension_and_the_flag_wins() -> None:
    assert format_of("x.json", None) == "json" and format_of("x.CSV", None) == "csv"
    assert format_of("x.json", "csv") == "csv" and format_of(None, None) == "md" and format_of("x.txt", None) == "md"
    assert with_format("/a/pivot-claims.md", "csv") == "/a/pivot-claims.csv"
    assert with_format("/a/notes", "csv") == "/a/notes"


def test_cli_export_to_json_by_extension_and_ids(tmp_path: Path, small_data: Path) -> None:
    db_path = tmp_path / "s.db"
    run = ["export", "--data", small_data, "--db", db_path]  # in this process (the options, not the process)
    out = tmp_path / "x.json"
    done = cli(*run, "company:meta", "-o", out)
    assert "wrote" in done.stderr
    assert {r["entity"] for r in json.loads(out.read_text())} <= {"meta", "meta-2023-cuts"}
    md = cli(*run, "company:meta", "--ids", env={"SOURCE_DATE_EPOCH": "1767225600"}).stdout
    assert md.splitlines()[2].startswith("Query: `company:meta` · exported 2026-01-01 · corpus version ")
    assert "| # | Id |" in md


def test_export_to_a_file_is_streamed_through_a_temp_file(tmp_path: Path, small_conn) -> None:
    target = tmp_path / "out.csv"
    seen: list[list[str]] = []
    real = stream_claims

    def spy(conn, out, sel, fmt, **kw):  # the target does not exist while rows are written
        seen.append(sorted(p.name for p in tmp_path.iterdir()))
        return real(conn, out, sel, fmt, **kw)

    import tui.store.export as export_mod

    orig = export_mod.stream_claims
    export_mod.stream_claims = spy
    try:
        path, n = export_to(target, small_conn, Selection(), "csv")
    finally:
        export_mod.stream_claims = orig
    assert path == target and n == 19
    assert seen and "out.csv" not in seen[0] and any(name.endswith(".tmp") for name in seen[0])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv"]


@pytest.mark.slow
def test_memory_of_an_export_does_not_grow_with_the_corpus(tmp_path: Path) -> None:
    """Peak RSS of `pivot export` of 6,000 and 24,000 claims: the larger within a generous
    bound of the smaller (the old writer held every row and every list)."""
    peaks = []
    for sources in (200, 800):
        root = tmp_path / f"c{sources}"
        data = _corpus(root / "data", sources=sources, per_source=30, seed=2)
        store = build(data, root / "s.db")
        code = (
            "import resource, sys, io\n"
            "from pathlib import Path\n"
            "from tui.store import open_readonly\n"
            "from tui.store.export import Selection, export_to\n"
            f"conn = open_readonly(Path({str(store)!r}))\n"
            f"export_to({str(root / 'out.json')!r}, conn, Selection(), 'json')\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        )
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
        peaks.append(int(out.stdout.split()[-1]))
    assert peaks[1] < peaks[0] * 1.5 + 20_000, peaks
