"""The export's fast path (tui/store/export/) against simple references, byte for byte:
the writers' own loops against records built one by one (json.dumps of claim_record,
csv.writer of the same values, a plain Markdown table), the sorted-bounds scan against
the loop it replaced, and an export written in parts on several processes against one
process writing it all (issue 14). The corpora: the small fixture, the bundled corpus,
the hostile one (markup, escapes, bidi, emoji) and a crowd of disagreeing claims."""

from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import pytest

from conftest import build
from helpers import all_claims
from test_export_stream import _corpus
from tui.store import db, open_readonly
from tui.store.export import (
    CSV_FIELDS,
    LEGEND,
    LIST_FIELDS,
    ExportInfo,
    RelationLister,
    Selection,
    claim_record,
    export_to,
    md,
    record_lists,
    render_claims,
    stream_claims,
    value_text,
)
from tui.store.export import parts as parts_mod
from tui.store.export.records import merged
from tui.store.export.relations import FIELD_OF_KIND, RELATION_FIELDS, figure_of_mapping
from tui.store.export.to_markdown import GROUPS, MARKS


@pytest.fixture(scope="module")
def crowd(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("crowd-fast")
    return build(_corpus(root / "data", sources=40, per_source=6, seed=7), root / "store.db")


@pytest.fixture(params=["small", "bundled", "hostile", "crowd"])
def conn(request):
    if request.param in ("small", "bundled"):
        yield request.getfixturevalue(f"{request.param}_conn")
        return
    path = request.getfixturevalue("hostile")[1] if request.param == "hostile" else request.getfixturevalue("crowd")
    c = open_readonly(Path(path))
    yield c
    c.close()


# --- the references ---------------------------------------------------------------------


def exact_lists(conn, r) -> dict[str, list[str]]:
    """Every reviewed claim of another source related to `r`, by list, pair by pair through
    the agreement model (the reference the lister's searches are held to)."""
    from tui.store.agreement import figure_kind, figure_of_record, stance_kind
    from tui.store.export.relations import FIELD_OF_POSITION

    me = figure_of_mapping(r)
    out: dict[str, list[str]] = {name: [] for name in RELATION_FIELDS}
    candidates = {}
    if me.numeric:
        for c in conn.execute(
            f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE claims.qentity = ? AND claims.metric = ? "
            "AND claims.qunit IS ? AND claims.value_low IS NOT NULL AND claims.draft = 0",
            (me.qentity, me.metric, me.unit),
        ):
            candidates[c["id"]] = c
    for c in conn.execute(
        f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE claims.stances IS NOT NULL AND claims.draft = 0"
    ):
        candidates[c["id"]] = c
    for c in candidates.values():
        other = figure_of_record(c)
        if other.source == me.source:
            continue
        kind = figure_kind(me, other)
        if kind in FIELD_OF_KIND and c["value_low"] is not None:
            out[FIELD_OF_KIND[kind]].append(c["id"])
        position = stance_kind(me, other)
        if position in FIELD_OF_POSITION:
            out[FIELD_OF_POSITION[position]].append(c["id"])
    return {k: sorted(v) for k, v in out.items()}


def reference_records(conn, rows) -> list[dict]:
    lister = RelationLister(conn)
    return [claim_record(conn, r, record_lists(lists)) for r, lists in zip(rows, lister.lists(rows))]


def reference_json(conn, rows) -> str:
    return json.dumps(reference_records(conn, rows), ensure_ascii=False, indent=2) + "\n"


def reference_csv(conn, rows) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for rec in reference_records(conn, rows):
        values = dict(rec)
        for name in ("source_flags", *LIST_FIELDS):
            values[name] = "; ".join(values[name])
        values["group_check"] = (values["group_check"] or {}).get("reason") or ""
        values["stance"] = "; ".join(f"{k}: {v}" for k, v in (values["stance"] or {}).items())
        writer.writerow([values[f] for f in CSV_FIELDS])
    return buf.getvalue().replace("\0", "\u2400")


def reference_markdown(conn, rows, title: str, info: ExportInfo) -> str:
    """The Markdown export as the README describes it, a row at a time."""
    from tui.store.export.to_markdown import source_list

    lines = [f"# {md(title)}", "", info.line(), ""]
    if not rows:
        return "\n".join([*lines, "_No claims matched._"]) + "\n"
    numbers = db.source_numbers(rows)
    header = ["#", "Entity", "Topic", "Claim", "Value", "Period", "Status", "Source", "Other sources"]
    lines += ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lister = RelationLister(conn)
    legend = False
    for i, r in enumerate(rows, 1):
        other = ""
        counts = (
            r["conflict_count"] + r["oppose_count"],
            r["odds_count"],
            r["revise_count"],
            r["differ_count"],
            r["agree_count"] + r["concur_count"],
        )
        counted = (r["value_low"] is not None and r["metric"] is not None) or r["stances"]
        if counted and (any(counts) or r["stances"]):
            if r["value_low"] is not None:
                lister.load([(r["qentity"], r["metric"], r["qunit"])])
            found = lister.of(figure_of_mapping(r))
            groups = [merged(*(found[k] for k in group)) for group in GROUPS]
            parts = []
            for sign, figs, total in zip(MARKS, groups, counts):
                if not figs:
                    continue
                sources = sorted({f.source for f in figs})
                for sid in sources[:8]:
                    numbers.setdefault(sid, len(numbers) + 1)
                marks = " ".join(f"[{n}]" for n in sorted(numbers[s] for s in sources[:8]))
                more = len(sources) > 8 or total > len(figs)
                parts.append(f"{sign} {marks}" + (f" and more ({total:,} claims)" if more else ""))
            other, legend = " · ".join(parts), True
        elif r["relation"] == "single-source":
            other, legend = "single source", True
        status = md(r["status"]) + (" (unreviewed)" if r["draft"] else "")
        cells = [str(i), md(r["entity_name"]), md(r["topic_label"]), md(r["summary"]), md(value_text(r))]
        period = md(r["period"]) if r["period"] or not r["presumed_period"] else md(r["presumed_period"]) + " (presumed)"
        cells += [period, status, f"[{numbers[r['source']]}]", other]
        lines.append("| " + " | ".join(c or " " for c in cells) + " |")
    if legend:
        lines += ["", LEGEND]
    lines += ["", "## Sources", "", source_list(conn, numbers)]
    return "\n".join(lines) + "\n"


# --- the fast path against them ---------------------------------------------------------


def test_the_lists_are_the_pairs_the_model_relates(conn, monkeypatch) -> None:
    """With room for every claim (no cap on the candidates examined), the lister's searches
    find exactly the pairs the agreement model relates; with the export's limit, each list is
    the first ones found of those, as many as there are up to the limit."""
    from tui.store.export import relations

    rows = all_claims(conn)
    monkeypatch.setattr(relations, "EXAMINE_LIMIT", 10**6)
    full = RelationLister(conn, limit=10**6)
    cut = RelationLister(conn, limit=3)
    checked = 0
    for r, got, short in zip(rows, full.lists(rows), cut.lists(rows)):
        want = exact_lists(conn, r) if (r["value_low"] is not None and r["metric"]) or r["stances"] else None
        if want is None:
            continue
        assert got == want, r["id"]
        for name in RELATION_FIELDS:
            assert set(short[name]) <= set(want[name]) and len(short[name]) == min(3, len(want[name])), (r["id"], name)
        checked += 1
    assert checked or not rows


def test_each_format_is_the_bytes_of_its_reference(conn) -> None:
    rows = all_claims(conn)
    info = ExportInfo("", "2026-01-02", "abc")
    expected = {"json": reference_json(conn, rows), "csv": reference_csv(conn, rows)}
    expected["md"] = reference_markdown(conn, rows, "Claims", info)
    for fmt, want in expected.items():
        buf = io.StringIO()
        n = stream_claims(conn, buf, Selection(), fmt, info=info if fmt == "md" else None)
        assert n == len(rows)
        assert buf.getvalue() == want, fmt
        assert render_claims(conn, rows, fmt, title="Claims", info=info if fmt == "md" else None) == want, fmt
    assert json.loads(expected["json"]) == reference_records(conn, rows)


def test_a_filter_is_the_bytes_of_its_reference(bundled_conn) -> None:
    from tui.query import build_filter

    for query in ("company:meta", "is:conflict", "layoffs", "-company:meta value>=10"):
        flt = build_filter(query, bundled_conn)
        rows = all_claims(bundled_conn, flt)
        sel = Selection(flt.where, tuple(flt.params), query)
        info = ExportInfo(query, "2026-01-02", None)
        for fmt, want in (
            ("json", reference_json(bundled_conn, rows)),
            ("csv", reference_csv(bundled_conn, rows)),
            ("md", reference_markdown(bundled_conn, rows, sel.title, info)),
        ):
            buf = io.StringIO()
            stream_claims(bundled_conn, buf, sel, fmt, info=info if fmt == "md" else None)
            assert buf.getvalue() == want, (query, fmt)


# --- the export in parts ----------------------------------------------------------------


def _one_process(conn, sel, fmt, info) -> str:
    buf = io.StringIO()
    stream_claims(conn, buf, sel, fmt, info=info)
    return buf.getvalue()


@pytest.fixture(params=["hostile", "crowd"])
def parted(request):
    """The corpora an export in parts is tried on (each part is a process: a few of them)."""
    path = request.getfixturevalue("hostile")[1] if request.param == "hostile" else request.getfixturevalue("crowd")
    c = open_readonly(Path(path))
    yield c
    c.close()


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_an_export_in_parts_is_the_bytes_of_one_process(parted, fmt, tmp_path: Path, monkeypatch) -> None:
    conn = parted
    info = ExportInfo("", "2026-01-02", "abc")
    sel = Selection()
    whole = _one_process(conn, sel, fmt, info)
    monkeypatch.setattr(parts_mod, "PARALLEL_FROM", 1)
    spawned = []
    start = parts_mod._start

    def counted(job, *args):
        spawned.append(args)
        return start(job, *args)

    monkeypatch.setattr(parts_mod, "_start", counted)
    claims = len(all_claims(conn))
    monkeypatch.setattr(parts_mod, "PARTS", 3)
    assert _one_process(conn, sel, fmt, info) == whole  # the parts copied as text
    assert len(spawned) <= 2 and (spawned or claims <= 3)  # workers wrote parts
    monkeypatch.setattr(parts_mod, "PARTS", 2)
    spawned.clear()
    path, n = export_to(tmp_path / f"x.{fmt}", conn, sel, fmt, info=info)  # copied as bytes
    assert path.read_bytes().decode("utf-8") == whole and n == claims
    assert len(spawned) == 1 or claims <= 2
    assert [p.name for p in tmp_path.iterdir()] == [f"x.{fmt}"]  # no part left behind


def test_a_failed_worker_leaves_its_range_to_the_parent(crowd: Path, monkeypatch) -> None:
    conn = open_readonly(crowd)
    info = ExportInfo("", "2026-01-02", "abc")
    wholes = {fmt: _one_process(conn, Selection(), fmt, info) for fmt in ("csv", "json", "md")}
    monkeypatch.setattr(parts_mod, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parts_mod, "PARTS", 2)
    monkeypatch.setattr(parts_mod, "_finish", lambda worker: None)
    for fmt, whole in wholes.items():
        assert _one_process(conn, Selection(), fmt, info) == whole


@pytest.mark.parametrize("fmt", ["csv", "json", "md"])
def test_the_processes_meet_where_the_work_balances(crowd: Path, fmt: str, monkeypatch) -> None:
    """The chunks are taken as the processes go: when this process's chunks are slow (the
    first entities' claims have more to list), the worker takes more than half of them,
    and the bytes are those of one process (a fixed cut at the middle left the worker
    idle half the time at 1M)."""
    conn = open_readonly(crowd)
    info = ExportInfo("", "2026-01-02", "abc")
    whole = _one_process(conn, Selection(), fmt, info)
    monkeypatch.setattr(parts_mod, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parts_mod, "PARTS", 2)
    monkeypatch.setattr(parts_mod, "CHUNKS_PER_PART", 6)  # 12 chunks
    here = []
    write = parts_mod._Writer.write

    def slow(self, out, span, *, first):
        here.append(span)
        time.sleep(0.5)
        return write(self, out, span, first=first)

    monkeypatch.setattr(parts_mod._Writer, "write", slow)
    assert _one_process(conn, Selection(), fmt, info) == whole
    assert 1 <= len(here) < 6, here  # this process wrote the first chunks, the worker most of the rest


def test_a_part_is_copied_a_megabyte_at_a_time_into_a_text_stream() -> None:
    """The CLI's standard output is a text stream of its own (no .buffer): a worker's part
    is decoded and written a piece at a time, characters split across pieces whole (a part
    read at once held ~110 MB more at 1M, over the 200 MB the export may take)."""
    import tempfile

    text = ("é→ a line of a part ✓\n" * 200_000)[:-1] + "€"
    data = text.encode("utf-8")

    class Stream:
        def __init__(self) -> None:
            self.writes: list[str] = []

        def write(self, s: str) -> int:
            self.writes.append(s)
            return len(s)

    with tempfile.TemporaryFile() as tmp:
        tmp.write(b"xx" + data + b"yy")
        out = Stream()
        parts_mod._append(out, tmp, 2, 2 + len(data))  # type: ignore[arg-type]
    assert "".join(out.writes) == text
    assert len(data) > 3 << 20 and max(len(w) for w in out.writes) <= 1 << 20


def test_a_markdown_of_a_filter_is_written_by_one_process(bundled_conn, monkeypatch) -> None:
    """Its source numbers follow the rows (sources outside the filter included): a later
    part could not know them in advance."""
    monkeypatch.setattr(parts_mod, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parts_mod, "PARTS", 2)
    monkeypatch.setattr(parts_mod, "_start", lambda job, span: pytest.fail("no worker for a filtered Markdown"))
    sel = Selection("claims.entity = ?", ("meta",), "entity:meta")
    assert stream_claims(bundled_conn, io.StringIO(), sel, "md") > 0


def test_a_markdown_in_parts_with_quotes_and_ids_is_the_bytes_of_one_process(bundled_conn, monkeypatch) -> None:
    info = ExportInfo("", "2026-01-02", None)
    buf = io.StringIO()
    stream_claims(bundled_conn, buf, Selection(), "md", info=info, quotes=True, ids=True)
    monkeypatch.setattr(parts_mod, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parts_mod, "PARTS", 3)
    parted = io.StringIO()
    stream_claims(bundled_conn, parted, Selection(), "md", info=info, quotes=True, ids=True)
    assert parted.getvalue() == buf.getvalue()
    assert "| # | Id | Entity |" in buf.getvalue() and "| Quote |" in buf.getvalue()


@pytest.mark.parametrize("held, ask_first", [(3, 10**6), (10**6, 0)])
def test_sources_read_in_batches_or_all_at_once_give_the_same_bytes(bundled_conn, monkeypatch, held, ask_first) -> None:
    from tui.store.export import selection
    from tui.store.export.records import Lookups

    info = ExportInfo("", "2026-01-02", None)
    wholes = {fmt: _one_process(bundled_conn, Selection(), fmt, info) for fmt in ("csv", "json", "md")}
    monkeypatch.setattr(selection, "BATCH", 7)
    monkeypatch.setattr(Lookups, "SOURCES_HELD", held)  # a few sources held at a time
    monkeypatch.setattr(Lookups, "ASK_FIRST", ask_first)  # or every source read after the first batch
    for fmt, whole in wholes.items():
        assert _one_process(bundled_conn, Selection(), fmt, info) == whole


@pytest.mark.parametrize("fails", [False, True])
def test_parts_of_a_filter_are_the_bytes_of_one_process(crowd: Path, monkeypatch, fails: bool) -> None:
    """A filter's claims are cut between their own first and last rowids (the ranges are
    not the store's halves), with a worker or with its range written here."""
    conn = open_readonly(crowd)
    top = conn.execute("SELECT max(rowid) FROM claims").fetchone()[0]
    sel = Selection("claims.rowid > ?", (top - 5,), "late")
    wholes = {fmt: _one_process(conn, sel, fmt, None) for fmt in ("csv", "json")}
    monkeypatch.setattr(parts_mod, "PARALLEL_FROM", 1)
    monkeypatch.setattr(parts_mod, "PARTS", 2)
    if fails:
        monkeypatch.setattr(parts_mod, "_finish", lambda worker: None)
    for fmt, whole in wholes.items():
        assert _one_process(conn, sel, fmt, None) == whole
    assert len(json.loads(wholes["json"])) == 5
