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
from dataclasses import dataclass, field

from .agreement import _COMPATIBLE, CONFLICT_SUMMARIES, SUMMARY_MARK, _bound_class
from .fmt import format_value

FIGURES_SHOWN = 6  # distinct figures per cell and quantity; the rest are counted
STATEMENTS_READ = 3  # statements (qualitative claims) read per cell for the headline
SOURCE_MARKS = 4  # source numbers shown beside one figure; the rest are counted
SCAN_LIMIT = 5_000  # statements of a cell looked at when choosing the shortest


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


@dataclass
class GridCell:
    figures: list[FigureItem] = field(default_factory=list)
    more_figures: int = 0  # distinct figures not listed
    statements: list[str] = field(default_factory=list)  # the shortest summaries first
    statement_total: int = 0
    disputed: bool = False  # some claim of the cell is in conflict with another source's (is:conflict)


@dataclass
class GridRow:
    topic: str
    topic_label: str
    metric: str | None = None  # None: the topic's heading row (its statements)
    unit: str | None = None

    shown_unit: bool = False  # the metric is in the grid with more than one unit: say which

    @property
    def label(self) -> str:
        if self.metric is None:
            return self.topic_label
        return metric_label(self.metric) + (f" ({self.unit})" if self.shown_unit and self.unit else "")

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

    def cell(self, row: GridRow, entity_id: str) -> GridCell | None:
        return self.cells.get((row.key, entity_id))

    @property
    def disputed_cells(self) -> int:
        """Cells (topic, entity) with a figure in conflict with another source's."""
        return len({(rk[0], e) for (rk, e), c in self.cells.items() if c.disputed})

    def marks(self, item: FigureItem) -> str:
        shown = " ".join(f"[{self.sources[s]}]" for s in item.sources[:SOURCE_MARKS] if s in self.sources)
        extra = item.source_total - min(len(item.sources), SOURCE_MARKS)
        return shown + (f" +{extra}" if extra > 0 else "")


def metric_label(metric: str) -> str:
    """'ai-capex-usd' -> 'ai capex', 'workforce-cut-pct' -> 'workforce cut %'."""
    words = metric.split("-")
    if words and words[-1] == "usd":
        words = words[:-1]
    elif words and words[-1] == "pct":
        words[-1] = "%"
    return " ".join(words).replace("ai ", "AI ", 1) if words[:1] == ["ai"] else " ".join(words)


def _scope(e: sqlite3.Row) -> tuple[str, str]:
    """An event is compared as itself; a company (or group) with its events."""
    return ("entity", e["id"]) if e["kind"] == "event" else ("qentity", e["id"])


def headline(conn: sqlite3.Connection, entity_ids: list[str], topic_ids: list[str] | None = None) -> Grid:
    ents = [r for r in (conn.execute("SELECT * FROM entities WHERE id = ?", (i,)).fetchone() for i in entity_ids) if r]
    topics = conn.execute('SELECT id, label, "order" FROM topics ORDER BY "order", id').fetchall()
    if topic_ids:
        topics = [t for t in topics if t["id"] in topic_ids]
    cells: dict[tuple[RowKey, str], GridCell] = {}
    metrics_of_topic: dict[str, set[tuple[str, str | None]]] = {}
    periods: dict[RowKey, set[str | None]] = {}
    for e in ents:
        column, value = _scope(e)
        groups = conn.execute(
            f"SELECT topic, metric, qunit, max(unit) AS unit, coalesce(qperiod, presumed_period) AS qperiod, "
            "min(qperiod IS NULL) AS presumed, value_low, value_high, bound, "
            "count(*) AS n, count(DISTINCT source) AS n_sources, "
            "CASE WHEN count(*) <= 50 THEN group_concat(DISTINCT source) END AS srcs, min(source) AS first_source, "
            "max(relation = 'disputed') AS disputed, max(relation = 'at-odds') AS odds, max(relation = 'revised') AS revised, "
            "max(relation = 'differs') AS differs, max(relation = 'corroborated') AS corroborated "
            f"FROM claims WHERE {column} = ? AND value_low IS NOT NULL AND metric IS NOT NULL AND draft = 0 "
            "GROUP BY topic, metric, qunit, coalesce(qperiod, presumed_period), value_low, value_high, bound ORDER BY n DESC",
            (value,),
        ).fetchall()
        merged: dict[RowKey, list[FigureItem]] = {}
        by_value: dict[tuple[RowKey, str | None, float, float], list[FigureItem]] = {}
        for g in groups:
            key: RowKey = (g["topic"], g["metric"], g["qunit"])
            metrics_of_topic.setdefault(g["topic"], set()).add((g["metric"], g["qunit"]))
            periods.setdefault(key, set()).add(g["qperiod"])
            srcs = g["srcs"].split(",") if g["srcs"] else [g["first_source"]]
            relation = next((r for r in RANK if r and g[_FLAG[r]]), None)
            items = merged.setdefault(key, [])
            # the same figure said with a bound that does not pull apart: found by its value
            alike = by_value.setdefault((key, g["qperiod"], g["value_low"], g["value_high"]), [])
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
                )
                items.append(item)
                alike.append(item)
            else:  # the same figure, said with another bound: one line, every source
                same.sources += [s for s in srcs if s not in same.sources]
                # sources are listed whole for small groups; for large ones the total is a sum
                same.source_total = (
                    len(same.sources) if g["srcs"] and same.source_total <= 50 else same.source_total + g["n_sources"]
                )
                same.claims += g["n"]
                if same.bound != "exact" and g["bound"] == "exact":
                    same.bound = "exact"
                same.relation = min(same.relation, relation, key=lambda r: RANK[r])
                same.presumed = same.presumed and bool(g["presumed"])
        for key, items in merged.items():
            items.sort(key=lambda i: (-i.claims, i.period or "", i.low))
            cell = cells.setdefault((key, e["id"]), GridCell())
            cell.figures, cell.more_figures = items[:FIGURES_SHOWN], max(len(items) - FIGURES_SHOWN, 0)
            for item in cell.figures:
                item.text = format_value(item.low, item.high, item.unit, item.bound)
            cell.disputed = any(i.relation in CONFLICT_SUMMARIES for i in items)
        counts = dict(
            conn.execute(
                f"SELECT topic, count(*) FROM claims WHERE {column} = ? AND value_low IS NULL AND draft = 0 GROUP BY topic",
                (value,),
            ).fetchall()
        )
        for t in topics:
            n = counts.get(t["id"], 0)
            if not n:
                continue
            # a position other sources oppose first, marked: a disagreement in words is one to see
            shortest = conn.execute(
                "SELECT summary, opposed FROM (SELECT summary, position_relation = 'disputed' AS opposed FROM claims "
                f"WHERE {column} = ? AND topic = ? AND value_low IS NULL AND draft = 0 "
                "ORDER BY rowid LIMIT ?) ORDER BY opposed DESC, length(summary), summary LIMIT ?",
                (value, t["id"], SCAN_LIMIT, STATEMENTS_READ),
            ).fetchall()
            cell = cells.setdefault(((t["id"], None, None), e["id"]), GridCell())
            cell.statements = [("⚠ " + r[0]) if r[1] else r[0] for r in shortest]
            cell.statement_total = n
            cell.disputed = any(r[1] for r in shortest)
    rows: list[GridRow] = []
    for t in topics:
        heading = GridRow(t["id"], t["label"])
        pairs = sorted(metrics_of_topic.get(t["id"], set()), key=lambda x: (x[0], x[1] or ""))
        twice = {m for m, _ in pairs if sum(1 for x, _ in pairs if x == m) > 1}
        subs = [GridRow(t["id"], t["label"], m, u, m in twice) for m, u in pairs]
        if subs or any((heading.key, e["id"]) in cells for e in ents):
            rows.append(heading)
            rows += subs
    numbers: dict[str, int] = {}
    for row in rows:
        for e in ents:
            found = cells.get((row.key, e["id"]))
            for item in found.figures if found else []:
                for s in item.sources[:SOURCE_MARKS]:
                    numbers.setdefault(s, len(numbers) + 1)
    labels = {}
    if numbers:
        marks = ", ".join("?" * len(numbers))
        labels = {
            r[0]: r[1]
            for r in conn.execute(f"SELECT id, coalesce(publisher, title) FROM sources WHERE id IN ({marks})", list(numbers))
        }
    differ = {k for k, ps in periods.items() if len(ps) > 1 or None in ps}
    return Grid(ents, rows, cells, numbers, labels, differ)


# --- a cell's headline as parts, for every renderer (screen, terminal table, Markdown) ---------

SIGN = {k: v for k, v in SUMMARY_MARK.items() if v}


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
        shown = f"{item.period}, presumed" if item.presumed else item.period
        parts.append((f" ({shown})" if item.period else " (no period)", "period"))
        parts.append((" " + grid.marks(item), "sources"))
    if cell.more_figures:
        parts.append((f" · + {cell.more_figures:,} other figures", "more"))
    return parts


def statements_text(cell: GridCell, shown: int) -> list[str]:
    """The cell's first `shown` statements, the last one followed by how many are left."""
    out = list(cell.statements[:shown])
    rest = cell.statement_total - len(out)
    if out and rest > 0:
        out[-1] = f"{out[-1]} (+{rest:,} more)"
    return out
