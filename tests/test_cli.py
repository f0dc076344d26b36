"""The command line through click's CliRunner, every store in tmp_path."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from markdown_it import MarkdownIt

from helpers import cli, count, unsafe_in
from tui.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
SMALL = FIXTURES / "small"
BUNDLED = REPO / "data"
pytestmark = pytest.mark.usefixtures("clean_env")
TEXTS = FIXTURES / "texts"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "store.db"


def run(*args: str | Path, code: int = 0):
    # a wide terminal, so that Rich does not wrap the tables' cells
    result = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "240"})
    assert result.exit_code == code, (result.output, result.exception)
    return result


def small(*args: str | Path, db: Path, code: int = 0):
    return run(*args, "--data", SMALL, "--db", db, code=code)


# --- check ---------------------------------------------------------------------------------------


def test_check_ok_prints_one_summary_line() -> None:
    result = run("check", "--data", SMALL)
    assert result.stdout == "ok: 3 sources, 5 entities, 19 claims, 3 conflicts\n"
    assert result.stderr == ""


def test_check_with_texts_verifies_quotes(tmp_path: Path) -> None:
    result = run("check", "--data", SMALL, "--texts", TEXTS)
    # the two sources that name no document are counted, never called verified
    assert result.stdout == (
        "ok: 3 sources, 5 entities, 19 claims, 3 conflicts; quotes verified: 9 claims (1 source); "
        "not verified: no text: 10 claims (2 sources)\n"
    )
    texts = tmp_path / "texts"
    shutil.copytree(TEXTS, texts)
    (texts / "alpha.txt").write_text((TEXTS / "alpha.txt").read_text().replace("'AI pods.'", "AI pods."))
    result = run("check", "--data", SMALL, "--texts", texts, code=1)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    # where the quote stops matching, with the differing characters named (our words)
    assert lines[0].startswith(
        "small/sources/alpha-news.yaml:55: quote: not found in alpha.txt: "
        "\"Reorganizing remaining staff into 'AI pods.'\"; matches up to "
    )
    assert "then the quote has" in lines[0] and lines[1:] == ["error: 1 problem(s) in the corpus"]


def test_check_broken_corpus_lists_every_problem(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    path = data / "sources" / "beta-blog.yaml"
    text = path.read_text()
    text = text.replace("entity: meta\n", "entity: metaa\n", 1).replace("    unit: employees\n", "", 1)
    path.write_text(text.replace("status: projected", "status: projectd"))
    result = run("check", "--data", data, code=1)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "data/sources/beta-blog.yaml:17: status: unknown value 'projectd'; expected one of confirmed, reported, "
        "estimated, projected, planned, possible, opinion, illustrative (did you mean 'projected'?)",
        "data/sources/beta-blog.yaml:24: value: value without unit (add unit: USD, employees, percent, ...)",
        "data/sources/beta-blog.yaml:8: entity: unknown entity 'metaa' (did you mean 'meta'?)",
        "error: 3 problem(s) in the corpus",
    ]


def test_check_missing_texts_folder_is_a_usage_error(tmp_path: Path) -> None:
    result = run("check", "--data", SMALL, "--texts", tmp_path / "nope", code=2)
    assert "does not exist" in result.stderr


# --- build ---------------------------------------------------------------------------------------


def test_build_then_up_to_date_then_full(db_path: Path) -> None:
    result = small("build", db=db_path)
    assert result.stdout.startswith(f"built {db_path}: 3 sources, 5 entities, 19 claims, 3 conflicts in ")
    assert db_path.is_file()
    assert small("build", db=db_path).stdout == f"{db_path}: up to date\n"
    assert small("build", "--full", db=db_path).stdout.startswith(f"built {db_path}: ")


def test_build_options_before_the_command(db_path: Path) -> None:
    result = run("--data", SMALL, "--db", db_path, "build")
    assert result.stdout.startswith(f"built {db_path}: 3 sources")


def test_build_a_broken_corpus_keeps_the_store(tmp_path: Path, db_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    run("build", "--data", data, "--db", db_path)
    before = db_path.read_bytes()
    (data / "topics.yaml").write_text((data / "topics.yaml").read_text().replace("order: 40", "order: forty"))
    result = run("build", "--data", data, "--db", db_path, code=1)
    assert result.stderr.splitlines() == [
        "data/topics.yaml:5: order: expected a whole number, got text",
        "error: the corpus has 1 problem(s); the last good store is kept (run `pivot check` for details)",
    ]
    assert db_path.read_bytes() == before


def test_default_store_comes_from_pivot_db(tmp_path: Path) -> None:
    result = run("build", "--data", SMALL)
    assert result.stdout.startswith(f"built {tmp_path / 'default-store.db'}: ")


# --- list, entities, sources ---------------------------------------------------------------------


def test_list_with_a_query(db_path: Path) -> None:
    result = small("list", "company:facebook", "is:conflict", db=db_path)
    out = result.stdout
    assert "Meta cuts about 10 % of its workforce" in out and "Meta may cut 20 % or more of its staff" in out
    # a projection against a report, and 600 (its period presumed) against 8,000: at odds
    assert "~10 % !" in out and "≥ 20 % !" in out and "8,000 employees !" in out
    assert "Microsoft" not in out
    assert out.rstrip().endswith("4 of 4 claims")
    assert "built" in result.stderr  # the store was built on first use


def test_list_limit(db_path: Path) -> None:
    assert small("list", "--limit", "3", db=db_path).stdout.rstrip().endswith("3 of 19 claims")


def test_entities_and_sources(db_path: Path) -> None:
    entities = small("entities", db=db_path).stdout
    assert "Meta Platforms" in entities and "Acme AI (composite)" in entities
    sources = small("sources", db=db_path).stdout
    for text in ("Big Tech Cuts Jobs to Fund AI", "Alpha News", "2026-04-25", "ai-assisted", "composite-examples"):
        assert text in sources


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("compnay:meta", "error: unknown key 'compnay' — did you mean 'company'?"),
        ("value>=lots", "error: 'value>=lots': 'lots' is not a number (examples: value>=80b, value<10k, value>=20%)"),
        ("company:nobody", "error: no company matches 'nobody'"),
    ],
)
@pytest.mark.parametrize("command", ["list", "export"])
def test_bad_query_exits_2_with_the_message(db_path: Path, command: str, query: str, message: str) -> None:
    result = small(command, query, db=db_path, code=2)
    assert result.stderr.splitlines()[-1] == message
    assert result.stdout == ""
    assert "Traceback" not in result.output


# --- export --------------------------------------------------------------------------------------


def md_table(text: str) -> tuple[list[str], list[list[str]]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    header, rows, section = [], [], None
    for i, tok in enumerate(tokens):
        if tok.type in ("thead_open", "tbody_open"):
            section = tok.type
        elif tok.type == "tr_open" and section == "tbody_open":
            rows.append([])
        elif tok.type == "inline" and tokens[i - 1].type in ("th_open", "td_open"):
            cell = "".join(c.content for c in tok.children if c.type == "text")
            (header if section == "thead_open" else rows[-1]).append(cell)
    return header, rows


def test_export_markdown_to_stdout_matches_the_golden_file(db_path: Path) -> None:
    result = small("export", "--format", "md", db=db_path)
    golden = (Path(__file__).parent / "golden" / "claims.md").read_text(encoding="utf-8")
    # the export's header line (query, date of export, corpus version) is the one part that changes
    lines = result.stdout.split("\n")
    assert lines[2].startswith("All claims · exported ") and " · corpus version " in lines[2]
    assert "\n".join(lines[:2] + lines[4:]) == golden


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_other_formats_match_the_golden_files(db_path: Path, fmt: str) -> None:
    result = small("export", "--format", fmt, db=db_path)
    assert result.stdout == (Path(__file__).parent / "golden" / f"claims.{fmt}").read_text(encoding="utf-8")


def test_export_json_with_a_query(db_path: Path) -> None:
    records = json.loads(small("export", "source:gamma value>=$1b", "--format", "json", db=db_path).stdout)
    assert [r["id"] for r in records] == ["gamma-meta-capex", "gamma-msft-capex"]
    assert records[1]["conflicts"] == ["alpha-msft-capex"]


def test_export_quotes(db_path: Path) -> None:
    out = small("export", "speaker:ives", "--quotes", db=db_path).stdout
    header, rows = md_table(out)
    assert header[-1] == "Quote" and len(rows) == 1
    assert "Daniel Ives, Wedbush Securities" in rows[0][-1]


def test_export_to_a_file_is_atomic_and_never_silently_overwrites(tmp_path: Path, db_path: Path) -> None:
    out = tmp_path / "meta.md"
    result = small("export", "company:meta", "-o", out, db=db_path)
    assert result.stdout == "" and f"wrote {out}" in result.stderr
    first = out.read_text(encoding="utf-8")
    assert first.startswith("# Claims: company:meta\n")
    _, rows = md_table(first)
    assert len(rows) == 10  # Meta and its event
    result = small("export", "company:microsoft", "-o", out, db=db_path, code=1)
    assert result.stderr.strip() == f"error: {out} already exists (use --force to overwrite)"
    assert out.read_text(encoding="utf-8") == first
    small("export", "company:microsoft", "-o", out, "--force", db=db_path)
    assert out.read_text(encoding="utf-8").startswith("# Claims: company:microsoft\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["meta.md", "store.db", "store.db.lock"]


def test_export_into_a_missing_folder_fails_cleanly(tmp_path: Path, db_path: Path) -> None:
    result = small("export", "-o", tmp_path / "no" / "x.md", db=db_path, code=1)
    assert result.stderr.strip().endswith("does not exist")


def test_export_meta_conflicts_on_the_bundled_corpus(db_path: Path) -> None:
    """The issue's "done": Meta's disputed figures, with their sources."""
    out = run("export", "company:meta is:conflict", "--format", "md", "--data", BUNDLED, "--db", db_path).stdout
    header, rows = md_table(out)
    assert header[:4] == ["#", "Entity", "Topic", "Claim"]
    # Meta and its events (the Rebalancing's table cell is on the 2026 "AI Rebalancing")
    assert rows and all(r[1].startswith(("Meta Platforms", "Meta's")) for r in rows)
    # every row says which sources contradict it (⚠) or are at odds with it (!)
    assert all(r[8].startswith(("⚠ [", "! [")) for r in rows)
    values = {r[4] for r in rows}
    assert values & {"~10 %", "10 %"} and "≥ 20 %" in values
    sources = out.split("## Sources", 1)[1]
    assert "Big Tech's AI Pivot: Meta and Microsoft Cut Jobs to Fund Infrastructure" in sources
    assert "The AI Rebalancing: Meta Braces for Sweeping Layoffs Amid Rising Infrastructure Costs" in sources
    assert "SynapNews" in sources and "ai-assisted" in sources


# --- compare -------------------------------------------------------------------------------------


def test_compare_markdown_matches_the_golden_file(db_path: Path) -> None:
    out = small("compare", "meta", "microsoft", "--format", "md", db=db_path).stdout
    assert out == (Path(__file__).parent / "golden" / "compare-meta-microsoft.md").read_text(encoding="utf-8")


def test_compare_by_alias_and_topic(db_path: Path) -> None:
    out = json.loads(small("compare", "facebook", "msft", "--topic", "ai-capex", "--format", "json", db=db_path).stdout)
    assert [e["id"] for e in out["entities"]] == ["meta", "microsoft"]
    assert [t["id"] for t in out["topics"]] == ["ai-capex"]


def test_compare_table(db_path: Path) -> None:
    out = small("compare", "meta", "microsoft", db=db_path).stdout
    for text in (
        "Meta Platforms vs Microsoft",
        "Job reductions",
        "Hiring",
        "! ≥ $80 B",  # a confirmed figure against a projection: at odds
        "$115–135 B",
        "Alpha News",
        "Gamma Research",
        "cells in conflict",
    ):
        assert text in out, text
    full = small("compare", "meta", "microsoft", "--full", db=db_path).stdout
    for text in ("Meta Platforms vs Microsoft", "⚠ sources disagree", "Alpha News", "Gamma Research"):
        assert text in full, text
    # one numbering: the full comparison numbers the sources as the headline grid does
    legend = re.compile(r"\[(\d+)\] (Alpha News|Gamma Research)")
    assert {m[2]: m[1] for m in legend.finditer(full)} == {m[2]: m[1] for m in legend.finditer(out)}


def test_compare_json_to_a_file(tmp_path: Path, db_path: Path) -> None:
    out = tmp_path / "cmp.json"
    small("compare", "meta", "microsoft", "--format", "json", "-o", out, db=db_path)
    assert out.read_text() == (Path(__file__).parent / "golden" / "compare-meta-microsoft.json").read_text()
    small("compare", "meta", "microsoft", "--format", "json", "-o", out, db=db_path, code=1)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["meta"], "error: compare needs at least two entities, e.g. pivot compare meta microsoft"),
        (["meta", "nobody"], "error: no entity matches 'nobody' (see `pivot entities`)"),
        (["meta", "m"], "error: 'm' matches several entities: big-tech, meta, meta-2023-cuts, microsoft"),
        (["meta", "microsoft", "--topic", "weather"], "error: no topic matches 'weather'"),
    ],
)
def test_compare_bad_arguments(db_path: Path, args: list[str], message: str) -> None:
    result = small("compare", *args, db=db_path, code=2)
    assert result.stderr.splitlines()[-1] == message


@pytest.mark.parametrize("fmt", ["md", "table", "json"])
def test_compare_meta_microsoft_on_the_bundled_corpus(db_path: Path, fmt: str) -> None:
    out = run("compare", "meta", "microsoft", "--format", fmt, "--data", BUNDLED, "--db", db_path).stdout
    for label in (
        "Job reductions",
        "AI infrastructure investment",
        "Restructuring approach",
        "Key motivation",
        "Workplace data collection",
    ):
        assert label in out
    if fmt == "json":
        data = json.loads(out)
        cuts = next(t for t in data["topics"] if t["id"] == "job-cuts")
        assert cuts["cells"]["meta"]["disputed"] is True
        pct = {
            (c["source"], c["bound"], c["value"] if not isinstance(c["value"], list) else tuple(c["value"]))
            for c in cuts["cells"]["meta"]["claims"]
            if c["metric"] == "workforce-cut-pct"
        }
        assert {("synapnews-ai-pivot", "approx", 10), ("synapnews-ai-pivot", "exact", 10)} & pct
        assert ("ai-rebalancing-meta-layoffs", "at-least", 20) in pct
        disputed = {c["id"] for c in cuts["cells"]["meta"]["claims"] if c["conflicts"]}
        assert any(
            c["source"] == "synapnews-ai-pivot" and c["value"] == 10 and c["id"] in disputed
            for c in cuts["cells"]["meta"]["claims"]
        )
    else:
        # a conflict either way: contradicted (two reports) or at odds (a projection against a report)
        assert ("⚠ 10 %" in out or "! 10 %" in out) and ("⚠ ≥ 20 %" in out or "! ≥ 20 %" in out) and "in conflict" in out


def test_compare_csv(db_path: Path) -> None:
    import csv
    import io

    out = small("compare", "meta", "microsoft", "--format", "csv", db=db_path).stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    # Meta with its event (the 2023 round), as the grid compares it
    assert len(rows) == 17 and {r["entity"] for r in rows} == {"meta", "meta-2023-cuts", "microsoft"}
    assert [r["topic"] for r in rows][:1] == ["job-cuts"]


def test_corpus_text_is_shown_literally_in_tables(tmp_path: Path, db_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    path = data / "sources" / "gamma-report.yaml"
    path.write_text(
        path.read_text().replace(
            "summary: Acme AI hires *prompt engineers* <on retainer>",
            'summary: "[bold red]Acme[/] hires \\x1b[2J engineers\\u202e"',
        )
    )
    out = run("list", "company:acme", "--data", data, "--db", db_path).stdout
    assert "[bold red]Acme[/] hires ␛[2J engineers<U+202E>" in out
    assert "\x1b" not in out and "\u202e" not in out
    out = run("compare", "acme", "meta", "--data", data, "--db", db_path).stdout
    assert "[bold red]Acme[/] hires ␛[2J engineers<U+202E>" in out


# --- hostile corpus text and queries ----------------------------------------------------------------


@pytest.mark.parametrize("text", ["'; drop table claims; --", "a" * 10_000, "company:" + "x" * 10_000, "🚀 שלום"])
def test_hostile_queries_on_the_command_line(hostile, text: str) -> None:
    data, db_path = hostile
    result = CliRunner().invoke(main, ["list", text, "--data", str(data), "--db", str(db_path)], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("error: ") and result.stdout == ""
    else:
        assert re.search(r"\d+ of \d+ claims?\s*$", result.stdout)
    assert count(db_path) == 2


LITERAL_MARKUP = ["[bold red]Acme[/]", "[link=file:///etc/passwd]Jobs[/link]", "[bold]not bold[/bold]"]


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["list"], LITERAL_MARKUP + ["[red]people", "[u]2026[/u]", "␛[2Jcleared␍ over", "Other ␍␇bell"]),
        (["entities"], ["[bold red]Acme[/]", "␛]8;;http://evil.example␛\\link", "Other ␍␇bell"]),
        (["sources"], ["[b]Evil[/b] *title* <script>alert(1)</script> ␛[1;31mT", "[i]Pub[/i] | pipe"]),
        (
            ["compare", "acme", "other"],
            ["[link=file:///etc/passwd]Jobs[/link]", "[i]Pub[/i] | pipe", "[bold red]Acme[/] ␛[31mRED"],
        ),
        (["compare", "acme", "other", "--full"], LITERAL_MARKUP + ["[i]Pub[/i] | pipe", "[bold red]Acme[/] ␛[31mRED"]),
    ],
    ids=["list", "entities", "sources", "compare-table", "compare-full"],
)
def test_markup_and_escapes_in_cli_tables_are_shown_literally(hostile, args: list[str], shown: list[str]) -> None:
    data, db_path = hostile
    out = cli(*args, "--data", data, "--db", db_path).stdout
    for text in shown:
        assert text in out, text
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["entities"],
        ["sources"],
        ["compare", "acme", "other"],
        ["export", "--quotes"],
        ["compare", "acme", "other", "--format", "md"],
    ],
    ids=["list", "entities", "sources", "compare-table", "export-md", "compare-md"],
)
def test_no_invisible_or_bidi_character_reaches_the_output(hostile, args: list[str]) -> None:
    """Bidi controls (U+202E, U+2066, U+061C), zero-width characters (U+200B, U+2060)
    and controls are shown as visible escapes, not passed to the terminal or the file."""
    data, db_path = hostile
    out = cli(*args, "--data", data, "--db", db_path).stdout
    assert unsafe_in(out) == []


@pytest.mark.parametrize("columns", [80, 120])
def test_piped_tables_at_80_columns_keep_the_claim_readable_and_name_every_source_id(db_path: Path, columns: int) -> None:
    """A pipe is 80 columns: the claim is the column that wraps, at least 20 cells wide, the
    others keep one line; `pivot sources` names each source's id whole (what source:ID takes)."""
    from click.testing import CliRunner

    from tui.cli import main
    from tui.query import build_filter
    from tui.store import db, open_readonly

    def cli80(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, "--data", str(SMALL), "--db", str(db_path)], env={"COLUMNS": str(columns)})
        assert result.exit_code == 0, result.output
        return result.stdout

    listed = cli80("list", "company:meta")
    assert all(len(line) <= columns for line in listed.splitlines())
    conn = open_readonly(db_path)
    first_words = {" ".join(r["summary"].split()[:2]) for r in db.page(conn, build_filter("company:meta", conn), 0, 50)}
    assert all(any(words in line for line in listed.splitlines()) for words in first_words)  # never one word a line
    sources = cli80("sources")
    assert all(s["id"] in sources for s in db.sources(conn, None, 50))
    conn.close()


def test_stdout_strips_ansi_escapes_only_from_a_text_that_has_them(capsys) -> None:
    """write_or_print to a pipe: click strips ANSI escapes from a text holding ESC; a text
    without one is written as it is (click's regex over a 2 MB report is skipped)."""
    from tui.cli.common import write_or_print

    write_or_print("a\x1b[31mred\x1b[0m b\n", None, False)
    assert capsys.readouterr().out == "ared b\n"
    write_or_print("| ● ━ ≥ 20 % |\n", None, False)
    assert capsys.readouterr().out == "| ● ━ ≥ 20 % |\n"
