"""The detail pane's content: one claim, its source and what other sources say."""

from __future__ import annotations

import sqlite3

from rich.console import Group, RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.style import Style as VisualStyle

from tui.store import db
from tui.store.fmt import BOUND_WORD, period_text, safe_text
from tui.store.vocab import FLAG_WARNINGS

RELATION_STYLE = {
    "contradicts": "bold red",
    "opposes": "bold red",
    "disputed": "bold red",
    "at-odds": "red",
    "revises": "cyan",
    "revised": "cyan",
    "differs": "yellow",
    "agrees": "green",
    "corroborated": "green",
    "related": "dim",
}
RELATION_WORD = {
    "contradicts": "contradicts",
    "opposes": "opposes",
    "at-odds": "at odds",
    "revises": "revision",
    "differs": "differs",
    "agrees": "agrees",
    "related": "related",
}


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def summary_line(row: sqlite3.Row) -> Text:
    """How other sources stand to this claim, in words (the claim's summary in the model). A
    draft's summary says how it would relate once reviewed: nothing reviewed counts it yet."""
    rel = row["relation"]
    n_sources = row["quantity_sources"] or 1
    text = Text("  ")
    if row["draft"] and rel:
        text.append("once reviewed: ", style="bold yellow")
    if rel == "disputed":
        n = row["conflict_count"]
        text.append(
            f"⚠ disputed: {_n(n, 'claim', 'claims')} of other sources contradict{'s' if n == 1 else ''} it "
            "or take the opposite position"
            if n
            else "⚠ disputed: the members' figures cannot add up to it",
            style="bold red",
        )
    elif rel == "at-odds":
        n = row["odds_count"]
        text.append(
            f"! at odds: the figures of {_n(n, 'claim', 'claims')} of other sources do not meet it; a projection "
            "or a presumed period is involved, so neither is shown wrong"
            if n
            else "! at odds with its members' sum (a projection or a presumed period is involved)",
            style="red",
        )
    elif rel == "revised":
        n = row["revise_count"]
        text.append(f"→ revised: {_n(n, 'dated projection', 'dated projections')} of other sources revise it or are revised by it",
                    style="cyan")  # fmt: skip
    elif rel == "differs":
        n = row["differ_count"]
        text.append(
            f"≠ differs: {_n(n, 'claim', 'claims')} of other sources can hold with it but say{'s' if n == 1 else ''} otherwise"
            if n
            else "≠ differs from its members' sum",
            style="yellow",
        )
    elif rel == "corroborated":
        n = row["agree_sources"]
        text.append(f"✓ corroborated by {n} independent source{'s' if n != 1 else ''}", style="green")
    elif rel == "single-source":
        text.append("single source: no other source states this figure", style="dim")
    if rel in ("disputed", "at-odds", "revised", "differs") and row["agree_sources"]:
        text.append(
            f"; the same figure in {row['agree_sources']} other source{'s' if row['agree_sources'] != 1 else ''}", style="green"
        )
    if n_sources > 1 and row["value_low"] is not None:
        text.append(f" ({n_sources} sources state this quantity)", style="dim")
    return text


def position_line(row: sqlite3.Row) -> Text:
    """How other sources stand to the claim's positions, in words."""
    text = Text("  ")
    if row["draft"]:
        text.append("once reviewed: ", style="bold yellow")
    opposed, concurs = row["oppose_count"], row["concur_count"]
    if opposed:
        text.append(f"⚠ opposed: {_n(opposed, 'claim', 'claims')} of other sources take the opposite position", style="bold red")
    if concurs:
        text.append("; " if opposed else "")
        text.append(f"✓ {_n(concurs, 'claim', 'claims')} of other sources take the same position", style="green")
    if not opposed and not concurs:
        text.append("no other source takes a position on it", style="dim")
    return text


def _field(label: str, value: object, style: str = "") -> Text:
    text = Text()
    text.append(f"{label}: ", style="bold")
    text.append(safe_text("—" if value in (None, "") else str(value)), style=style)
    return text


def claim_detail(
    row: sqlite3.Row, source: sqlite3.Row | None, related: list[db.Related], positions: list[tuple[str, str, str]] | None = None
) -> Group:
    """Everything a reader needs to cite or doubt one claim. All corpus text goes in as Text."""
    from tui.store.agreement import CONFLICTS, MARK  # the relation rules: not before the first frame
    from tui.store.export import value_text  # the export package: not before the first frame

    parts: list[Text] = []
    title = Text(safe_text(row["summary"]), style="bold")
    parts.append(title)
    value = value_text(row)
    if value:
        v = Text()
        v.append("Value: ", style="bold")
        disputed = row["relation"] in ("disputed", "at-odds")
        v.append(safe_text(value), style="bold red" if disputed else "bold")
        if row["scope"]:  # the article's qualifier of the figure
            v.append(f" {safe_text(row['scope'])}", style="bold")
        v.append(f"  ({BOUND_WORD.get(row['bound'], row['bound'])}, {safe_text(row['status'])}", style="")
        if row["period"]:
            v.append(f", period {safe_text(row['period'])})")
        elif row["presumed_period"]:
            v.append(f", period {period_text(None, row['presumed_period'], long=True)})")
        else:
            v.append(", no period given, and the article carries no date)")
        if row["draft"]:
            v.append("  unreviewed draft", style="bold yellow")
        parts.append(v)
        parts.append(summary_line(row))
        if row["group_reason"]:
            g = Text("  ")
            g.append(
                f"{MARK.get(row['group_relation'], '')} members' sum: ", style=RELATION_STYLE.get(row["group_relation"], "bold")
            )
            g.append(safe_text(row["group_reason"]))
            parts.append(g)
    else:
        st = _field("Status", row["status"])
        if row["draft"]:
            st.append("  unreviewed draft", style="bold yellow")
        parts.append(st)
    for _, text, position in positions or []:
        pos = Text()
        pos.append("Position: ", style="bold")
        pos.append(f"{position} ", style="bold")
        pos.append("“" + safe_text(text) + "”")
        parts.append(pos)
    if positions:
        parts.append(position_line(row))
    parts.append(_field("Entity · topic", f"{row['entity_name']} · {row['topic_label']}"))
    quote = Text()
    quote.append("Quote: ", style="bold")
    quote.append("“" + safe_text(row["quote"]) + "”", style="italic")
    parts.append(quote)
    if row["speaker"]:
        parts.append(_field("Speaker", row["speaker"]))
    source_part: list[Text] = []
    if row["note"]:
        source_part.append(_field("Note", row["note"], "dim"))
    if source is not None:
        s = Text()
        s.append("Source: ", style="bold")
        s.append(safe_text(source["title"]))
        dated = source["published"] or (source["as_of"] and f"as of {source['as_of']}")
        meta = [x for x in (source["publisher"], source["author"] and f"by {source['author']}", dated, source["kind"]) if x]
        s.append("  (" + safe_text(", ".join(meta)) + ")", style="dim")
        source_part.append(s)
        for flag in db.flags_of(source):
            source_part.append(Text("  ⚠ " + flag + ": " + FLAG_WARNINGS.get(flag, ""), style="bold yellow"))
    others: list[Text] = []
    if related:
        others.append(Text("What other sources say", style="bold underline"))
        for r in related:
            kind = r.relation.kind
            style = RELATION_STYLE.get(kind, "")
            line = Text()
            line.append(f"  {MARK[kind]} {RELATION_WORD[kind]:<12}", style=style or "dim")
            value = value_text(r.row)
            if value:
                line.append(safe_text(value) + "  ", style=(style + " bold").strip() if kind in CONFLICTS else "bold")
            line.append(safe_text(r.row["summary"]))
            src = r.row["publisher"] or r.row["source_title"]
            line.append(f"  — {safe_text(src)}", style="dim")
            shown = period_text(r.row["period"], r.row["presumed_period"])
            if shown and not r.same_period:
                line.append(f" ({safe_text(shown)})", style="dim italic")
            others.append(line)
            if kind != "related" or r.row["metric"]:
                others.append(Text("      " + safe_text(r.relation.reason), style="dim italic"))
    else:
        others.append(Text("No other source speaks to this subject.", style="dim italic"))
    # a claim other sources disagree with shows that first, before its provenance
    shown_first = ("disputed", "at-odds", "revised", "differs")
    first = row["relation"] in shown_first or row["position_relation"] == "disputed"
    blocks = [others, source_part] if first else [source_part, others]
    for block in blocks:
        parts.append(Text())
        parts.extend(block)
    return Group(*parts)


class DetailPane(ScrollView, can_focus=True):
    """The detail pane: one claim's detail, wrapped once to the pane's width and drawn a line at
    a time (as the claims table is); scrolled back to the top for every claim, `j` `k` `g` `G`
    with focus. A new claim's detail is a new virtual size, never a layout of the screen: a
    Static in a scrolling container was laid out anew with the whole screen for each claim
    (its height is the detail's), a frame of its own after the table's."""

    # the scrollbar's room is kept when a claim's detail fits: a claim whose detail is longer
    # than the pane would otherwise bring the scrollbar in and narrow the text, to be wrapped
    # again (60-380 wrapped lines at 1M)
    DEFAULT_CSS = "DetailPane { scrollbar-gutter: stable; overflow-x: hidden; }"
    # its height is fixed (app.tcss): the length of a claim's detail is its scrollbar's, never
    # a layout of the screen (Widget.virtual_size asks for one)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    BINDINGS = [
        Binding("down,j", "scroll_down", "Scroll down", show=False, id="detail.down"),
        Binding("up,k", "scroll_up", "Scroll up", show=False, id="detail.up"),
        Binding("home,g", "scroll_home", "Top", show=False, id="detail.top"),
        Binding("end,G", "scroll_end", "Bottom", show=False, id="detail.bottom"),
        Binding("enter", "reader", "Source text", id="detail.reader"),
    ]

    def __init__(self, content: RenderableType, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.content = content
        self._lines: list[Strip] = []
        self._wrapped_at = -1  # the width the lines were wrapped at (-1: not yet)
        self._wrapped_in: Style | None = None  # and the style

    def update(self, content: RenderableType, *, home: bool = True) -> None:
        """Show other content (a claim's detail, or a line in its place), from its top line
        (home) or where the pane was scrolled to (the same claim's detail read again)."""
        self.content = content
        self._wrapped_at = -1
        self._wrap()
        if home:
            self.scroll_to(0, 0, animate=False, immediate=True)
        self.refresh()

    def _wrap(self) -> None:
        width, style = self.scrollable_content_region.width, self.rich_style
        if width <= 0 or (width == self._wrapped_at and style == self._wrapped_in):
            return
        console = self.app.console
        options = self.app.console_options.update(highlight=False, width=width, height=None).update_width(width)
        segments = console.render(self.post_render(self.content, style), options)
        lines = Segment.split_and_crop_lines(segments, width, include_new_lines=False, pad=False)
        pad = style + Style(reverse=False)  # as a Static pads its lines
        self._lines = [Strip(line).extend_cell_length(width, pad) for line in lines]
        self._wrapped_at, self._wrapped_in = width, style
        self.virtual_size = Size(width, len(self._lines))

    def on_resize(self) -> None:
        self._wrap()

    def render_line(self, y: int) -> Strip:
        self._wrap()  # wrapped again for another width or style (a theme)
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self._lines):
            return Strip.blank(width, self.rich_style)
        strip = self._lines[index]
        selection = self.text_selection
        if selection is not None and (span := selection.get_span(index)) is not None:
            start, end = span
            end = strip.cell_length if end == -1 else end
            before, selected, after = strip.divide([start, end, strip.cell_length])
            selection_style = VisualStyle.from_styles(self.screen.get_component_styles("screen--selection")).rich_style
            style = Style(bgcolor=selection_style.bgcolor)  # its background; the text keeps its colours
            selected = Strip(Segment.apply_style(selected, post_style=style), selected.cell_length)
            strip = Strip.join([before, selected, after])
        return strip.apply_offsets(0, index)  # where the mouse is in the text: a selection's ends

    # the detail's text can be selected with the mouse and copied, as a Static's could
    ALLOW_SELECT = True

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        return selection.extract("\n".join(strip.text.rstrip() for strip in self._lines)), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        self.refresh()

    def action_reader(self) -> None:
        self.screen.action_reader()  # type: ignore[attr-defined]  # the main screen opens it
