"""The footer of every screen: Textual's Footer, recomposed only when the keys it shows change.

Textual's Footer removes and mounts all its keys again whenever the screen announces that its
bindings may have changed: on every focus change, screen push or pop, and every
refresh_bindings. Each key mounted costs a CSS application for it and its two parts and a
second one when its `compact` binding lands, so the footer was about a fifth of a Pilot test's
CPU, almost all of it rebuilding the same keys. This footer remembers what it last composed
(every shown binding's key, label, action, group, enabled state and tooltip) and skips the
recompose when the bindings say the same; anything that would change what Footer.compose
yields still recomposes it.
"""

from __future__ import annotations

from collections.abc import Hashable

from textual.app import ComposeResult
from textual.widgets import Footer


class KeyFooter(Footer):
    """Textual's Footer (its CSS and look: the type selectors `Footer` match it), recomposed
    only when what it would show changed."""

    _composed: Hashable = None

    def _shown(self) -> Hashable:
        """Everything of the screen's bindings that Footer.compose reads."""
        active = self.screen.active_bindings
        keys = tuple(
            (
                binding.key,
                binding.action,
                binding.description,
                binding.group,
                binding.tooltip,
                enabled,
                tooltip,
            )
            for (_, binding, enabled, tooltip) in active.values()
            if binding.show
        )
        palette = active.get(self.app.COMMAND_PALETTE_BINDING)
        palette_key = None if palette is None else (palette[1].key, palette[1].description, palette[2], palette[3])
        return (keys, palette_key, self.show_command_palette, self.app.ENABLE_COMMAND_PALETTE)

    def compose(self) -> ComposeResult:
        self._composed = self._shown() if self._bindings_ready else None
        yield from super().compose()

    async def recompose(self) -> None:
        if self._composed is not None and self.is_attached and self._shown() == self._composed:
            return  # the same keys: nothing to rebuild
        await super().recompose()
