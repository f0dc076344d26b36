"""The footer (tui.widgets.footer.Footer) rebuilds its keys only when the keys to show change,
and then shows the new ones: a focus change between widgets with the same bindings keeps the
same key widgets; one to a widget with other bindings, or a binding disabled, shows the change;
the keys are styled as Footer's (compact or not)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widget import Widget
from textual.widgets._footer import FooterKey

from tui.widgets.footer import Footer


class Plain(Widget, can_focus=True):
    BINDINGS = [Binding("x", "app.bell", "Ring")]


class Other(Widget, can_focus=True):
    BINDINGS = [Binding("z", "app.bell", "Zap"), Binding("w", "nothing", "Wait")]

    off = False

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if self.off and action == "nothing" else True  # None: shown, disabled

    def action_nothing(self) -> None:
        pass


class Keys(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Plain(id="a")
        yield Plain(id="b")
        yield Other(id="c")
        yield Footer()


def shown(app: Keys) -> list[tuple[str, str, bool]]:
    return [(k.key, k.description, k.has_class("-disabled")) for k in app.screen.query(FooterKey)]


async def test_the_footer_keeps_its_keys_until_they_change() -> None:
    app = Keys()
    async with app.run_test() as pilot:
        app.query_one("#a").focus()
        await pilot.pause()
        await pilot.pause()
        assert shown(app) == [("x", "Ring", False), ("q", "Quit", False), ("ctrl+p", "palette", False)]
        before = list(app.screen.query(FooterKey))
        # as Textual's Footer: the bound keys take the footer's compact (off), the palette's stays on
        assert [key.has_class("-compact") for key in before] == [False, False, True]

        app.query_one("#b").focus()  # the same bindings: the same key widgets
        await pilot.pause()
        await pilot.pause()
        assert list(app.screen.query(FooterKey)) == before

        app.query_one("#c").focus()  # other bindings: the footer shows them
        await pilot.pause()
        await pilot.pause()
        assert shown(app)[:3] == [("z", "Zap", False), ("w", "Wait", False), ("q", "Quit", False)]

        other = app.query_one("#c", Other)
        other.off = True  # a binding disabled: shown disabled
        other.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert shown(app)[:3] == [("z", "Zap", False), ("w", "Wait", True), ("q", "Quit", False)]
