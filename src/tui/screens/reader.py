"""The reader view (`o`): a claim beside its primary document.

The source's saved text, one paragraph per widget, the claim's quote highlighted and
scrolled to; the quotes of the source's other claims underlined; `n` / `N` go to the
next / previous quote in the text. Where no text is saved, the screen says so and what
would make one appear. The text is read and searched in a worker.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui.session import StoreHandle
from tui.store import db
from tui.store.fmt import one_line, safe_text
from tui.texts import Span, find_text, locate, paragraphs, read_text
from tui.widgets.footer import Footer

CURRENT_STYLE = "reverse bold"  # survives NO_COLOR; the ▶ before its paragraph says it in text too
OTHER_STYLE = "underline"


@dataclass
class Quote:
    claim_id: str
    summary: str
    span: Span


@dataclass
class Loaded:
    path: Path | None
    text: str = ""
    quotes: list[Quote] = field(default_factory=list)  # found in the text, in text order
    missing: list[str] = field(default_factory=list)  # claim ids whose quote is not in the text
    problem: str = ""


class TextLoaded(Message):
    def __init__(self, loaded: Loaded) -> None:
        super().__init__()
        self.loaded = loaded


class ReaderScreen(Screen[None]):
    CSS_PATH = "screens.tcss"  # the styling of every screen but the main one (read as the first opens)
    BINDINGS = [
        Binding("escape,q", "close", "Back", id="reader.back"),
        Binding("n", "quote(1)", "Next quote", id="reader.next"),
        Binding("N", "quote(-1)", "Previous quote", id="reader.previous"),
        Binding("down,j", "scroll(1)", "Down", show=False, id="reader.down"),
        Binding("up,k", "scroll(-1)", "Up", show=False, id="reader.up"),
        Binding("home,g", "top", "Top", show=False, id="reader.top"),
        Binding("end,G", "bottom", "Bottom", show=False, id="reader.bottom"),
    ]

    def __init__(self, store: StoreHandle, data_dir: Path | None, row) -> None:
        super().__init__()
        self.store, self.data_dir = store, data_dir
        self.row = row
        self.loaded: Loaded | None = None
        self.current = -1  # index into loaded.quotes
        self._paras: list[Span] = []

    def compose(self) -> ComposeResult:
        yield Static(self._claim_line(), id="reader-claim")
        yield VerticalScroll(id="reader-text")
        yield Footer()

    def _claim_line(self, summary: str | None = None) -> Text:
        """The claim whose quote is marked (it follows n and N), and its source."""
        text = Text()
        text.append("Claim: ", style="bold")
        text.append(one_line(self.row["summary"] if summary is None else summary))
        text.append("\nSource: ", style="bold")
        text.append(one_line(self.row["source_title"]))
        meta = [x for x in (self.row["publisher"], self.row["published"]) if x]
        if meta:
            text.append("  (" + one_line(", ".join(meta)) + ")", style="dim")
        return text

    def on_mount(self) -> None:
        self.query_one("#reader-text").border_title = "Source text"
        data_dir = self.data_dir
        if data_dir is None:
            from tui.store.locate import default_data_dir

            data_dir = default_data_dir()
        self.load(Path(data_dir))
        self.query_one("#reader-text").focus()

    @work(thread=True, exclusive=True, group="reader")
    def load(self, data_dir: Path) -> None:
        path = find_text(self.row["document"], data_dir)
        if path is None:
            self.post_message(TextLoaded(Loaded(None)))
            return
        try:
            text = read_text(path)
            claims = self.store.run(db.source_claims, self.row["source"])
        except (OSError, sqlite3.Error) as exc:
            self.post_message(TextLoaded(Loaded(path, problem=f"cannot read {path}: {exc}")))
            return
        loaded = Loaded(path, text)
        for c in claims:
            span = locate(text, c["quote"])
            if span is None:
                loaded.missing.append(c["id"])
            else:
                loaded.quotes.append(Quote(c["id"], c["summary"], span))
        loaded.quotes.sort(key=lambda q: (q.span.start, q.claim_id))
        self.post_message(TextLoaded(loaded))

    def on_text_loaded(self, message: TextLoaded) -> None:
        loaded = self.loaded = message.loaded
        pane = self.query_one("#reader-text", VerticalScroll)
        if loaded.path is None or loaded.problem:
            pane.mount(Static(self._no_text(loaded), id="reader-none"))
            return
        pane.border_subtitle = Text(one_line(loaded.path.name))
        self._paras = paragraphs(loaded.text)
        pane.mount_all(Static(Text(""), classes="reader-para") for _ in self._paras)
        self.current = next((i for i, q in enumerate(loaded.quotes) if q.claim_id == self.row["id"]), -1)
        self._show_text()
        if self.current < 0:
            self.notify(
                "This claim's quote is not in the saved text (`pivot check` says where it stops matching)",
                severity="warning",
                timeout=8,
            )
        self.call_after_refresh(self._scroll_to_current)

    def _no_text(self, loaded: Loaded) -> Text:
        text = Text()
        if loaded.problem:
            text.append(safe_text(loaded.problem), style="bold")
            return text
        document = self.row["document"]
        if not document:
            text.append("No text is saved for this source: it names no document.", style="bold")
        else:
            text.append(f"No text is saved for this source: {one_line(document)} is not in the texts folders.", style="bold")
        text.append(
            "\n\n`pivot add PAGE` saves an article's text as data/texts/ID.txt beside its source file; "
            "a folder of saved texts can be named with $PIVOT_TEXTS.\n\nThe quote, as recorded:\n",
            style="",
        )
        text.append("“" + one_line(self.row["quote"]) + "”", style="italic")
        return text

    def _show_text(self) -> None:
        """Every paragraph with the quotes in it marked: the current one reversed (and ▶
        before its paragraph), the other quotes of the source underlined."""
        loaded = self.loaded
        if loaded is None:
            return
        current = loaded.quotes[self.current].span if self.current >= 0 else None
        for para, widget in zip(self._paras, self.query(".reader-para").results(Static), strict=False):
            marks = [(q.span, q.span == current) for q in loaded.quotes if q.span.start < para.end and q.span.end > para.start]
            text = Text()
            here = current is not None and current.start < para.end and current.end > para.start
            text.append("▶ " if here else "  ", style="bold")
            pos = para.start
            for span, is_current in sorted(marks, key=lambda m: (m[0].start, not m[1])):
                start, end = max(span.start, pos), min(span.end, para.end)
                if start >= end:
                    continue
                text.append(safe_text(loaded.text[pos:start], keep_newlines=True))
                text.append(
                    safe_text(loaded.text[start:end], keep_newlines=True), style=CURRENT_STYLE if is_current else OTHER_STYLE
                )
                pos = end
            text.append(safe_text(loaded.text[pos : para.end], keep_newlines=True))
            widget.update(text)
        n = len(loaded.quotes)
        where = f"quote {self.current + 1} of {n}" if self.current >= 0 else f"{n} quotes"
        missing = f" · {len(loaded.missing)} not found in the text" if loaded.missing else ""
        self.query_one("#reader-text").border_title = f"Source text · {where}{missing} · n next, N previous"

    def _scroll_to_current(self) -> None:
        loaded = self.loaded
        if loaded is None or self.current < 0:
            return
        span = loaded.quotes[self.current].span
        index = next((i for i, p in enumerate(self._paras) if p.start <= span.start < p.end + 1), 0)
        widgets = list(self.query(".reader-para"))
        if index < len(widgets):
            self.query_one("#reader-text", VerticalScroll).scroll_to_center(widgets[index], animate=False)

    @property
    def current_claim(self) -> str | None:
        if self.loaded is None or self.current < 0:
            return None
        return self.loaded.quotes[self.current].claim_id

    def action_quote(self, step: int) -> None:
        loaded = self.loaded
        if loaded is None or not loaded.quotes:
            self.notify("No quotes of this source are in the text")
            return
        if self.current < 0:
            self.current = 0 if step > 0 else len(loaded.quotes) - 1
        else:
            nxt = self.current + step
            if not 0 <= nxt < len(loaded.quotes):
                self.notify("the last quote of the source" if step > 0 else "the first quote of the source", timeout=2)
                return
            self.current = nxt
        self._show_text()
        self.query_one("#reader-claim", Static).update(self._claim_line(loaded.quotes[self.current].summary))
        self.call_after_refresh(self._scroll_to_current)

    def action_scroll(self, step: int) -> None:
        pane = self.query_one("#reader-text", VerticalScroll)
        pane.scroll_relative(y=step, animate=False)

    def action_top(self) -> None:
        self.query_one("#reader-text", VerticalScroll).scroll_home(animate=False)

    def action_bottom(self) -> None:
        self.query_one("#reader-text", VerticalScroll).scroll_end(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
