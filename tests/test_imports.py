"""The data layer, the filter language, the exports and the CLI import without Textual."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHECK = """
import sys
import {module}
loaded = sorted(m for m in sys.modules if m == "textual" or m.startswith("textual."))
assert not loaded, "importing {module} loaded " + ", ".join(loaded[:5])
print("ok")
"""


@pytest.mark.parametrize(
    "module",
    ["tui.store", "tui.query", "tui.store.export", "tui.store.db", "tui.store.fmt", "tui.rich_tables", "tui.cli"],
)
def test_imports_without_textual(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", CHECK.format(module=module)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_check_sees_textual_when_it_is_imported() -> None:
    """The probe itself works: importing the app does load Textual."""
    result = subprocess.run([sys.executable, "-c", CHECK.format(module="tui.app")], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "importing tui.app loaded textual" in result.stderr
