"""scripts/check_architecture.py, run by scripts/check: it finds an import circle (a type
hint or an import inside a function is an import) and SQL outside the store, and the
project has neither, with no exception."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "scripts"))
check = importlib.import_module("check_architecture")


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")


def test_the_project_passes_its_own_check(capsys) -> None:
    assert check.main() == 0, capsys.readouterr().err


def test_the_project_has_no_import_circle_and_no_known_exception() -> None:
    """The store's build and its finding were one circle (hidden by imports inside functions)
    until refresh.py took the update-or-rebuild decision on top of both (issue 22)."""
    assert check.circles() == []
    assert check.KNOWN_CIRCLES == {}


def test_a_circle_through_a_type_hint_or_a_function_import_is_found(tmp_path: Path, monkeypatch) -> None:
    write(
        tmp_path,
        {
            "circ/__init__.py": "",
            "circ/app.py": "from circ.screen import Screen\n",
            "circ/screen.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from circ.app import App
            """,
            "circ/a.py": "def f():\n    from circ import b\n",
            "circ/b.py": "from circ import a\n",
            "circ/alone.py": "import circ.a\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    assert sorted(check.circles("circ")) == [["circ.a", "circ.b"], ["circ.app", "circ.screen"]]


def test_sql_outside_the_store_is_found(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "src/store/db.py": 'def q(conn):\n    return conn.execute("SELECT id FROM claims")\n',
            "src/query.py": 'SQL = "SELECT 1 FROM claims"\n',
            "src/screens/main.py": '''
                """SELECT id FROM claims: a docstring may name SQL."""
                def job(conn, where):
                    return conn.execute(f"SELECT claims.id FROM claims WHERE {where}")
                PRAGMA = "PRAGMA user_version"
                WORDS = "Select the claims from the table"
            ''',
        },
    )
    src = tmp_path / "src"
    found = check.sql_outside_the_store(src, (src / "store", src / "query.py"), tmp_path)
    assert found == [
        "src/screens/main.py:4: .execute( outside the store: add a function to tui.store",
        "src/screens/main.py:4: SQL outside the store: 'SELECT claims.id FROM claims WHERE'",
        "src/screens/main.py:5: SQL outside the store: 'PRAGMA user_version'",
    ]
