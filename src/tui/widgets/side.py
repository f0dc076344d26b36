"""The left-hand panes: the entity list and the facet counts.

Both are OptionLists whose prompts are Rich Text built from corpus text
(never markup strings), so a name such as "[bold]x" shows as written.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterable
from typing import Self

from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.strip import Strip
from textual.widgets import OptionList, SelectionList
from textual.widgets.option_list import Option, OptionDoesNotExist
from textual.widgets.selection_list import Selection

from tui.store.db import FacetValue
from tui.store.fmt import one_line, source_label

FACET_ORDER = ("source", "topic", "status", "period", "flag")
FACET_TITLES = {"source": "Source", "topic": "Topic", "status": "Status", "period": "Period", "flag": "Flag"}
ALL_ENTITIES = "\0all"


class SideLine:
    """One option of a side list laid out at the width it is drawn at: the mark, then the
    name cut with an ellipsis, then the counts kept whole at the right edge. Built once,
    it stays right when the pane is resized (a prompt cut to a width guessed when it was
    built wrapped its count onto a second line)."""

    def __init__(self, mark: Text, name: Text, tail: Text) -> None:
        self.mark, self.name, self.tail = mark, name, tail

    def __str__(self) -> str:
        return self.mark.plain + self.name.plain + self.tail.plain

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        fixed = self.mark.cell_len + self.tail.cell_len
        return Measurement(min(fixed + 4, options.max_width), fixed + self.name.cell_len)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        room = width - self.mark.cell_len - self.tail.cell_len
        name = self.name.copy()
        if name.cell_len > room:
            name.truncate(max(room, 1), overflow="ellipsis")
        line = Text(no_wrap=True, overflow="ellipsis")  # its end "\\n" is how Textual counts the line
        line.append_text(self.mark)
        line.append_text(name)
        line.append(" " * max(room - name.cell_len, 0))
        line.append_text(self.tail)
        line.truncate(width, overflow="ellipsis")
        yield line


VIM_KEYS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False, id="list.down"),
    Binding("k", "cursor_up", "Up", show=False, id="list.up"),
    Binding("g", "first", "First", show=False, id="list.first"),
    Binding("G", "last", "Last", show=False, id="list.last"),
]


class EntityList(OptionList):
    """Companies, events, groups and the industry, with claim and conflict counts: the count
    beside a name is what enter opens (a company's own claims, its events' and its
    divisions', as `company:ID` does; db.entities' open_count)."""

    BINDINGS = VIM_KEYS

    class Chosen(Message):
        def __init__(self, entity_id: str | None) -> None:
            super().__init__()
            self.entity_id = entity_id

    LIMIT = 300  # entities listed; the rest are one `company:` away in the filter bar

    _shown: tuple[int, frozenset[str]] | None = None

    def show(self, rows: list[sqlite3.Row], active: set[str]) -> None:
        key = (id(rows), frozenset(active))
        if key == self._shown:
            return  # nothing changed: rebuilding hundreds of options per keystroke is not free
        if self._shown is not None and self._shown[0] == id(rows) and self._remark(rows, set(self._shown[1]), active):
            self._shown = key
            return
        self._shown = key
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        self.clear_options()
        total = sum(r["claim_count"] for r in rows)
        options = [Option(self._prompt("All entities", total, 0, not active, ""), id=ALL_ENTITIES)]
        listed = [r for i, r in enumerate(rows) if i < self.LIMIT or r["id"] in active]
        for r in listed:
            options.append(
                Option(self._prompt(r["name"], r["open_count"], r["open_conflicts"], r["id"] in active, r["kind"]), id=r["id"])
            )
        if len(listed) < len(rows):
            options.append(
                Option(
                    Text(f"  … {len(rows) - len(listed):,} more: filter with company:NAME", style="dim italic"),
                    id="\0more",
                    disabled=True,
                )
            )
        self.add_options(options)
        if highlighted is not None:
            with contextlib.suppress(OptionDoesNotExist):  # the option vanished: keep the default
                self.highlighted = self.get_option_index(highlighted)

    def _remark(self, rows: list[sqlite3.Row], before: set[str], active: set[str]) -> bool:
        """Same rows, another choice: redraw only the options whose mark changed. False
        when a newly active entity is not listed (the list must be rebuilt)."""
        by_id = {r["id"]: r for r in rows}
        changed = before ^ active
        try:
            for eid in changed:
                self.get_option(eid)
        except OptionDoesNotExist:  # the entity is beyond the listed ones
            return False
        for eid in changed:
            r = by_id.get(eid)
            if r is not None:
                self.replace_option_prompt(
                    eid, self._prompt(r["name"], r["open_count"], r["open_conflicts"], eid in active, r["kind"])
                )
        if bool(before) != bool(active):
            total = sum(r["claim_count"] for r in rows)
            self.replace_option_prompt(ALL_ENTITIES, self._prompt("All entities", total, 0, not active, ""))
        return True

    def _prompt(self, name: str, count: int, conflicts: int, active: bool, kind: str) -> SideLine:
        # one line per entity: the name gives way, the counts stay whole. An event is
        # marked ↳ and loses its company's possessive ("Meta's 2023 ..." -> "2023 ..."),
        # so that what tells two events apart is what stays on screen
        if kind in ("event", "division"):
            name = "↳ " + re.sub(r"^[^']{1,40}['’]s ", "", name)
        tail = Text()
        if kind and kind not in ("company", "event"):
            tail.append(f" {kind}", style="dim italic")
        tail.append(f" {count:,}", style="dim")
        if conflicts:
            tail.append(f" ⚠{conflicts:,}", style="bold red")
        mark = Text("● " if active else "  ", style="bold")
        return SideLine(mark, Text(one_line(name), style="bold" if active else ""), tail)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id
        self.post_message(self.Chosen(None if oid == ALL_ENTITIES else oid))

    # the highlighted entity's whole name under the pane while it has focus: a long name
    # ("ModelForge AI (composite…") is cut in its line, never in the pane's subtitle
    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._name_below(self.has_focus)

    def on_focus(self) -> None:
        self._name_below(True)  # has_focus is set after this handler runs

    def on_blur(self) -> None:
        self._name_below(False)

    def _name_below(self, focused: bool) -> None:
        option = self.highlighted_option
        prompt = option.prompt if option is not None and option.id != ALL_ENTITIES else None
        # a Text, never a markup string: a name such as "[b]x" shows as written
        self.border_subtitle = Text(prompt.name.plain) if focused and isinstance(prompt, SideLine) else ""


class FacetList(OptionList):
    """Datasette-style facet counts for the current filter; enter toggles a value."""

    BINDINGS = VIM_KEYS
    # refilled on every keystroke with another number of lines: that is a new scrollbar, not a
    # layout of the whole screen (OptionList sets virtual_size, which asks for one)
    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    class Toggled(Message):
        def __init__(self, facet: str, value: str) -> None:
            super().__init__()
            self.facet, self.value = facet, value

    def show(self, facets: dict[str, tuple[list[FacetValue], bool]], active: set[tuple[str, str]]) -> None:
        highlighted = self.highlighted_option.id if self.highlighted_option else None
        options: list[Option] = []
        for name in FACET_ORDER:
            values, more = facets.get(name, ([], False))
            if not values:
                continue
            header = Text(FACET_TITLES[name], style="bold underline")
            options.append(Option(header, id=f"h:{name}", disabled=True))
            for v in values:
                if v.value is None:
                    continue
                on = (name, str(v.value).lower()) in active
                label = source_label(None, v.label) if name == "source" else v.label  # "[untitled …]" loses its brackets
                line = SideLine(
                    Text("✓ " if on else "  ", style="bold green"), Text(one_line(label)), Text(f" {v.count:,}", style="dim")
                )
                options.append(Option(line, id=f"v:{name}\0{v.value}"))
            if more:
                options.append(Option(Text("  … more", style="dim italic"), id=f"m:{name}", disabled=True))
        if not options:  # the filter matches nothing: said, never a blank pane
            options = [
                Option(Text("No claim matches the filter: nothing to count.", style="dim italic"), id="\0none", disabled=True)
            ]
        self.set_options(options)  # one update of the lines: clearing first hides the scrollbar and adding shows it (two layouts)
        if highlighted is not None:
            with contextlib.suppress(OptionDoesNotExist):
                self.highlighted = self.get_option_index(highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        oid = event.option.id or ""
        if oid.startswith("v:"):
            facet, value = oid[2:].split("\0", 1)
            self.post_message(self.Toggled(facet, value))


class PickerList(SelectionList[str]):
    """The compare picker: j k g G move, space picks and moves down, and a pick is marked
    with ✓ (not by the colour of Textual's X alone, which NO_COLOR and screen readers lose)."""

    BINDINGS = [*VIM_KEYS, Binding("space", "select", "Pick and move down", show=False, id="picker.toggle")]

    _kept: int | None = None  # the cursor while the owner refills the list

    def action_select(self) -> None:
        super().action_select()
        self.action_cursor_down()

    def clear_options(self) -> Self:
        self._kept = self.highlighted
        return super().clear_options()

    def add_options(self, items: Iterable[Selection[str]]) -> Self:  # type: ignore[override]  # the picker adds Selections only
        result = super().add_options(items)
        if self._kept is not None and self.option_count:
            self.highlighted = min(self._kept, self.option_count - 1)  # refilled after a pick: stay put
            self._kept = None
        return result

    def render_line(self, y: int) -> Strip:
        strip = super().render_line(y)
        segments = list(strip)
        index = self.scroll_offset.y + y
        if len(segments) < 2 or not 0 <= index < self.option_count:
            return strip
        selected = self.get_option_at_index(index).value in self._selected
        segments[1] = Segment("✓" if selected else " ", segments[1].style)
        return Strip(segments, strip.cell_length)
