"""The data layer, the filter language, the exports and the CLI import without Textual.

import-linter (pyproject.toml) checks the import statements; these tests check what is
loaded at run time, where the store's names are imported on first use (store/__init__.py):
every module of the store, the filter language and the drafter, and every lazily imported
name, without Textual or Rich."""

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
    ["tui.store", "tui.query", "tui.session", "tui.store.export", "tui.store.db", "tui.store.fmt", "tui.rich_tables", "tui.cli"],
)
def test_imports_without_textual(module: str) -> None:
    result = subprocess.run([sys.executable, "-c", CHECK.format(module=module)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_the_check_sees_textual_when_it_is_imported() -> None:
    """The probe itself works: importing the app does load Textual."""
    result = subprocess.run([sys.executable, "-c", CHECK.format(module="tui.app")], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "importing tui.app loaded textual" in result.stderr


EVERY_MODULE = """
import importlib, pkgutil, sys
forbidden = ("textual", "rich")
top = importlib.import_module("{package}")
names = ["{package}"]
if hasattr(top, "__path__"):
    names += sorted(m.name for m in pkgutil.walk_packages(top.__path__, "{package}."))
for name in names:
    module = importlib.import_module(name)
    for attr in getattr(module, "__all__", ()):
        getattr(module, attr)  # the names a package imports on first use
    loaded = sorted(m for m in sys.modules if m.split(".")[0] in forbidden)
    assert not loaded, "importing " + name + " loaded " + ", ".join(loaded[:5])
print(len(names))
"""


@pytest.mark.parametrize("package", ["tui.store", "tui.query", "tui.draft"])
def test_every_module_of_the_core_and_its_lazy_names_load_without_the_ui(package: str) -> None:
    """Module by module, in name order, so that the first one that loads Textual or Rich is named."""
    result = subprocess.run(
        [sys.executable, "-c", EVERY_MODULE.format(package=package)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert int(result.stdout) >= (10 if package == "tui.store" else 1)


def test_the_every_module_check_names_the_module_that_loads_the_ui() -> None:
    """The probe itself works: tui.widgets loads Textual, and is named."""
    result = subprocess.run(
        [sys.executable, "-c", EVERY_MODULE.format(package="tui.widgets")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "importing tui.widgets" in result.stderr and "loaded" in result.stderr
