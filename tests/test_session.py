"""The explorer's rules, without Textual (tui.session): the filter parsed once, terms toggled
and replaced, the selection and `u`, what `c` compares, the export's scopes, named views.

The screens only render these and pass keys to them; what only a screen can show (a tick
in the facets, a key's footer, a dialog) stays in the Pilot tests (test_app.py,
test_explorer_keys.py, test_compare.py)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tui.query import build_filter, parse
from tui.session import (
    UNDO_LIMIT,
    CompareTarget,
    Filter,
    Session,
    command_hint,
    frequency_term,
    is_command,
    picked_facets,
    resolve_named,
    selection_note,
    with_named,
    with_term,
)
from tui.state import View, Views
from tui.store import db
from tui.store.export import Selection

# --- the filter -------------------------------------------------------------------------------


def test_the_filter_is_parsed_once_when_set_and_keeps_a_bad_querys_message() -> None:
    flt = Filter()
    flt.set("company:facebook is:conflict layoffs")
    assert [(t.key, t.value, t.token) for t in flt.parsed.terms] == [
        ("company", "facebook", "company:facebook"),
        ("is", "conflict", "is:conflict"),
    ]
    assert flt.entities == ["facebook"] and flt.error is None
    flt.set("company:meta compnay:x")
    assert flt.error is not None and "did you mean 'company'" in flt.error
    assert flt.parsed.empty and flt.entities == []  # nothing of a bad query is acted on


def test_the_compiled_filter_keeps_what_was_parsed(small_conn: sqlite3.Connection) -> None:
    """The facets and the entity list read the Parsed the query compiled: no second parse."""
    flt = build_filter("-company:meta source:alpha", small_conn)
    assert [t.token for t in flt.parsed.terms] == ["-company:meta", "source:alpha"]


def test_generations_only_grow() -> None:
    flt = Filter()
    assert [flt.next_generation() for _ in range(3)] == [1, 2, 3] and flt.generation == 3


@pytest.mark.parametrize(
    ("text", "key", "value", "expected"),
    [
        ("company:meta", "is", "conflict", "company:meta is:conflict"),
        ("company:meta is:conflict", "is", "conflict", "company:meta"),
        ("source:alpha-news pods", "source", "alpha-news", "pods"),
        ("-source:alpha-news", "source", "alpha-news", "-source:alpha-news source:alpha-news"),
        ("", "topic", "AI infrastructure", 'topic:"AI infrastructure"'),
    ],
)
def test_toggling_a_term_adds_it_or_takes_it_out(text: str, key: str, value: str, expected: str) -> None:
    """The facets' enter, x (conflicts only) and the palette all toggle through this."""
    assert Filter(text).toggled(key, value) == expected


def test_replacing_a_term_keeps_the_rest_of_the_filter() -> None:
    """Choosing an entity replaces every company:/entity: term (put first); choosing a source
    every source: term (put last); negated ones go too."""
    flt = Filter('pods company:meta -entity:microsoft topic:"job cuts" source:x')
    assert flt.replaced(("company", "entity"), "company:acme-ai", first=True) == 'company:acme-ai pods topic:"job cuts" source:x'
    assert flt.replaced(("company", "entity"), None) == 'pods topic:"job cuts" source:x'
    assert (
        flt.replaced(("source",), "source:alpha-news") == 'pods company:meta -entity:microsoft topic:"job cuts" source:alpha-news'
    )


def test_unticking_a_facet_takes_out_the_terms_that_ticked_it(small_conn: sqlite3.Connection) -> None:
    """`source:alpha` (a prefix) and `company:facebook` (an alias) tick the facet values the
    store resolves them to; unticking takes out those terms as written, nothing else."""
    flt = Filter("source:alpha company:facebook -topic:job-cuts pods")
    picked = picked_facets(small_conn, flt.parsed, ("source", "topic", "status"))
    assert picked[("source", "alpha-news")] == ["source:alpha"]
    assert picked[("entity", "meta")] == ["company:facebook"]
    assert not any(k[0] == "topic" for k in picked)  # a negated term ticks nothing
    assert flt.without(picked[("source", "alpha-news")]) == "company:facebook -topic:job-cuts pods"


def test_enter_on_a_facet_unticks_what_ticked_it_else_toggles_its_term(small_conn: sqlite3.Connection) -> None:
    """The facet pane's enter (MainScreen asks Session.facet_toggled): a value ticked by a
    term as typed loses that term; an unticked value, or one no term ticks, toggles `facet:value`."""
    session = Session(text="source:alpha pods")
    picked = picked_facets(small_conn, session.filter.parsed, ("source", "status"))
    assert session.facet_toggled("source", "Alpha-News", picked) == "pods"  # the typed prefix goes
    assert session.facet_toggled("status", "reported", picked) == "source:alpha pods status:reported"
    session.filter.set("source:alpha pods status:reported")
    picked = picked_facets(small_conn, session.filter.parsed, ("source", "status"))
    assert session.facet_toggled("status", "reported", picked) == "source:alpha pods"


def test_a_query_is_kept_when_submitted_or_left_matching_never_a_stray_key_or_a_command(tmp_path: Path) -> None:
    """What the query bar's enter and leaving the bar keep in the history (MainScreen asks
    Session.keep_query; Pilot: test_explorer_keys.py::test_the_query_history_is_kept_between_runs)."""
    from tui.state import History

    session = Session(history=History(tmp_path / "history"))
    assert session.keep_query("company:meta")  # enter
    assert not session.keep_query("company:meta compnay:x", refused=True)  # enter on a refused query
    session.filter.set("company:meta compnay:x")
    assert not session.keep_query("company:meta compnay:x")  # the parser's message: refused too
    assert session.keep_query("pods", matched=True)  # left in the bar, matching claims
    assert not session.keep_query("qzxq", matched=False)  # a stray key that matches nothing
    assert not session.keep_query(":w big") and not session.keep_query("@big") and not session.keep_query("  ")
    assert History(tmp_path / "history").entries == ["company:meta", "pods"]  # kept between runs


# --- the selection and undo --------------------------------------------------------------------


def test_undo_brings_back_a_facet_change_and_a_selection() -> None:
    """Moved here from test_explorer_keys.py: `u` undoes the last change, the selection's
    first, then the filter's (the bar shows the text undo returns)."""
    session = Session(text="company:meta")
    session.remember()  # set_query remembers the filter before it changes
    session.filter.set("company:meta is:conflict")
    assert session.toggle_selected("alpha-meta-cut-pct") and len(session.selection) == 1
    state = session.undo()
    assert state is not None and not session.selection
    assert state.text == "company:meta is:conflict"  # the filter stays: only the selection changed
    state = session.undo()
    assert state is not None and state.text == "company:meta"
    assert session.undo() is None  # nothing left to undo


def test_select_all_and_clearing_are_each_one_step_of_undo() -> None:
    session = Session()
    session.select(["a", "b", "c"])
    assert session.clear_selection() and not session.selection
    assert not session.clear_selection()  # nothing selected: nothing remembered
    state = session.undo()
    assert state is not None and list(session.selection) == ["a", "b", "c"]
    session.undo()
    assert not session.selection


def test_undo_keeps_the_latest_hundred_states_and_skips_repeats() -> None:
    session = Session()
    for i in range(UNDO_LIMIT + 20):
        session.remember(f"q{i}")
        session.remember(f"q{i}")  # the same state twice is kept once
    assert len(session.undo_stack.stack) == UNDO_LIMIT
    assert session.undo_stack.stack[0].text == "q20"


def test_the_selection_survives_a_change_of_filter() -> None:
    session = Session(text="company:meta")
    session.toggle_selected("x")
    session.filter.set("company:microsoft")
    assert "x" in session.selection and session.selection.ids == frozenset({"x"})


# --- what c compares ---------------------------------------------------------------------------


def test_y_takes_the_selection_else_the_highlighted_claim_and_says_which() -> None:
    session = Session()
    scope = session.copy_scope("c1")
    assert scope is not None and scope.ids == ("c1",) and not scope.selected
    assert scope.describe() == "the highlighted claim as Markdown rows"
    assert session.copy_scope(None) is None  # nothing highlighted, nothing selected: nothing to copy
    session.toggle_selected("c2")
    session.toggle_selected("c3")
    scope = session.copy_scope("c1", hidden=1)
    assert scope is not None and scope.ids == ("c2", "c3") and scope.selected
    assert scope.describe(header=True) == "2 selected claims as a Markdown table (1 hidden by the filter)"


def test_ctrl_l_says_the_selection_is_kept() -> None:
    session = Session(text="company:meta")
    assert session.filter_cleared_note() == "Filter cleared (u undoes)"
    session.toggle_selected("a")
    assert session.filter_cleared_note() == "Filter cleared (u undoes); 1 claim still selected (A unselects)"
    session.select(["b", "c"])
    assert session.filter_cleared_note().endswith("; 3 claims still selected (A unselects)")


def test_the_status_line_says_how_much_of_the_selection_the_filter_hides() -> None:
    assert selection_note(0, 0) == "none selected"
    assert selection_note(3, None) == "3 selected"  # while it is counted
    assert selection_note(3, 0) == "3 selected"
    assert selection_note(3, 2) == "3 selected, 2 hidden by the filter"
    assert selection_note(3, 3) == "3 selected, all hidden by the filter"


def test_the_store_counts_the_selected_claims_a_filter_hides(small_conn: sqlite3.Connection) -> None:
    session = Session()
    every = db.claim_ids(small_conn, build_filter("", small_conn), 1000)
    on_meta = db.claim_ids(small_conn, build_filter("company:meta", small_conn), 1000)
    others = sorted(set(every) - set(on_meta))
    assert on_meta and others
    session.select([on_meta[0], others[0], others[-1]])
    assert session.hidden_selected(small_conn, build_filter("company:meta", small_conn)) == len({others[0], others[-1]})
    assert session.hidden_selected(small_conn, build_filter("", small_conn)) == 0
    session.clear_selection()
    assert session.hidden_selected(small_conn, build_filter("company:meta", small_conn)) == 0


def test_c_compares_the_entities_the_filter_names_else_the_last_picks_at_the_last_cell() -> None:
    session = Session()
    session.compare.picks, session.compare.cursor = ["meta", "microsoft"], (3, 1)
    assert session.compare_target() == CompareTarget(("meta", "microsoft"), (), (3, 1))
    session.filter.set("company:amazon company:alphabet -company:meta is:numeric")
    assert session.compare_target() == CompareTarget(("meta", "microsoft"), ("amazon", "alphabet"))
    assert session.compare_target(("a", "b")) == CompareTarget(("a", "b"))  # the palette's presets
    # back from a compare cell's claims: the same picks, at that cell
    session.drill_down("company:meta topic:job-cuts")
    session.filter.set("company:meta topic:job-cuts")
    assert session.compare_target() == CompareTarget(("meta", "microsoft"), (), (3, 1))


def test_a_filter_naming_entities_is_compared(small_conn: sqlite3.Connection) -> None:
    """Moved here from test_compare.py's Pilot test (which keeps the picker): two entities
    named are compared together; one is compared with those compared before it."""
    assert resolve_named(small_conn, ["msft", "facebook", "meta"]) == ["microsoft", "meta"]
    assert with_named(["microsoft", "meta"], ["meta", "microsoft", "acme-ai"]) == ["microsoft", "meta"]
    assert with_named(["microsoft"], ["amazon", "alphabet"]) == ["microsoft", "amazon"]
    assert with_named(["microsoft"], ["meta", "microsoft", "acme-ai"]) == ["microsoft", "meta", "acme-ai"]
    assert with_named(["acme-ai"], ["meta"]) == ["acme-ai", "meta"]
    assert with_named([], ["meta", "microsoft"]) == ["meta", "microsoft"]  # a name that matches nothing


def test_the_first_picks_are_the_most_covered_companies(small_conn: sqlite3.Connection) -> None:
    """No entity id is written in the code: the comparison opens on the corpus's two
    most-covered companies, and the palette's presets come from the same order."""
    assert db.most_covered(small_conn, 2) == ["meta", "microsoft"]
    assert db.most_covered(small_conn, 5) == ["meta", "microsoft", "acme-ai"]  # companies only
    from tui.commands import compare_presets

    presets = compare_presets(db.entities(small_conn))
    assert [(name, ids) for name, ids, _ in presets] == [
        ("compare: Meta Platforms vs Microsoft", ("meta", "microsoft")),
        ("compare: Meta Platforms, Microsoft and Acme AI (composite)", ("meta", "microsoft", "acme-ai")),
    ]  # meta has one event: no events preset


# --- export scopes -----------------------------------------------------------------------------


def test_the_export_opens_on_the_comparison_else_the_selection_else_the_filter() -> None:
    session = Session()
    query = Selection("claims.entity = ?", ("meta",), "company:meta")
    scopes = session.export_scopes(query, 10)
    assert scopes.counts == {"filter": 10} and scopes.default == "filter"
    assert scopes.selection("filter") is query and scopes.stem("filter") == "pivot-company-meta"
    session.select(["b", "a"])
    scopes = session.export_scopes(query, 10)
    assert scopes.counts == {"selected": 2, "filter": 10} and scopes.default == "selected"
    assert scopes.selection("selected").ids == ("a", "b") and scopes.stem("selected") == "pivot-selection"
    scopes = session.export_scopes(query, 10, ["meta", "microsoft"])
    assert scopes.default == "comparison" and scopes.counts["comparison"] == 2
    assert scopes.stem("comparison") == "pivot-meta-vs-microsoft"


# --- named views -------------------------------------------------------------------------------


def test_a_view_is_one_line_and_reads_back() -> None:
    view = View("meta-cuts", "company:meta  is:conflict", ("value", True), ("meta", "microsoft"))
    assert view.line() == "meta-cuts company:meta is:conflict | sort:value:desc | compare:meta,microsoft"
    assert View.parse(view.line()) == View("meta-cuts", "company:meta is:conflict", ("value", True), ("meta", "microsoft"))
    assert View.parse("plain") == View("plain")
    assert View.parse("x a | b") == View("x", "a | b")  # a bar that is not an option is the filter's
    with pytest.raises(ValueError, match="name"):
        View.parse("-bad q")
    with pytest.raises(ValueError, match="sort:COLUMN"):
        View.parse("v q | sort:value:up")


def test_views_are_kept_beside_the_history_between_runs(tmp_path: Path) -> None:
    path = tmp_path / "state" / "views"
    session = Session(text="company:meta", views=Views(path))
    session.filter.sort = ("period", False)
    session.compare.picks = ["meta", "microsoft"]
    session.save_view("meta")
    session.filter.set("is:conflict")
    session.save_view("meta")  # the same name again replaces it
    session.save_view("all")
    path.write_text(path.read_text(encoding="utf-8") + "?? not a view\n", encoding="utf-8")
    again = Views(path)
    assert list(again.views) == ["meta", "all"]
    view = again.get("meta")
    assert view == View("meta", "is:conflict", ("period", False), ("meta", "microsoft"))
    other = Session()
    assert other.open_view(view) == "is:conflict"
    assert other.filter.sort == ("period", False) and other.compare.picks == ["meta", "microsoft"]
    assert again.remove("all") and not again.remove("all")
    assert list(Views(path).views) == ["meta"]


def test_an_unwritable_views_folder_is_not_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    views = Views(blocker / "views")  # a folder under a file: never writable
    views.save(View("v", "q"))
    assert views.get("v") == View("v", "q")  # kept while the explorer runs


def test_views_that_are_not_a_file_are_kept_for_the_run_only(tmp_path: Path) -> None:
    """As the history (test_explorer_faults.py): a FIFO in the views' place is neither read
    (it would block the explorer) nor replaced."""
    fifo = tmp_path / "views"
    os.mkfifo(fifo)
    views = Views(fifo)
    assert views.problem is not None and "a FIFO" in views.problem
    views.save(View("v", "q"))
    assert views.get("v") == View("v", "q") and fifo.is_fifo() and not (tmp_path / "views.tmp").exists()


def test_parse_is_what_the_session_uses() -> None:
    """The session's Parsed is the filter language's own (one parser for the CLI and the UI)."""
    assert Filter("value>=10% -pods").parsed == parse("value>=10% -pods")


# --- the query bar's commands: named views ------------------------------------------------------


def test_w_saves_the_filter_sort_and_picks_and_at_opens_them(tmp_path: Path) -> None:
    views = Views(tmp_path / "views")
    session = Session(text="company:meta is:conflict", views=views)
    session.filter.sort = ("value", True)
    session.compare.picks = ["meta", "microsoft"]
    assert is_command(":w meta-cuts") and is_command("@meta-cuts") and not is_command("company:meta")
    done = session.command(":w meta-cuts")
    assert not done.error and done.text is None  # the filter stays as it is
    assert (tmp_path / "views").read_text(encoding="utf-8") == (
        "meta-cuts company:meta is:conflict | sort:value:desc | compare:meta,microsoft\n"
    )
    other = Session(text="", views=Views(tmp_path / "views"))  # another run
    opened = other.command("@meta-cuts")
    assert opened.text == "company:meta is:conflict" and other.filter.sort == ("value", True)
    assert other.compare.picks == ["meta", "microsoft"]


def test_a_pasted_view_line_is_saved_and_opened(tmp_path: Path) -> None:
    session = Session(views=Views(tmp_path / "views"))
    line = "ms-ai company:microsoft topic:ai-infrastructure | sort:value"
    done = session.command(":w " + line)
    assert not done.error and done.text == "company:microsoft topic:ai-infrastructure"
    assert session.filter.sort == ("value", False) and Views(tmp_path / "views").get("ms-ai") == View.parse(line)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("@nothing", "no view named “nothing”"),
        (":w", ":w NAME saves"),
        (":w bad/name", "a view's name is"),
        (":x", "not a command"),
    ],
)
def test_a_command_that_cannot_run_says_why_and_changes_nothing(tmp_path: Path, text: str, says: str) -> None:
    session = Session(text="company:meta", views=Views(tmp_path / "views"))
    done = session.command(text)
    assert done.error and says in done.message and done.text is None
    assert session.filter.text == "company:meta" and not (tmp_path / "views").exists()
    assert command_hint(text)  # what enter would do is said while it is typed


# --- the frequency of a column (F) ------------------------------------------------------------


def test_a_frequency_line_is_one_filter_term(small_conn: sqlite3.Connection) -> None:
    from tui.store.db import Frequency, frequency

    assert frequency_term("source", Frequency("alpha-news", "Alpha News", 3)) == "source:alpha-news"
    assert frequency_term("topic", Frequency("AI infrastructure", "AI", 3)) == 'topic:"AI infrastructure"'
    assert frequency_term("period", Frequency(None, "(none)", 3)) is None  # no term picks a missing period
    assert frequency_term("value", Frequency(None, "≥ 20 %", 1, 20.0, 20.0, "percent")) == "value=20%"
    assert frequency_term("value", Frequency(None, "$115–135 B", 1, 115e9, 135e9, "USD")) == (
        "value>=$115000000000 value<=$135000000000"
    )
    assert frequency_term("value", Frequency(None, "8,000 employees", 1, 8000.0, 8000.0, "employees")) == (
        "value=8000 unit:employees"
    )
    assert with_term("company:meta", "status:reported") == "company:meta status:reported"
    assert with_term("company:meta status:reported", "status:reported") == "company:meta status:reported"
    # every line of every column, as a term, keeps the claims it counted (or more, for a figure)
    for column in ("source", "entity", "topic", "status", "period", "flag", "value"):
        lines, _ = frequency(small_conn, build_filter("", small_conn), column)
        for line in lines:
            term = frequency_term(column, line)
            if term is None:
                continue
            n = db.count_matches(small_conn, build_filter(term, small_conn), None)[0]
            assert n == line.count if column != "value" else n >= line.count, (column, term)
