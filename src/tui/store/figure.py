"""Every source's figure for one quantity, for drawing on one shared axis (the figure view
of the explorer, `pivot figure`, the disputes report), and the related measures beside it."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field

from . import db
from .agreement import INF, RowLike, effective

PER_PLOT = 60  # figures drawn per quantity (the rest are counted)


@dataclass
class Plot:
    entity: str
    entity_name: str
    metric: str
    unit: str | None  # as the claims write it
    rows: list[sqlite3.Row]
    total: int
    numbers: dict[str, int]  # source id -> marker number
    related: list[Plot] = field(default_factory=list)
    label: str = ""  # the quantity's label (metrics.yaml's, else one read from the metric's id)

    @property
    def axis(self) -> tuple[float, float]:
        return axis_of(self.rows)


def axis_of(rows: list[sqlite3.Row]) -> tuple[float, float]:
    """The span every figure fits on: finite ends of ranges and approximate bands."""
    points: list[float] = []
    for r in rows:
        lo, hi = effective(r["value_low"], r["value_high"], r["bound"])
        points += [r["value_low"], r["value_high"]]
        points += [x for x in (lo, hi) if x not in (INF, -INF)]
    lo, hi = min(points), max(points)
    # an open bound runs to the edge: leave it room to be seen as an arrow
    for r in rows:
        if r["bound"] == "at-least":
            hi = max(hi, r["value_low"] + (abs(r["value_low"]) or 1) * 0.25)
        elif r["bound"] == "at-most":
            lo = min(lo, r["value_high"] - (abs(r["value_high"]) or 1) * 0.25)
    floor = 0.0 if lo >= 0 else -INF  # counts, money and shares do not go below zero
    if lo == hi:
        pad = abs(lo) * 0.2 or 1.0
        return _round_axis(max(lo - pad, floor), hi + pad)
    pad = (hi - lo) * 0.08
    return _round_axis(max(lo - pad, floor), hi + pad)


NICE_STEPS = (1.0, 2.0, 5.0)
MOST_STEPS = 6


def _round_axis(lo: float, hi: float) -> tuple[float, float]:
    """The span widened to round ends whose middle is round too (the axis is labelled at its
    two ends and its middle): lo and hi are multiples of a step of 1, 2 or 5 times a power
    of ten, an even number of steps apart (at most MOST_STEPS), so that the middle is one
    too (5 %, 20 %, 35 %); never below zero if lo was not."""
    import math

    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return lo, hi
    power = 10.0 ** (math.floor(math.log10(hi - lo)) - 1)
    for _ in range(6):
        for base in NICE_STEPS:
            step = base * power
            start = math.floor(lo / step + 1e-9) * step
            n = math.ceil((hi - start) / step - 1e-9)
            n += n % 2
            if n <= MOST_STEPS:
                return float(f"{start:.12g}") + 0.0, float(f"{start + n * step:.12g}")
        power *= 10
    return lo, hi


def _scope(conn: sqlite3.Connection, entity_id: str) -> tuple[str, str]:
    row = conn.execute("SELECT kind FROM entities WHERE id = ?", (entity_id,)).fetchone()
    return ("entity", entity_id) if row and row[0] == "event" else ("qentity", entity_id)


# the orders a plot can be drawn in: by period (then value), or by the sources' dates (the
# story of a figure: each source's figure as it was printed, earliest first, undated last)
ORDERS = {
    "period": "coalesce(claims.qperiod, claims.presumed_period) IS NULL, coalesce(claims.qperiod, claims.presumed_period), "
    "claims.value_low, claims.rowid",
    "date": "claims.source_date IS NULL, claims.source_date, coalesce(claims.qperiod, claims.presumed_period), claims.rowid",
}


def plot(
    conn: sqlite3.Connection,
    entity_id: str,
    metric: str,
    unit: str | None,
    *,
    related: bool = True,
    numbers: dict[str, int] | None = None,
    order: str = "period",
    include: str | None = None,
) -> Plot | None:
    """The plot of one quantity (the entity with its events, every period), or None: its
    reviewed claims, and the claim `include` if it is a draft (drawn as unreviewed)."""
    column, value = _scope(conn, entity_id)
    where = (
        f"claims.{column} = ? AND claims.metric = ? AND claims.qunit IS ? AND claims.value_low IS NOT NULL "
        "AND (claims.draft = 0 OR claims.id IS ?)"
    )
    params = [value, metric, unit.lower() if unit else None, include]
    total = conn.execute(f"SELECT count(*) FROM claims WHERE {where}", params).fetchone()[0]
    if not total:
        return None
    rows = conn.execute(
        f"SELECT {db.CLAIM_COLUMNS} FROM claims {db.CLAIM_JOINS} WHERE {where} ORDER BY {ORDERS[order]} LIMIT ?",
        [*params, PER_PLOT],
    ).fetchall()
    numbers = {} if numbers is None else numbers
    for r in rows:
        numbers.setdefault(r["source"], len(numbers) + 1)
    name = conn.execute("SELECT name FROM entities WHERE id = ?", (entity_id,)).fetchone()
    from .metrics import fallback_label, metric_labels

    label = metric_labels(conn).get(metric) or fallback_label(metric)
    out = Plot(entity_id, name[0] if name else entity_id, metric, rows[0]["unit"], rows, total, numbers, label=label)
    if related:
        topics = sorted({r["topic"] for r in rows})
        others = conn.execute(
            f"SELECT DISTINCT metric, qunit FROM claims WHERE {column} = ? AND topic IN ({', '.join('?' * len(topics))}) "
            "AND value_low IS NOT NULL AND draft = 0 AND NOT (metric = ? AND qunit IS ?) ORDER BY metric LIMIT 12",
            [value, *topics, metric, params[2]],
        ).fetchall()
        for m, u in others:
            p = plot(conn, entity_id, m, u, related=False, numbers=numbers, order=order)
            if p is not None:
                out.related.append(p)
    return out


def plot_of_claim(conn: sqlite3.Connection, claim_id: str, order: str = "period") -> Plot | None:
    row = db.claim(conn, claim_id)
    if row is None or row["value_low"] is None or not row["metric"]:
        return None
    # an event's figure is its company's quantity: plot every source's figure for it
    return plot(conn, row["qentity"], row["metric"], row["unit"], order=order, include=claim_id)


# --- drawing one figure on the axis, in characters (the screen, the CLI and the Markdown report) --

UNICODE = {"bar": "━", "band": "╌", "point": "●", "right": "▶", "left": "◀", "axis": "─", "tick": "┴"}
ASCII = {"bar": "=", "band": "-", "point": "o", "right": ">", "left": "<", "axis": "-", "tick": "+"}


def _col(x: float, lo: float, hi: float, width: int) -> int:
    if hi <= lo:
        return width // 2
    return max(0, min(width - 1, round((x - lo) / (hi - lo) * (width - 1))))


def bar(row: RowLike, axis: tuple[float, float], width: int, chars: dict[str, str] = UNICODE) -> str:
    """One figure on the axis, `width` characters."""
    lo_axis, hi_axis = axis
    cells = [" "] * width
    low, high, bound = row["value_low"], row["value_high"], row["bound"]
    e_lo, e_hi = effective(low, high, bound)
    a, b = _col(low, lo_axis, hi_axis, width), _col(high, lo_axis, hi_axis, width)
    if bound == "approx":
        for i in range(_col(e_lo, lo_axis, hi_axis, width), _col(e_hi, lo_axis, hi_axis, width) + 1):
            cells[i] = chars["band"]
    if bound == "at-least":
        for i in range(a, width):
            cells[i] = chars["bar"]
        cells[width - 1] = chars["right"]
    elif bound == "at-most":
        for i in range(b + 1):
            cells[i] = chars["bar"]
        cells[0] = chars["left"]
    for i in range(a, b + 1):
        cells[i] = chars["bar"]
    if a == b or bound in ("at-least", "at-most"):
        cells[a if bound != "at-most" else b] = chars["point"]
    else:
        cells[a] = cells[b] = chars["point"]
    return "".join(cells)
