"""An export follows the table's sort (issue 13): the explorer's export of the current filter
in the order `[` / `]` put it in, and `pivot export --sort`, both read in that order by SQL
over the whole result (streaming, never a sort of rows fetched), with the Markdown's source
numbers following the rows as written."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from textual.widgets import Input

from helpers import all_claims, cli
from pilot import settle
from test_export_fast import reference_csv, reference_json, reference_markdown
from tui.cli.queries import export as export_command
from tui.store import db, open_readonly
from tui.store.export import ExportInfo, Selection, md, stream_claims
from tui.widgets.claims_table import ClaimsTable


def _sorted_rows(conn, where: str, params: list, sort: tuple[str, bool]):
    order = db.SORT_KEYS[sort[0]][1 if sort[1] else 0]
    return conn.execute(
        f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE {where} ORDER BY {order}", params
    ).fetchall()


def _table_cells(text: str, column: str) -> list[str]:
    """The cells of one column of the first GFM table in text, as markdown-it-py reads them."""
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    header = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "th_open"]
    at = header.index(column)
    cells: list[str] = []
    row: list[str] = []
    for i, t in enumerate(tokens):
        if t.type == "tbody_open":
            row = []
        if t.type == "tr_open":
            row = []
        if t.type == "td_open":
            row.append(tokens[i + 1].content)
        if t.type == "tr_close" and row:
            cells.append(row[at])
    return cells


async def test_the_explorer_exports_the_filter_in_the_tables_sort(make_app, tmp_path: Path) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(ClaimsTable)
        while table.column_key != "value":
            await pilot.press("l")
        await pilot.press("right_square_bracket")  # descending by value, over the whole result
        await settle(pilot)
        assert table.sort == ("value", True)
        await pilot.press("e")
        await settle(pilot)
        target = tmp_path / "sorted.md"
        app.screen.query_one("#path", Input).value = str(target)
        await pilot.press("ctrl+s")
        await settle(pilot)
        total = app.main.result.total
    text = target.read_text(encoding="utf-8")
    conn = open_readonly(tmp_path / "store.db")
    try:
        want = _sorted_rows(conn, "1", [], ("value", True))
        store_order = all_claims(conn)
    finally:
        conn.close()
    claims = _table_cells(text, "Claim")
    assert len(claims) == total == len(want)
    assert claims == [md(r["summary"]) for r in want]
    assert claims != [md(r["summary"]) for r in store_order]  # the sort changed the order
    numbers = _table_cells(text, "Source")
    assert numbers[0] == "[1]"  # sources numbered as the sorted rows name them


@pytest.mark.parametrize("sort", [("value", True), ("value", False), ("summary", False), ("source", True), ("period", False)])
def test_a_sorted_export_is_the_bytes_of_its_reference_in_that_order(bundled_conn, sort) -> None:
    from tui.query import build_filter

    for query in ("", "company:meta"):
        flt = build_filter(query, bundled_conn)
        rows = _sorted_rows(bundled_conn, flt.where, flt.params, sort)
        sel = Selection(flt.where, tuple(flt.params), query, sort=sort)
        info = ExportInfo(query, "2026-01-02", None)
        for fmt, want in (
            ("json", reference_json(bundled_conn, rows)),
            ("csv", reference_csv(bundled_conn, rows)),
            ("md", reference_markdown(bundled_conn, rows, sel.title, info)),
        ):
            buf = io.StringIO()
            assert stream_claims(bundled_conn, buf, sel, fmt, info=info if fmt == "md" else None) == len(rows)
            assert buf.getvalue() == want, (query, sort, fmt)


def test_pivot_export_sort(tmp_path: Path, small_data: Path) -> None:
    run = ["export", "--data", small_data, "--db", tmp_path / "s.db"]  # in this process (the option, not the process)
    done = cli(*run, "--sort", "value", "--desc", "--format", "json")
    got = [r["id"] for r in json.loads(done.stdout)]
    conn = open_readonly(tmp_path / "s.db")
    try:
        assert got == [r["id"] for r in _sorted_rows(conn, "1", [], ("value", True))]
        ascending = [r["id"] for r in _sorted_rows(conn, "1", [], ("entity", False))]
    finally:
        conn.close()
    done = cli(*run, "--sort", "entity", "--format", "csv")
    assert [r["id"] for r in csv.DictReader(io.StringIO(done.stdout))] == ascending
    bad = cli(*run, "--sort", "nonsense", code=2)
    assert bad.exit_code == 2 and "nonsense" in bad.stderr


def test_the_cli_sorts_by_every_key_the_table_sorts_by() -> None:
    sort = next(p for p in export_command.params if p.name == "sort")
    assert sorted(sort.type.choices) == sorted(db.SORT_KEYS)
