"""Textual's Footer, composing its keys once for a burst of binding changes.

Textual's Footer recomposes (every key a widget, its styles applied) after each
announcement that the screen's bindings changed, one recompose per announcement. A
screen being opened announces four or five (focus, the stack, focus again, ...): at a
million claims the compare screen spent ~100 ms of the UI thread on five footers before
its grid was drawn. Here announcements made before the recompose runs share it, and a
recompose that would show the same keys is not done. The keys it mounts are born with the
footer's `compact`, not restyled twice on mount.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer as TextualFooter
from textual.widgets._footer import FooterKey


class Footer(TextualFooter):
    _recompose_due = False  # a recompose is asked for and has not run yet
    _composed: tuple[object, ...] | None = None  # the keys composed (none yet)

    def compose(self) -> ComposeResult:
        for widget in super().compose():
            if isinstance(widget, FooterKey) and not widget.has_class("-command-palette"):
                # Born with the footer's `compact` (and its class), which its data binding sets
                # on mount: a FooterKey starts compact and the binding then turns it back, two
                # class changes and two CSS applications per key for nothing. (The palette's
                # key is not bound: it stays compact, as in Textual's Footer.)
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
            yield widget

    def bindings_changed(self, screen: Screen[object]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus or not self.is_attached or screen is not self.screen:
            return
        if not self._recompose_due:
            self._recompose_due = True
            self.call_after_refresh(self._recompose_once)

    async def _recompose_once(self) -> None:
        self._recompose_due = False
        if not self.is_attached:
            return
        keys = tuple(
            (b.key, b.description, b.action, b.show, b.group, enabled, tooltip)
            for _, b, enabled, tooltip in self.screen.active_bindings.values()
        )
        if keys != self._composed:  # (a focus change that leaves the keys as they were changes nothing)
            self._composed = keys
            await self.recompose()
