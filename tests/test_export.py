"""Exports: golden files, Markdown parsed back with markdown-it-py, the JSON contract, atomic writes,
hostile targets (a path under a file, a full disk, a file-size limit, a read-only folder) and
hostile corpus text that must render as text.

The golden files under tests/golden/ are the exports of the small fixture
corpus (tests/fixtures/small). After an intended change to an export format,
regenerate them and review the diff:

    PIVOT_UPDATE_GOLDEN=1 python -m pytest -q tests/test_export.py
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from helpers import SMALL, all_claims, cli, leftovers, pivot_process
from tui.query import build_filter
from tui.store import db, load_corpus
from tui.store import export as export_mod
from tui.store.export import (
    ExportError,
    compare_markdown,
    md,
    render_claims,
    render_compare,
    write_atomic,
)
from tui.store.fmt import format_value, one_line, parse_number, safe_text
from tui.store.grid import headline

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("PIVOT_UPDATE_GOLDEN") == "1"

# data-contract.md, "Claim" and "JSON export": the claim fields plus the derived ones
CONTRACT_FIELDS = {
    "id",
    "entity",
    "topic",
    "summary",
    "quote",
    "metric",
    "value",
    "unit",
    "bound",
    "period",
    "status",
    "speaker",
    "note",
    "entity_name",
    "entity_kind",
    "source",
    "source_title",
    "publisher",
    "published",
    "document",
    "source_flags",
    "value_low",
    "value_high",
    "conflicts",
    # pivot's own claim fields, and the source's dated lead
    "stance",
    "as_of",
    # derived by the agreement model (docs/corpus.md: "How sources agree and disagree")
    "draft",
    "relation",
    "period_presumed",
    "quantity_sources",
    "at_odds_with",
    "opposed_by",
    "revisions",
    "differs_from",
    "corroborated_by",
    "group_check",
    # each list carries at most LISTED_IDS ids; these count them all (docs/cli.md)
    "conflicts_total",
    "at_odds_total",
    "opposed_total",
    "revisions_total",
    "differs_total",
    "corroborated_total",
}


def claims(conn: sqlite3.Connection, query: str = "") -> list[sqlite3.Row]:
    flt = build_filter(query, conn)
    return all_claims(conn, flt)


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.is_file(), f"{path} is missing; run with PIVOT_UPDATE_GOLDEN=1 to create it"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from the golden file (PIVOT_UPDATE_GOLDEN=1 regenerates)"


# --- golden files -------------------------------------------------------------------------------


def test_markdown_golden(small_conn) -> None:
    check_golden("claims.md", render_claims(small_conn, claims(small_conn), "md", title="Claims"))


def test_markdown_with_quotes_golden(small_conn) -> None:
    rows = claims(small_conn, "company:meta")
    check_golden("claims-meta-quotes.md", render_claims(small_conn, rows, "md", quotes=True, title="Claims: company:meta"))


def test_csv_golden(small_conn) -> None:
    check_golden("claims.csv", render_claims(small_conn, claims(small_conn), "csv"))


def test_json_golden(small_conn) -> None:
    check_golden("claims.json", render_claims(small_conn, claims(small_conn), "json"))


def test_compare_markdown_golden(small_conn) -> None:
    check_golden(
        "compare-meta-microsoft-full.md", render_compare(small_conn, db.compare(small_conn, ["meta", "microsoft"]), "md")
    )


def test_compare_json_golden(small_conn) -> None:
    check_golden("compare-meta-microsoft.json", render_compare(small_conn, db.compare(small_conn, ["meta", "microsoft"]), "json"))


# --- Markdown, parsed back ------------------------------------------------------------------------


def inline_text(token) -> tuple[str, set[str]]:
    """The text a reader sees in an inline token, and the kinds of markup found in it."""
    out, kinds = [], set()
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak") or (
            child.type == "html_inline" and child.content.lower().startswith("<br")
        ):
            out.append("\n")
        else:
            kinds.add(child.type)
            out.append(child.content or "")
    return "".join(out), kinds


def parse_tables(text: str) -> list[dict]:
    """Every table: its header cells, body rows (cell texts) and the markup found in body cells."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    tables: list[dict] = []
    section = None
    for i, tok in enumerate(tokens):
        if tok.type == "table_open":
            tables.append({"header": [], "rows": [], "markup": set()})
        elif tok.type in ("thead_open", "tbody_open"):
            section = tok.type
        elif tok.type == "tr_open" and section == "tbody_open":
            tables[-1]["rows"].append([])
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            cell, kinds = inline_text(tok)
            if section == "thead_open":
                tables[-1]["header"].append(cell)
            else:
                tables[-1]["rows"][-1].append(cell)
                tables[-1]["markup"] |= kinds
    return tables


HEADER = ["#", "Entity", "Topic", "Claim", "Value", "Period", "Status", "Source", "Other sources"]


def test_markdown_is_a_real_table_with_the_right_cells(small_conn, small_data) -> None:
    rows = claims(small_conn)
    [table] = parse_tables(render_claims(small_conn, rows, "md", title="Claims"))
    assert table["header"] == HEADER
    assert len(table["rows"]) == len(rows) == 19
    assert all(len(r) == len(HEADER) for r in table["rows"])
    assert table["markup"] == set()  # corpus text never turns into emphasis, links or HTML
    by_claim = {r[3]: r for r in table["rows"]}
    # a summary with `|` and a newline stays in its cell, on one line
    assert by_claim["Trade-off: headcount | compute for Big Tech"][1:4] == [
        "Meta and Microsoft",
        "Restructuring approach",
        "Trade-off: headcount | compute for Big Tech",
    ]
    # Markdown and HTML in a summary are shown literally
    assert "Acme AI hires *prompt engineers* <on retainer>" in by_claim
    assert by_claim["Meta spends $115-135 billion on AI infrastructure"][4:7] == ["$115–135 B", "2026", "estimated"]
    assert by_claim["Meta cuts about 10 % of its workforce"][4] == "~10 %"
    assert by_claim["Meta may cut 20 % or more of its staff"][4] == "≥ 20 %"
    assert [r[0] for r in table["rows"]] == [str(i) for i in range(1, 20)]
    # every summary of the corpus appears, as text
    assert {" ".join(c.summary.split()) for c in load_corpus(small_data).claims} == set(by_claim)


def test_markdown_source_numbers_and_disputes_point_at_the_source_list(small_conn) -> None:
    text = render_claims(small_conn, claims(small_conn, "company:meta is:conflict"), "md")
    [table] = parse_tables(text)
    got = {r[3]: (r[7], r[8]) for r in table["rows"]}
    # each at odds: a projection against a report, and 600 (its period presumed from Gamma's date) against 8,000
    assert got == {
        "Meta cuts about 10 % of its workforce": ("[1]", "! [2]"),
        "Meta may cut 20 % or more of its staff": ("[2]", "! [1]"),
        "Meta cuts 8,000 employees": ("[1]", "! [3]"),
        "Meta cut 600 AI jobs (no year given)": ("[3]", "! [1]"),
    }
    sources = text.split("## Sources", 1)[1]
    assert "1. *Big Tech Cuts Jobs to Fund AI* — Alpha News, by Admin, 2026-04-25, news — ⚠ ai-assisted" in sources
    assert "2. *\\[untitled blog post about Meta's layoffs\\]* — blog — ⚠ no-byline, unverified-figures" in sources


def test_markdown_quotes_column(small_conn) -> None:
    [table] = parse_tables(render_claims(small_conn, claims(small_conn, "speaker:ives"), "md", quotes=True))
    assert table["header"] == [*HEADER, "Quote"]
    assert table["rows"][0][9] == (
        "“They're Meta's attempt to streamline its pipeline and focus on monetization.” — Daniel Ives, Wedbush Securities"
    )


def test_markdown_of_no_claims(small_conn) -> None:
    text = render_claims(small_conn, claims(small_conn, "company:meta company:microsoft kind:group"), "md", title="None")
    assert text == "# None\n\n_No claims matched._\n"


def test_hostile_text_stays_in_its_cell(small_conn) -> None:
    hostile = "a | b\\| c\n| --- |\n<script>x</script> [link](http://x) `code` **bold** &amp; # h ~~s~~ \x1b[31m \u202e"
    text = md(hostile)
    assert "\n" not in text
    table = f"| A | B |\n| --- | --- |\n| {text} | end |\n"
    [parsed] = parse_tables(table)
    assert parsed["rows"] == [[safe_text(" ".join(hostile.split())), "end"]]
    assert parsed["markup"] == set()


def test_compare_markdown_parses_back(small_conn) -> None:
    text = render_compare(small_conn, db.compare(small_conn, ["meta", "microsoft"]), "md")
    [table] = parse_tables(text)
    assert table["header"] == ["Topic", "Meta Platforms", "Microsoft"]
    assert [r[0] for r in table["rows"]] == ["Job reductions", "AI infrastructure investment", "Restructuring approach", "Hiring"]
    assert all(len(r) == 3 for r in table["rows"])
    cells = {r[0]: r[1:] for r in table["rows"]}
    meta_cuts = cells["Job reductions"][0].split("\n")
    assert meta_cuts[0].startswith("⚠ sources disagree: ")
    # every figure with its period beside it (stated, presumed), sources numbered as in the grid
    assert "~10 % (2026) — Meta cuts about 10 % of its workforce [3] !" in meta_cuts
    assert "≥ 20 % (2026) — Meta may cut 20 % or more of its staff [1] !" in meta_cuts
    assert "~600 employees (2025) — Meta laid off about 600 AI staff [1]" in meta_cuts  # no mark: another year
    assert "600 employees (2026, presumed) — Meta cut 600 AI jobs (no year given) [2] !" in meta_cuts
    assert not cells["AI infrastructure investment"][0].startswith("⚠")  # overlapping ranges agree
    assert cells["AI infrastructure investment"][1].startswith("⚠ sources disagree: ")
    assert cells["Restructuring approach"][1] == "—"


def test_compare_json_shape(small_conn) -> None:
    out = json.loads(render_compare(small_conn, db.compare(small_conn, ["microsoft", "meta"], ["ai-capex"]), "json"))
    assert [e["id"] for e in out["entities"]] == ["microsoft", "meta"]
    [topic] = out["topics"]
    assert topic["id"] == "ai-capex" and set(topic["cells"]) == {"meta", "microsoft"}
    assert topic["cells"]["microsoft"]["disputed"] is True and topic["cells"]["meta"]["disputed"] is False
    assert {c["id"] for c in topic["cells"]["meta"]["claims"]} == {"alpha-meta-capex", "gamma-meta-capex"}
    assert all(set(c) == CONTRACT_FIELDS for cell in topic["cells"].values() for c in cell["claims"])
    # numbered as the headline grid of the same comparison numbers them (one numbering per screen)
    assert out["sources"] == {"gamma-report": 1, "alpha-news": 2}
    assert out["sources"] == headline(small_conn, ["microsoft", "meta"], ["ai-capex"]).sources


# --- JSON and CSV -------------------------------------------------------------------------------


def test_json_has_exactly_the_contract_fields(small_conn, small_data) -> None:
    records = json.loads(render_claims(small_conn, claims(small_conn), "json"))
    assert len(records) == 19
    assert all(set(r) == CONTRACT_FIELDS for r in records)
    corpus = {c.id: c for c in load_corpus(small_data).claims}
    for r in records:
        c = corpus[r["id"]]
        assert (
            r["entity"],
            r["topic"],
            r["summary"],
            r["quote"],
            r["metric"],
            r["unit"],
            r["bound"],
            r["period"],
            r["status"],
            r["speaker"],
            r["note"],
            r["source"],
        ) == (c.entity, c.topic, c.summary, c.quote, c.metric, c.unit, c.bound, c.period, c.status, c.speaker, c.note, c.source)
        assert r["value"] == c.value
        assert (r["value_low"], r["value_high"]) == (c.value_low, c.value_high)
    by_id = {r["id"]: r for r in records}
    capex = by_id["alpha-meta-capex"]
    assert capex["value"] == [115000000000, 135000000000] and isinstance(capex["value_low"], int)
    assert by_id["alpha-meta-cut"]["value"] == 8000 and by_id["alpha-meta-cut"]["value_high"] == 8000
    assert by_id["alpha-meta-pods"]["value"] is None and by_id["alpha-meta-pods"]["value_low"] is None
    assert by_id["alpha-meta-cut-pct"]["conflicts"] == ["beta-meta-cut-pct"]
    assert by_id["gamma-msft-capex"]["conflicts"] == ["alpha-msft-capex"]
    assert by_id["gamma-meta-capex"]["conflicts"] == []
    assert by_id["beta-meta-cut-pct"]["source_flags"] == ["no-byline", "unverified-figures"]
    assert by_id["beta-meta-cut-pct"]["publisher"] is None and by_id["beta-meta-cut-pct"]["published"] is None
    assert (
        capex["entity_name"],
        capex["entity_kind"],
        capex["source_title"],
        capex["publisher"],
        capex["published"],
        capex["document"],
    ) == ("Meta Platforms", "company", "Big Tech Cuts Jobs to Fund AI", "Alpha News", "2026-04-25", "alpha.txt")
    assert by_id["alpha-bigtech-tradeoff"]["summary"] == "Trade-off: headcount | compute\nfor Big Tech"


def test_csv_round_trips(small_conn) -> None:
    rows = list(csv.DictReader(io.StringIO(render_claims(small_conn, claims(small_conn), "csv"))))
    assert len(rows) == 19
    assert set(rows[0]) == CONTRACT_FIELDS - {"value"}
    by_id = {r["id"]: r for r in rows}
    assert by_id["alpha-bigtech-tradeoff"]["summary"] == "Trade-off: headcount | compute\nfor Big Tech"
    assert by_id["alpha-meta-capex"]["value_low"] == "115000000000"
    assert by_id["beta-meta-cut-pct"]["source_flags"] == "no-byline; unverified-figures"
    assert by_id["beta-meta-cut-pct"]["conflicts"] == "alpha-meta-cut-pct"


def test_unknown_format(small_conn) -> None:
    with pytest.raises(ExportError, match="unknown format 'xml'"):
        render_claims(small_conn, [], "xml")


# --- the bundled corpus: the article's comparison ---------------------------------------------------

TABLE_TOPICS = [
    "Job reductions",
    "AI infrastructure investment",
    "Restructuring approach",
    "Key motivation",
    "Workplace data collection",
]


def test_compare_meta_microsoft_on_the_bundled_corpus(bundled_conn) -> None:
    cmp = db.compare(bundled_conn, ["meta", "microsoft"])
    text = compare_markdown(bundled_conn, cmp)
    [table] = parse_tables(text)
    assert table["header"] == ["Topic", "Meta Platforms", "Microsoft"]
    labels = [r[0] for r in table["rows"]]
    assert labels[:5] == TABLE_TOPICS  # topics in their order, the article's five first
    cells = {r[0]: r[1:] for r in table["rows"]}
    for label in TABLE_TOPICS:
        assert all(cell and cell != "—" for cell in cells[label]), label
    meta_cuts = cells["Job reductions"][0]
    assert meta_cuts.startswith("⚠ sources disagree: ")
    lines = meta_cuts.removeprefix("⚠ sources disagree: ").split("\n")
    ten = [line for line in lines if line.startswith(("~10 %", "10 %"))]
    twenty = [line for line in lines if line.startswith("≥ 20 %")]
    numbers = cmp.sources
    # "about 10 %" (SynapNews) and "20 % or more" (the AI Rebalancing article), both marked as in conflict
    assert any(line.endswith((f"[{numbers['synapnews-ai-pivot']}] ⚠", f"[{numbers['synapnews-ai-pivot']}] !")) for line in ten)
    rebalancing = numbers["ai-rebalancing-meta-layoffs"]
    assert twenty and all(line.endswith((f"[{rebalancing}] ⚠", f"[{rebalancing}] !")) for line in twenty), lines
    assert "## Sources" in text and "SynapNews" in text.split("## Sources")[1]


# --- writing files -------------------------------------------------------------------------------


def test_write_atomic_writes_and_refuses_to_overwrite(tmp_path: Path) -> None:
    target = tmp_path / "out.md"
    assert write_atomic(target, "first\n") == target
    assert target.read_text() == "first\n"
    with pytest.raises(ExportError, match=r"out\.md already exists \(use --force to overwrite\)"):
        write_atomic(target, "second\n")
    assert target.read_text() == "first\n"
    inode = target.stat().st_ino
    write_atomic(target, "second ✓\n", force=True)
    assert target.read_text(encoding="utf-8") == "second ✓\n"
    assert target.stat().st_ino != inode  # replaced by a rename, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_write_atomic_failure_keeps_the_old_file_and_no_temp(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "out.md"
    target.write_text("old\n")

    def fail(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export_mod.os, "replace", fail)
    with pytest.raises(ExportError, match="cannot write .*out.md: No space left on device"):
        write_atomic(target, "new\n", force=True)
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.md"]


def test_write_atomic_bad_targets(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="is a directory"):
        write_atomic(tmp_path, "x")
    with pytest.raises(ExportError, match="does not exist"):
        write_atomic(tmp_path / "missing" / "out.md", "x")
    assert list(tmp_path.iterdir()) == []


# --- values as people read them -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("low", "high", "unit", "bound", "text"),
    [
        (115e9, 135e9, "USD", "exact", "$115–135 B"),
        (80e9, 80e9, "USD", "at-least", "≥ $80 B"),
        (16e9, 16e9, "USD", "at-least", "≥ $16 B"),
        (200e9, 200e9, "USD", "approx", "~$200 B"),
        (500e6, 2e9, "USD", "exact", "$500 M–$2 B"),
        (1.5e6, 1.5e6, "USD", "exact", "$1.5 M"),
        (2.5e12, 2.5e12, "USD", "exact", "$2.5 T"),
        (950, 950, "USD", "exact", "$950"),
        (10, 10, "percent", "approx", "~10 %"),
        (20, 20, "percent", "at-least", "≥ 20 %"),
        (13, 15, "percent", "approx", "~13–15 %"),
        (8000, 8000, "employees", "exact", "8,000 employees"),
        (8750, 8750, "employees", "approx", "~8,750 employees"),
        (16, 16, "weeks", "exact", "16 weeks"),
        (100, 100, "roles", "at-most", "≤ 100 roles"),
        (2.5, 2.5, None, "exact", "2.5"),
        (None, None, None, "exact", ""),
    ],
)
def test_format_value(low, high, unit, bound, text) -> None:
    assert format_value(low, high, unit, bound) == text


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("80b", 80e9),
        ("10k", 1e4),
        ("2.5m", 2.5e6),
        ("20", 20),
        ("1,000", 1000),
        ("1t", 1e12),
        ("-5", -5),
        ("8_000", 8000),
        ("abc", None),
        ("", None),
        ("10x", None),
        ("1.2.3", None),
    ],
)
def test_parse_number(text: str, number) -> None:
    assert parse_number(text) == number


def test_every_unsafe_character_is_unprintable() -> None:
    """safe_text returns a printable text as it is (no regex over it): so every character it
    makes visible must be one str.isprintable() refuses."""
    from tui.store.fmt import _UNSAFE

    assert [c for c in range(0x110000) if _UNSAFE.match(chr(c)) and chr(c).isprintable()] == []
    assert safe_text("café ≥ 20 % – ~$1.5 B") == "café ≥ 20 % – ~$1.5 B"


def test_safe_text_shows_controls_and_invisibles() -> None:
    assert safe_text("a\x1b[31mb\rc\u202ed\u200be[bold]") == "a␛[31mb␍c<U+202E>d<U+200B>e[bold]"
    assert safe_text("one\ntwo", keep_newlines=True) == "one\ntwo"
    assert one_line("  a \n b  ", 3) == "a b" and one_line("abcdef", 4) == "abc…"


# --- hostile targets: a path under a file, a directory, a full disk, a read-only folder ------------


def test_export_to_a_path_under_a_file(tmp_path: Path, small_db: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine\n")
    result = cli("export", "-o", blocker / "claims.md", "--data", SMALL, "--db", small_db, code=1)
    assert result.stderr == f"error: {blocker} is not a directory\n"
    assert blocker.read_text() == "mine\n"


def test_export_to_a_directory_via_the_cli(tmp_path: Path, small_db: Path) -> None:
    result = cli("export", "-o", tmp_path, "--data", SMALL, "--db", small_db, code=1)
    assert result.stderr == f"error: {tmp_path} is a directory; give a file name\n"


def test_export_into_a_missing_folder_names_it(tmp_path: Path, small_db: Path) -> None:
    result = cli("export", "-o", tmp_path / "no" / "x.md", "--data", SMALL, "--db", small_db, code=1)
    assert result.stderr == f"error: {tmp_path / 'no'} does not exist\n"
    assert not (tmp_path / "no").exists()


class FullDisk:
    """A file object that writes `room` bytes, then fails as a full disk does."""

    def __init__(self, fd: int, room: int):
        self.fd, self.room = fd, room

    def write(self, data: bytes | str) -> int:
        raw = data.encode("utf-8") if isinstance(data, str) else data  # the streaming writer writes text
        os.write(self.fd, raw[: self.room])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self.fd

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)


def test_a_full_disk_mid_write_keeps_the_old_file_and_leaves_no_partial_file(tmp_path: Path, small_db: Path, monkeypatch) -> None:
    out = tmp_path / "claims.md"
    out.write_text("the previous export\n")
    monkeypatch.setattr(export_mod.os, "fdopen", lambda fd, mode, **options: FullDisk(fd, 100))
    result = cli("export", "-o", out, "--force", "--data", SMALL, "--db", small_db, code=1)
    assert result.stderr == f"error: cannot write {out}: No space left on device\n"
    assert out.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == []


def test_a_full_disk_before_the_first_byte(tmp_path: Path, monkeypatch) -> None:
    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export_mod.tempfile, "mkstemp", no_room)
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path / "x.md", "text\n")
    assert str(info.value) == f"cannot write in {tmp_path}: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_a_real_file_size_limit_during_export(tmp_path: Path, small_db: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse the write (EFBIG), as a full quota does."""
    out = tmp_path / "claims.md"
    out.write_text("the previous export\n")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    # no bytecode written: under the limit a .pyc is cut at 1 KiB, and the tests' shared
    # PYTHONPYCACHEPREFIX would hand the cut file to every later child ("marshal data too short")
    proc = pivot_process(
        "export", "-o", out, "--force", "--data", SMALL, "--db", small_db, preexec_fn=limit,
        env_extra={"PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    assert stderr == f"error: cannot write {out}: File too large\n"
    assert out.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == []


def test_export_into_a_read_only_folder(tmp_path: Path, small_db: Path, permissions) -> None:
    chmod, run = permissions
    db_path = tmp_path / "store.db"
    shutil.copyfile(small_db, db_path)
    out = tmp_path / "out"
    out.mkdir()
    chmod(out, 0o555)
    result = run("export", "-o", out / "claims.md", "--data", SMALL, "--db", db_path)
    assert result.returncode == 1
    assert result.stderr == f"error: cannot write in {out}: Permission denied\n"
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("md", "# Claims: pods -pods\n\nQuery: `pods -pods` · exported DATE · corpus version HASH\n\n_No claims matched._\n"),
        ("json", "[]\n"),
        (
            "csv",
            "id,entity,entity_name,entity_kind,topic,summary,quote,metric,value_low,value_high,unit,bound,period,"
            "period_presumed,status,speaker,note,stance,source,source_title,publisher,published,as_of,document,source_flags,"
            "draft,relation,quantity_sources,conflicts,conflicts_total,at_odds_with,at_odds_total,opposed_by,opposed_total,"
            "revisions,revisions_total,"
            "differs_from,differs_total,corroborated_by,corroborated_total,group_check\n",
        ),
    ],
)
def test_exporting_zero_claims_writes_a_valid_empty_file(tmp_path: Path, small_db: Path, fmt: str, expected: str) -> None:
    out = tmp_path / f"none.{fmt}"
    result = cli("export", "pods -pods", "--format", fmt, "-o", out, "--data", SMALL, "--db", small_db)
    assert result.stderr == f"wrote {out} (0 claims)\n"
    # the Markdown header's date and corpus version are the export's own
    written = re.sub(
        r"exported \d{4}-\d{2}-\d{2} · corpus version [0-9a-f]+",
        "exported DATE · corpus version HASH",
        out.read_text(encoding="utf-8"),
    )
    assert written == expected
    if fmt == "json":
        assert json.loads(out.read_text()) == []


def test_compare_does_not_overwrite_an_existing_file_without_force(tmp_path: Path, small_db: Path) -> None:
    out = tmp_path / "cmp.md"
    out.write_text("keep me\n")
    result = cli("compare", "meta", "microsoft", "--format", "md", "-o", out, "--data", SMALL, "--db", small_db, code=1)
    assert result.stderr == f"error: {out} already exists (use --force to overwrite)\n"
    assert out.read_text() == "keep me\n"
    assert leftovers(tmp_path) == []


# --- hostile corpus text: the Markdown renders as text ---------------------------------------------


def _inline_children(text: str):
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    return tokens, [c for t in tokens if t.type == "inline" for c in (t.children or [])]


def test_markdown_export_of_hostile_text_renders_as_text(hostile) -> None:
    data, db_path = hostile
    out = cli("export", "--quotes", "--data", data, "--db", db_path).stdout
    tokens, children = _inline_children(out)
    kinds = {c.type for c in children}
    assert not kinds & {"html_inline", "image"}
    assert not any(t.type == "html_block" for t in tokens)
    links = [c.attrs.get("href") for c in children if c.type == "link_open"]
    assert links == ["https://evil.example/)%5Bx%5D(javascript:alert(1)"]  # the source's own URL, as an autolink
    # emphasis only where the export puts it: around the source title in the list
    ems = [i for i, c in enumerate(children) if c.type == "em_open"]
    assert len(ems) == 1 and not any(c.type == "strong_open" for c in children)
    text = "".join(c.content for c in children if c.type == "text")
    for literal in (
        "[bold red]Acme[/]",
        "[link=file:///etc/passwd]Jobs[/link]",
        "[bold]not bold[/bold]",
        "[/] a quote with <U+202E> reversed <b>x</b>",
        "[i]Someone[/i] ␛[5mblink ␛]0;title␇",
        "[b]Evil[/b] *title* <script>alert(1)</script> ␛[1;31mT",
        "[i]Pub[/i] | pipe",
    ):
        assert literal in text, literal
    table = [t for t in tokens if t.type == "tr_open"]
    assert len(table) == 3  # header and two claims: `|` in a summary stays in its cell


def test_markdown_compare_of_hostile_text_renders_as_text(hostile) -> None:
    data, db_path = hostile
    out = cli("compare", "acme", "other", "--format", "md", "--data", data, "--db", db_path).stdout
    tokens, children = _inline_children(out)
    assert not {c.type for c in children} & {"html_inline", "image"}
    headers = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "th_open"]
    assert len(headers) == 6  # the grid, then every claim: three columns each
    text = "".join(c.content for c in children if c.type == "text")
    assert "[bold red]Acme[/] ␛[31mRED␛[0m" in text and "[link=file:///etc/passwd]Jobs[/link] ␛[2J" in text
