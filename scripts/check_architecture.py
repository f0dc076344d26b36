"""Two rules of the house that no linter knows, checked by scripts/check:

1. No import circle between pivot's modules, type hints and imports inside functions
   included (grimp reads every import statement; import-linter's layers catch circles
   between layers, this catches them inside one).
2. SQL only in the store (src/tui/store/) and the filter language's compiler
   (src/tui/query.py): no `.execute(`, `.executemany(`, `.executescript(` call and no string
   that reads as an SQL statement anywhere else in src/tui.

Prints each breach on one line (FILE:LINE for SQL) and exits 1; exits 0 silently.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "tui"
SQL_HOMES = (SRC / "store", SRC / "query.py")
# A circle known and owned elsewhere, with the work that removes it. The check fails when
# it is gone too, so that the exception goes with it.
KNOWN_CIRCLES: dict[frozenset[str], str] = {}
# SQL known outside the store, owned elsewhere: each file's statements are to become store
# functions; the check fails on any other file, and once a file listed here has none.
KNOWN_SQL = {
    "src/tui/draft/__init__.py": "pivot add's taken claim ids (draft/ is the pivot add work's: to tui.store.db)",
    "src/tui/draft/context.py": "pivot add's unit and topic of a metric (draft/ is the pivot add work's: to tui.store.db)",
}
SQL = re.compile(
    r"^\s*(SELECT\b.*\bFROM\b|INSERT\s+(OR\s+\w+\s+)?INTO\b|UPDATE\s+\w+\s+SET\b|DELETE\s+FROM\b|"
    r"CREATE\s+(TABLE|INDEX|VIEW|TRIGGER|VIRTUAL)\b|DROP\s+(TABLE|INDEX|VIEW)\b|PRAGMA\s+\w+|WITH\s+\w+\s+AS\b)",
    re.S,
)
EXECUTE = {"execute", "executemany", "executescript"}


def circles(package: str = "tui") -> list[list[str]]:
    """Strongly connected groups of more than one module of `package` (Tarjan's algorithm)."""
    graph = grimp.build_graph(package, include_external_packages=False, exclude_type_checking_imports=False)
    edges = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in sorted(graph.modules)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(edges)))
    for module in edges:
        if module not in index:
            visit(module)
    return found


def sql_outside_the_store(src: Path = SRC, homes: tuple[Path, ...] = SQL_HOMES, root: Path = ROOT) -> list[str]:
    breaches: set[str] = set()  # an f-string's parts are walked twice: as parts and whole
    for path in sorted(src.rglob("*.py")):
        if any(path == home or home in path.parents for home in homes):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        where = path.relative_to(root)
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in EXECUTE:
                breaches.add(f"{where}:{node.lineno}: .{node.func.attr}( outside the store: add a function to tui.store")
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if SQL.match(node.value):
                    breaches.add(f"{where}:{node.lineno}: SQL outside the store: {node.value.strip()[:50]!r}")
            elif isinstance(node, ast.JoinedStr):
                text = "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
                if SQL.match(text):
                    breaches.add(f"{where}:{node.lineno}: SQL outside the store: {text.strip()[:50]!r}")
    return sorted(breaches, key=lambda b: (b.split(": ")[0], b))


def main() -> int:
    problems = []
    seen = set()
    for group in circles():
        key = frozenset(group)
        seen.add(key)
        if key not in KNOWN_CIRCLES:
            problems.append("import circle: " + " -> ".join([*group, group[0]]))
    for key, reason in KNOWN_CIRCLES.items():
        if key not in seen:
            problems.append(f"the known circle {' <-> '.join(sorted(key))} ({reason}) is gone: take it out of KNOWN_CIRCLES")
    sql = sql_outside_the_store()
    problems += [b for b in sql if b.split(":")[0] not in KNOWN_SQL]
    for path, reason in KNOWN_SQL.items():
        if not any(b.startswith(path + ":") for b in sql):
            problems.append(f"{path} has no SQL any more ({reason}): take it out of KNOWN_SQL")
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
