# Long because the grid is one thing read three ways: its records, the SQL that reads them a
# screen first (skeleton, head, fill) or whole (headline), and the words every face of it
# prints (the grid, `v`, the Markdown export), which must stay one so that they never differ.
"""The comparison as a headline grid: rows are topics and, within a topic, the quantities
the entities have figures for; columns are entities; each cell holds the distinct figures
(figures that state the same thing merged, with all their sources) and the statements.

Every cell is summarised by SQL over all of its claims (GROUP BY the figure), never from
a page of them, so a cell of 100,000 claims costs one grouped scan of an index range and
its markers and the disputed-cells count are those of the whole cell. The relation marks
come from the agreement model (the `relation` each claim stores), never a second rule.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .agreement import _COMPATIBLE, CONFLICT_SUMMARIES, SUMMARY_MARK, _bound_class
from .fmt import format_value

FIGURES_SHOWN = 6  # distinct figures per cell and quantity; the rest are counted
STATEMENTS_READ = 8  # statements (qualitative claims) read per cell for the headline: its table cells first
SOURCE_MARKS = 4  # source numbers shown beside one figure; the rest are counted
SCAN_LIMIT = 200  # statements of a cell looked at (in store order) when choosing its lead ones, beside its table cells


@dataclass
class FigureItem:
    """One distinct figure in a cell: every claim of the entity that states it."""

    text: str  # value with bound, e.g. "~10 %"
    period: str | None
    sources: list[str]  # source ids, most claims first
    source_total: int
    claims: int
    relation: str | None  # the strongest summary among its claims: disputed / at-odds / revised / differs / corroborated
    low: float = 0.0
    high: float = 0.0
    bound: str = "exact"
    unit: str | None = None  # as the claims write it
    presumed: bool = False  # no claim states the period: it is presumed from the sources' dates
    scope: str | None = None  # the article's words that qualify it ("of its US workforce"), when its claims agree on them


@dataclass
class _Counts:
    figures: int = 0  # numeric claims
    statements: int = 0
    conflict: bool = False


@dataclass
class GridCell:
    figures: list[FigureItem] = field(default_factory=list)
    more_figures: int = 0  # distinct figures not listed
    statements: list[str] = field(default_factory=list)  # the shortest summaries first
    statement_total: int = 0
    disputed: bool = False  # some claim of the cell is in conflict with another source's (is:conflict)
    tables: list[bool] = field(default_factory=list)  # per statement: a cell of its article's own table


@dataclass
class GridRow:
    topic: str
    topic_label: str
    metric: str | None = None  # None: the topic's heading row (its statements)
    unit: str | None = None

    shown_unit: bool = False  # the metric is in the grid with more than one unit: say which
    registry_label: str | None = None  # the quantity's label in metrics.yaml

    @property
    def label(self) -> str:
        if self.metric is None:
            return self.topic_label
        if self.registry_label is None:
            from .metrics import fallback_label  # (the registry's module reads YAML: imported when first needed)

        name = self.registry_label or fallback_label(self.metric)
        return name + (f" ({self.unit})" if self.shown_unit and self.unit else "")

    @property
    def key(self) -> tuple[str, str | None, str | None]:
        return (self.topic, self.metric, self.unit)


# the summaries a figure can carry in the grid, strongest first, and the column that says so
RANK = {"disputed": 0, "at-odds": 1, "revised": 2, "differs": 3, "corroborated": 4, None: 5}
_FLAG = {"disputed": "disputed", "at-odds": "odds", "revised": "revised", "differs": "differs", "corroborated": "corroborated"}

RowKey = tuple[str, "str | None", "str | None"]  # (topic, metric, unit): None metric is the topic's row


@dataclass
class Grid:
    entities: list[sqlite3.Row]
    rows: list[GridRow]
    cells: dict[tuple[RowKey, str], GridCell]  # (row key, entity id) -> cell
    sources: dict[str, int]  # source id -> number, in the order they first appear
    source_labels: dict[str, str]
    periods_differ: set[RowKey]  # row keys whose figures are for more than one period
    counts: dict[tuple[RowKey, str], _Counts] = field(default_factory=dict)  # what every cell holds (the skeleton)
    filled: set[RowKey] = field(default_factory=set)  # rows whose cells are computed (`fill`)
    periods_seen: dict[RowKey, set[str | None]] = field(default_factory=dict)
    whole: bool = True  # every row is here (`head` reads the first screen's first)

    def copy(self) -> Grid:
        """Another grid with the same rows and the cells filled so far, to fill on."""
        return Grid(
            self.entities,
            self.rows,
            dict(self.cells),
            dict(self.sources),
            dict(self.source_labels),
            set(self.periods_differ),
            self.counts,
            set(self.filled),
            {k: set(v) for k, v in self.periods_seen.items()},
            self.whole,
        )

    def take(self, first: Grid) -> bool:
        """The cells `head` filled (`first`: this grid's first rows), numbered as read; False
        (nothing taken) when `first` is not this grid's beginning (the store was rebuilt
        between the two reads)."""
        if [r.key for r in first.rows] != [r.key for r in self.rows[: len(first.rows)]]:
            return False
        self.cells.update(first.cells)
        self.sources.update(first.sources)
        self.source_labels.update(first.source_labels)
        self.periods_differ |= first.periods_differ
        self.filled |= first.filled
        for k, v in first.periods_seen.items():
            self.periods_seen.setdefault(k, set()).update(v)
        return True

    def cell(self, row: GridRow, entity_id: str) -> GridCell | None:
        return self.cells.get((row.key, entity_id))

    @property
    def disputed_cells(self) -> int:
        """Cells (topic, entity) with a claim in conflict with another source's (known from
        the skeleton, before the cells are filled)."""
        return len({(rk[0], e) for (rk, e), c in self.counts.items() if c.conflict})

    def marks(self, item: FigureItem) -> str:
        shown = " ".join(f"[{self.sources[s]}]" for s in item.sources[:SOURCE_MARKS] if s in self.sources)
        extra = item.source_total - min(len(item.sources), SOURCE_MARKS)
        return shown + (f" +{extra}" if extra > 0 else "")


def _scope(e: sqlite3.Row) -> tuple[str, str]:
    """An event is compared as itself; a company (or group) with its events."""
    return ("entity", e["id"]) if e["kind"] == "event" else ("qentity", e["id"])


# The grid's skeleton: per entity, the (topic, metric, unit) rows it has claims for, with
# their counts and whether one is in conflict, read from one covering index (claims_grid,
# store/schema.py) without touching a claim's row: at a million claims a few milliseconds.
_SKELETON_SQL = (
    "SELECT topic, metric, qunit, count(*) AS n, count(value_low) AS numeric, "
    "max(standing IN ('disputed', 'at-odds')) AS conflict, "
    "max(value_low IS NOT NULL AND standing IN ('disputed', 'at-odds')) AS figure_conflict "
    "FROM claims WHERE {column} = ? {topic}AND draft = 0 GROUP BY topic, metric, qunit"
)

# One quantity's figures for one entity: its claims grouped by figure (an index range of the
# (qentity, metric, qunit) index), never the entity's whole corpus.
# (grouped in the index's order, a stated and a presumed period apart: merged below). Only the
# FIGURES_READ largest groups come back to Python, with the number of distinct figures (by
# period and value) of the whole cell: a cell of 100,000 claims is one scan of an index range.
FIGURES_READ = 24
_FIGURES_SQL = (
    "WITH g AS MATERIALIZED (SELECT max(unit) AS unit, qperiod, presumed_period, value_low, value_high, bound, "
    "count(*) AS n, count(DISTINCT source) AS n_sources, "
    "CASE WHEN count(*) <= 50 THEN group_concat(DISTINCT source) END AS srcs, min(source) AS first_source, "
    "max(relation = 'disputed') AS disputed, max(relation = 'at-odds') AS odds, max(relation = 'revised') AS revised, "
    "max(relation = 'differs') AS differs, max(relation = 'corroborated') AS corroborated, "
    "CASE WHEN count(scope) = count(*) THEN group_concat(DISTINCT scope) END AS scopes "
    "FROM claims WHERE {column} = ? AND topic = ? AND metric = ? AND qunit IS ? AND value_low IS NOT NULL AND draft = 0 "
    "GROUP BY value_low, value_high, bound, qperiod, presumed_period) "
    "SELECT *, (SELECT count(*) FROM (SELECT DISTINCT value_low, value_high, coalesce(qperiod, presumed_period) FROM g)) "
    "AS figures FROM g ORDER BY n DESC, value_low LIMIT {limit}"
)

# A topic's lead statements: what they say about the row before commentary. A cell of the
# article's own table first (`table` in the corpus: the table's row names what the row is
# about), then a position other sources oppose (a disagreement in words is one to see), then
# reports and plans before opinions, a stated period before none (the later period first),
# then the shorter. The first SCAN_LIMIT statements of the cell (by store order) are looked at,
# and every table cell of it (a partial index holds only those).
_COMMENTARY = "('opinion', 'illustrative', 'speculative')"
_STATEMENTS_SQL = (
    "SELECT summary, opposed, table_row FROM ("
    "SELECT summary, position_relation = 'disputed' AS opposed, table_row, status, period, rowid FROM claims "
    "WHERE {column} = ? AND topic = ? AND value_low IS NULL AND draft = 0 AND table_row IS NOT NULL "
    "UNION SELECT * FROM (SELECT summary, position_relation = 'disputed', table_row, status, period, rowid FROM claims "
    "WHERE {column} = ? AND topic = ? AND value_low IS NULL AND draft = 0 ORDER BY rowid LIMIT ?)) "
    f"ORDER BY table_row IS NULL, opposed DESC, status IN {_COMMENTARY}, period IS NULL, period DESC, "
    "length(summary), summary LIMIT ?"
)


def skeleton(conn: sqlite3.Connection, entity_ids: list[str], topic_ids: list[str] | None = None) -> Grid:
    """The grid's rows and what each cell counts, its cells not yet filled (`fill`)."""
    ents = _entities(conn, entity_ids)
    topics = _topics(conn, topic_ids)
    grid = Grid(ents, [], {}, {}, {}, set())
    labels = metric_labels(conn)
    metrics_of_topic = _count(conn, grid, None)
    for t in topics:
        grid.rows += _topic_rows(grid, t, metrics_of_topic.get(t["id"], set()), labels)
    return grid


def head(conn: sqlite3.Connection, entity_ids: list[str], enough: Callable[[Grid], bool]) -> Grid:
    """The grid's first rows, read topic by topic (an index range each) and filled row by
    row until `enough(grid)` says they fill the screen: the first screen of a grid of two
    entities of 100,000 claims each without counting the rest. `whole` says whether every
    topic was read; if not, `skeleton` gives the rest, and `Grid.take` the cells read here."""
    ents = _entities(conn, entity_ids)
    grid = Grid(ents, [], {}, {}, {}, set(), whole=False)
    labels = metric_labels(conn)
    for t in _topics(conn, None):
        rows = _topic_rows(grid, t, _count(conn, grid, t["id"]).get(t["id"], set()), labels)
        grid.rows += rows
        for row in rows:
            fill(conn, grid, [row])
            if enough(grid):
                return grid
    grid.whole = True
    return grid


def metric_labels(conn: sqlite3.Connection) -> dict[str, str]:
    from . import metrics  # imported when first needed: it brings the YAML reader, which the grid never uses

    return metrics.metric_labels(conn)


def _entities(conn: sqlite3.Connection, entity_ids: list[str]) -> list[sqlite3.Row]:
    return [r for r in (conn.execute("SELECT * FROM entities WHERE id = ?", (i,)).fetchone() for i in entity_ids) if r]


def _topics(conn: sqlite3.Connection, topic_ids: list[str] | None) -> list[sqlite3.Row]:
    topics: list[sqlite3.Row] = conn.execute('SELECT id, label, "order" FROM topics ORDER BY "order", id').fetchall()
    return [t for t in topics if t["id"] in topic_ids] if topic_ids else topics


def _count(conn: sqlite3.Connection, grid: Grid, topic: str | None) -> dict[str, set[tuple[str, str | None]]]:
    """Count the cells of every topic (`topic` None) or of one into grid.counts; the
    (metric, unit) pairs each topic has figures for."""
    metrics_of_topic: dict[str, set[tuple[str, str | None]]] = {}
    counts = grid.counts
    for e in grid.entities:
        column, value = _scope(e)
        if topic is None:
            found = conn.execute(_SKELETON_SQL.format(column=column, topic=""), (value,))
        else:
            found = conn.execute(_SKELETON_SQL.format(column=column, topic="AND topic = ? "), (value, topic))
        for r in found:
            words = r["n"] - r["numeric"]
            if words:  # statements (a claim with no figure, whatever its metric)
                c = counts.setdefault(((r["topic"], None, None), e["id"]), _Counts())
                c.statements += words
                c.conflict = c.conflict or bool(r["conflict"] and not r["figure_conflict"])
            if r["numeric"] and r["metric"] is not None:
                metrics_of_topic.setdefault(r["topic"], set()).add((r["metric"], r["qunit"]))
                c = counts.setdefault(((r["topic"], r["metric"], r["qunit"]), e["id"]), _Counts())
                c.figures += r["numeric"]
                c.conflict = c.conflict or bool(r["figure_conflict"])
    return metrics_of_topic


def _topic_rows(grid: Grid, t: sqlite3.Row, metrics: set[tuple[str, str | None]], labels: dict[str, str]) -> list[GridRow]:
    """A topic's rows: its heading, then a row per (metric, unit) with figures (none when
    no entity has a claim of the topic)."""
    heading = GridRow(t["id"], t["label"])
    pairs = sorted(metrics, key=lambda x: (x[0], x[1] or ""))
    twice = {m for m, _ in pairs if sum(1 for x, _ in pairs if x == m) > 1}
    subs = [GridRow(t["id"], t["label"], m, u, m in twice, labels.get(m)) for m, u in pairs]
    if subs or any((heading.key, e["id"]) in grid.counts for e in grid.entities):
        return [heading, *subs]
    return []


def fill(conn: sqlite3.Connection, grid: Grid, rows: list[GridRow]) -> None:
    """Compute the cells of `rows` (in order: sources are numbered as they first appear)."""
    new_sources: list[str] = []
    for row in rows:
        if row.key in grid.filled:
            continue
        grid.filled.add(row.key)
        for e in grid.entities:
            counted = grid.counts.get((row.key, e["id"]))
            if counted is None:
                continue
            column, value = _scope(e)
            if row.metric is None:
                cell = _statements_cell(conn, column, value, row.topic, counted)
            else:
                cell, periods = _figures_cell(conn, column, value, row)
                grid.periods_seen.setdefault(row.key, set()).update(periods)
                if len(grid.periods_seen[row.key]) > 1 or None in grid.periods_seen[row.key]:
                    grid.periods_differ.add(row.key)
            cell.disputed = counted.conflict
            grid.cells[(row.key, e["id"])] = cell
            for item in cell.figures:
                for s in item.sources[:SOURCE_MARKS]:
                    if s not in grid.sources:
                        grid.sources[s] = len(grid.sources) + 1
                        new_sources.append(s)
    for sid in new_sources:  # a look-up each (a long IN list is read as a scan of the sources)
        found = conn.execute("SELECT coalesce(publisher, title) FROM sources WHERE id = ?", (sid,)).fetchone()
        if found is not None:
            grid.source_labels[sid] = found[0]


def _figures_cell(conn: sqlite3.Connection, column: str, value: str, row: GridRow) -> tuple[GridCell, set[str | None]]:
    items: list[FigureItem] = []
    by_value: dict[tuple[str | None, float, float], list[FigureItem]] = {}
    periods: set[str | None] = set()
    sql = _FIGURES_SQL.format(column=column, limit=FIGURES_READ)
    figures = 0
    merged: dict[tuple[str | None, float, float, str], dict[str, Any]] = {}
    for r in conn.execute(sql, (value, row.topic, row.metric, row.unit)):  # a stated and a presumed period as one
        figures = r["figures"]
        period = r["qperiod"] if r["qperiod"] is not None else r["presumed_period"]
        key = (period, r["value_low"], r["value_high"], r["bound"])
        got = merged.get(key)
        if got is None:
            merged[key] = dict(r, qperiod=period, presumed=r["qperiod"] is None, scope=_one_scope(*_scopes(r["scopes"])))
            continue
        got["presumed"] = got["presumed"] and r["qperiod"] is None
        got["srcs"] = ",".join(dict.fromkeys((got["srcs"] or "").split(",") + (r["srcs"] or "").split(","))).strip(",") or None
        if r["srcs"] is None or got["n"] + r["n"] > 50:
            got["srcs"] = None
        got["n"] += r["n"]
        # whole lists for small groups; for large ones a sum (a source may state it both ways)
        got["n_sources"] = len(got["srcs"].split(",")) if got["srcs"] else got["n_sources"] + r["n_sources"]
        got["first_source"] = min(got["first_source"], r["first_source"])
        got["unit"] = max(got["unit"] or "", r["unit"] or "") or None
        got["scope"] = _one_scope(got["scope"], *_scopes(r["scopes"]))
        for flag in _FLAG.values():
            got[flag] = max(got[flag], r[flag])
    for g in sorted(merged.values(), key=lambda g: -g["n"]):
        periods.add(g["qperiod"])
        srcs = g["srcs"].split(",") if g["srcs"] else [g["first_source"]]
        relation = next((r for r in RANK if r and g[_FLAG[r]]), None)
        # the same figure said with a bound that does not pull apart: found by its value
        alike = by_value.setdefault((g["qperiod"], g["value_low"], g["value_high"]), [])
        same = next((i for i in alike if _bound_class(g["bound"]) in _COMPATIBLE[_bound_class(i.bound)]), None)
        if same is None:
            item = FigureItem(
                "",  # worded once the cell's figures are chosen (a cell may have thousands)
                g["qperiod"],
                srcs,
                g["n_sources"],
                g["n"],
                relation,
                g["value_low"],
                g["value_high"],
                g["bound"],
                g["unit"],
                bool(g["presumed"]) and g["qperiod"] is not None,
                g["scope"],
            )
            items.append(item)
            alike.append(item)
        else:  # the same figure, said with another bound: one line, every source
            same.sources += [s for s in srcs if s not in same.sources]
            # sources are listed whole for small groups; for large ones the total is a sum
            same.source_total = len(same.sources) if g["srcs"] and same.source_total <= 50 else same.source_total + g["n_sources"]
            same.claims += g["n"]
            if same.bound != "exact" and g["bound"] == "exact":
                same.bound = "exact"
            same.relation = min(same.relation, relation, key=lambda r: RANK[r])
            same.presumed = same.presumed and bool(g["presumed"])
            same.scope = _one_scope(same.scope, g["scope"])
    items.sort(key=lambda i: (-i.claims, i.period or "", i.low))
    cell = GridCell()
    cell.figures = items[:FIGURES_SHOWN]
    # the figures not shown: those read and not shown, or (a cell with more groups than were read)
    # the cell's distinct figures by period and value less those shown
    cell.more_figures = max(len(items) - FIGURES_SHOWN, figures - len(cell.figures), 0)
    for item in cell.figures:
        item.text = format_value(item.low, item.high, item.unit, item.bound)
        if item.scope:  # the article's qualifier kept: "7 % of its US workforce"
            item.text = f"{item.text} {item.scope}"
    return cell, periods


def _statements_cell(conn: sqlite3.Connection, column: str, value: str, topic: str, counted: _Counts) -> GridCell:
    sql = _STATEMENTS_SQL.format(column=column)
    lead = conn.execute(sql, (value, topic, value, topic, SCAN_LIMIT, STATEMENTS_READ)).fetchall()
    cell = GridCell()
    cell.statements = [("⚠ " + r[0]) if r[1] else r[0] for r in lead]
    cell.tables = [r[2] is not None for r in lead]
    cell.statement_total = counted.statements
    return cell


def headline(conn: sqlite3.Connection, entity_ids: list[str], topic_ids: list[str] | None = None) -> Grid:
    """The whole grid, every cell filled (the CLI, the exports)."""
    grid = skeleton(conn, entity_ids, topic_ids)
    fill(conn, grid, grid.rows)
    return grid


# --- a cell's headline as parts, for every renderer (screen, terminal table, Markdown) ---------

SIGN = {k: v for k, v in SUMMARY_MARK.items() if v}


def period_note(period: str | None, presumed: str | None = None) -> str:
    """A figure's period as the comparison words it beside the figure, in every format:
    '(2026)' stated, '(2026, presumed)' the year of the article's date, '(no period)'."""
    if period:
        return f"({period})"
    return f"({presumed}, presumed)" if presumed else "(no period)"


def _scopes(joined: str | None) -> tuple[str | None, ...]:
    """A group's scopes (group_concat's), or [None] when a claim of it has none."""
    return tuple(joined.split(",")) if joined else (None,)


def _one_scope(*scopes: str | None) -> str | None:
    """The scope a merged figure shows: the article's words when its claims say the same
    thing ("of US workforce", "of its US workforce": the shorter), else none (a figure said
    of different scopes, or of none, shows no qualifier rather than a wrong one)."""
    if not scopes or any(s is None for s in scopes):
        return None
    said = {" ".join(w for w in s.casefold().split() if w not in ("its", "the", "their")) for s in scopes if s}
    return min((s for s in scopes if s), key=len) if len(said) == 1 else None


def figure_parts(grid: Grid, row: GridRow, cell: GridCell) -> list[tuple[str, str]]:
    """[(text, kind)]: kinds are sep, disputed/differs/corroborated (a relation mark),
    value, value-disputed, period, sources, more. The screen styles them; Markdown and
    plain text join them; so every face of the comparison says the same."""
    parts: list[tuple[str, str]] = []
    for i, item in enumerate(cell.figures):
        if i:
            parts.append((" · ", "sep"))
        if item.relation in SIGN:
            parts.append((SIGN[item.relation] + " ", item.relation))
        parts.append((item.text, "value-disputed" if item.relation in CONFLICT_SUMMARIES else "value"))
        # every figure carries its period, stated or presumed (or says it has none)
        parts.append((" " + (period_note(None, item.period) if item.presumed else period_note(item.period)), "period"))
        parts.append((" " + grid.marks(item), "sources"))
    if cell.more_figures:
        parts.append((f" · + {cell.more_figures:,} other figures", "more"))
    return parts


def statements_text(cell: GridCell, shown: int, *, below: bool = False) -> list[str]:
    """The cell's lead statements: every cell of an article's own table, then the first
    `shown` others, the last one followed by how many are left (`below`: and that they are
    listed further on, in an export that holds every claim)."""
    tables = [s for i, s in enumerate(cell.statements) if i < len(cell.tables) and cell.tables[i]]
    others = [s for i, s in enumerate(cell.statements) if not (i < len(cell.tables) and cell.tables[i])]
    out = tables + others[: max(shown - len(tables), 0 if tables else 1)]
    rest = cell.statement_total - len(out)
    if out and rest > 0:
        out[-1] = f"{out[-1]} (+{rest:,} more{' below' if below else ''})"
    return out
