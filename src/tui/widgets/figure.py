"""Drawing a quantity's figures on one shared axis, as Rich Text lines (no Textual here:
the CLI's `pivot figure` prints the same lines the explorer's figure view shows).

A range is a bar, an approximate value a point with its ±10 % band, an open bound an
arrow running to the edge ("≥ 20 %"), each line labelled with its source marker, the
source's date and provenance flags, and its relation to the highlighted figure.
"""

from __future__ import annotations

from rich.text import Text

from tui.store import db
from tui.store.agreement import INF, RowLike, figure_of_record, relation
from tui.store.export import value_text
from tui.store.figure import ASCII, UNICODE, Plot, bar
from tui.store.fmt import format_value, one_line, period_text, source_label

LABEL_WIDTH = 38
VALUE_WIDTH = 16
FLAG_WIDTH = 22
# provenance flags in a few letters, so that a line keeps its bar (the full words are in
# the detail pane, the sources screen and the exports)
FLAG_SHORT = {
    "ai-assisted": "ai-assisted",  # the flag as the filter names it (flag:ai-assisted)
    "anonymous-sourcing": "anon",
    "composite-examples": "composite",
    "no-byline": "no byline",
    "secondary-reporting": "2nd-hand",
    "unverified-figures": "hedged",
}
MARK = {
    "contradicts": ("⚠", "bold red"),
    "opposes": ("⚠", "bold red"),
    "at-odds": ("!", "red"),
    "revises": ("→", "cyan"),
    "differs": ("≠", "yellow"),
    "agrees": ("=", "green"),
    "related": ("↔", "dim"),
}
SUMMARY = {
    "disputed": ("⚠", "bold red"),
    "at-odds": ("!", "red"),
    "revised": ("→", "cyan"),
    "differs": ("≠", "yellow"),
    "corroborated": ("✓", "green"),
}


def widths(width: int) -> tuple[int, int, int]:
    """(label, value, flags) widths for a plot `width` wide: the bar gets the rest."""
    if width >= 110:
        return LABEL_WIDTH, VALUE_WIDTH, FLAG_WIDTH
    if width >= 80:
        return 28, 13, 12
    return 26, 11, 2  # narrow: the source keeps its name; a flag is a ⚠ (the source list names it)


def axis_line(plot: Plot, width: int, chars: dict[str, str] = UNICODE) -> tuple[str, str]:
    """The axis under the bars, and its three labels (low end, middle, high end)."""
    lo, hi = plot.axis
    line = [chars["axis"]] * width
    for i in (0, width // 2, width - 1):
        line[i] = chars["tick"]
    # money and percent keep their sign; other units are named in the plot's title
    unit = plot.unit if plot.unit in ("USD", "percent") else None
    labels = [format_value(_round(x), _round(x), unit) for x in (lo, (lo + hi) / 2, hi)]
    text = [" "] * width
    places = [(0, labels[0]), (width // 2 - len(labels[1]) // 2, labels[1]), (width - len(labels[2]), labels[2])]
    if sum(len(x) for x in labels) + 4 > width:  # no room for the middle one
        places = [places[0], places[2]]
    if places[0][0] + len(places[0][1]) + 1 > places[-1][0]:  # nor for two: the range in one
        places = [(0, f"{labels[0]}–{labels[2]}"[:width])]
    for pos, label in places:
        for i, ch in enumerate(label):
            if 0 <= pos + i < width:
                text[pos + i] = ch
    return "".join(line), "".join(text)


def _round(x: float) -> float:
    """Three significant figures, for the axis labels."""
    return float(f"{x:.3g}")


def label_of(row: RowLike, number: int, width: int = LABEL_WIDTH) -> str:
    """'[2] SynapNews 2026-04-25 · 2026': source, its date, the figure's period (a presumed one
    marked so)."""
    dated = row["published"] or (row["as_of"] and f"as of {row['as_of']}")
    date = f" {dated}" if dated and width >= 30 else ""  # narrow: the source list has it
    period = f" · {period_text(row['period'], row['presumed_period']) or 'no period'}"
    head = f"[{number}] "
    room = max(width - len(head) - len(date) - len(period), 6)
    return head + one_line(source_label(row["publisher"], row["source_title"]), room) + date + period


def plot_lines(plot: Plot, width: int, *, cursor: int | None = None, plain: bool = False) -> list[Text]:
    """The plot as lines: a title, one line per figure, the axis and its labels.
    With a `cursor`, each other figure is marked by its relation to that one."""
    chars = ASCII if plain else UNICODE
    label_w, value_w, flag_w = widths(width)
    bar_width = max(width - label_w - value_w - flag_w - 5, 10)
    label = plot.label or plot.metric
    unit = f" ({plot.unit})" if plot.unit and not label.endswith(")") else ""  # 'Workforce cut (%)' says it
    out = [Text(f"{plot.entity_name}: {label}{unit}", style="bold", no_wrap=True, overflow="ellipsis")]
    current = figure_of_record(plot.rows[cursor]) if cursor is not None and cursor < len(plot.rows) else None
    axis = plot.axis
    for i, r in enumerate(plot.rows):
        line = Text(no_wrap=True, overflow="crop")  # a bar's spaces are positions: never wrapped
        mark = ("▸", "bold") if current is not None and i == cursor else None
        if mark is None and current is not None:
            rel = relation(current, figure_of_record(r))
            mark = MARK.get(rel.kind) if rel else None
        if mark is None and current is None:
            mark = SUMMARY.get(r["relation"] or "")
        line.append(f"{(mark or (' ', ''))[0]} ", style=(mark or (" ", ""))[1])
        label = one_line(label_of(r, plot.numbers[r["source"]], label_w), label_w)
        line.append(label.ljust(label_w) + " ", style="")
        style = "bold red" if r["relation"] in ("disputed", "at-odds") else "cyan"
        line.append(bar(r, axis, bar_width, chars), style=style)
        line.append(" " + one_line(value_text(r), value_w).ljust(value_w), style="bold")
        notes = [FLAG_SHORT.get(f, f) for f in db.flags_of(r)] + (["unreviewed"] if r["draft"] else [])
        if notes and flag_w < 10:
            line.append(" " + ("!" if plain else "⚠"), style="yellow")
        elif notes:
            line.append(" " + ("! " if plain else "⚠ ") + one_line(", ".join(notes), max(flag_w - 3, 4)), style="yellow")
        out.append(line)
    if plot.total > len(plot.rows):
        out.append(Text(f"  + {plot.total - len(plot.rows):,} more figures", style="dim italic"))
    rule, labels = axis_line(plot, bar_width, chars)
    # the lines start with words: a renderer may drop a line's leading spaces
    out.append(Text("  scale".ljust(label_w + 3) + rule, style="dim", no_wrap=True, overflow="crop"))
    out.append(Text(f"  ({plot.unit or 'no unit'})".ljust(label_w + 3) + labels, style="dim", no_wrap=True, overflow="crop"))
    return out


def relation_note(plot: Plot, cursor: int) -> list[Text]:
    """The highlighted figure: its quote, speaker and how each other source relates."""
    r = plot.rows[cursor]
    out = [Text.assemble(("Quote: ", "bold"), ("“" + one_line(r["quote"]) + "”", "italic"))]
    if r["speaker"]:
        out.append(Text.assemble(("Speaker: ", "bold"), one_line(r["speaker"])))
    me = figure_of_record(r)
    for other in plot.rows:
        rel = relation(me, figure_of_record(other))
        if rel is None or rel.kind == "related":
            continue
        mark, style = MARK[rel.kind]
        out.append(Text.assemble(f"  {mark} ", (f"[{plot.numbers[other['source']]}] ", "cyan"), (one_line(rel.reason), style)))
    return out


__all__ = ["INF", "bar", "plot_lines", "relation_note"]
