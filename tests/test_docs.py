"""The docs say what is so (as Datasette's test_docs.py does): every test they cite exists in
pytest's collection, and every command and option of the CLI is in docs/cli.md. (That the
generated `--help` text is current is `cog --check`, in scripts/check.)"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click
import pytest

from tui.cli import main

REPO = Path(__file__).resolve().parents[1]
DOCS = sorted([REPO / "README.md", *(REPO / "docs").glob("*.md")])
CITED = re.compile(r"\b(test_[a-z0-9_]+\.py)(?:::(test_[A-Za-z0-9_]+)(\[[^\]`]*\])?)?")
README_LIMIT = 25_000  # bytes: the README is a guide; the reference is in docs/


def collected(files: set[str]) -> frozenset[str]:
    """Every test pytest collects, slow ones included, as `file.py::name[id]`: this run's
    collection (conftest.py keeps it) when it holds every file the docs cite, else a
    collection of its own (asserts not rewritten: collecting is all that run does)."""
    from conftest import COLLECTED

    if files <= {t.split("::")[0] for t in COLLECTED}:
        return frozenset(COLLECTED)
    result = subprocess.run(
        [
            sys.executable,
            *("-m", "pytest", "--collect-only", "-q", "-m", "", "--assert=plain", "-p", "no:cacheprovider", "-p", "no:xdist"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return frozenset(line.removeprefix("tests/") for line in result.stdout.splitlines() if "::" in line)


def citations() -> list[tuple[str, str]]:
    """(doc, citation) for every `test_x.py` or `test_x.py::test_y[id]` the docs name."""
    out = []
    for doc in DOCS:
        for m in CITED.finditer(doc.read_text(encoding="utf-8")):
            out.append((doc.relative_to(REPO).as_posix(), m.group(0)))
    return sorted(set(out))


def test_the_docs_cite_tests() -> None:
    """The check below has something to check: guarantees.md names a test for every promise."""
    assert sum(doc == "docs/guarantees.md" for doc, _ in citations()) > 100


def test_every_test_the_docs_cite_exists() -> None:
    """Every citation checked against pytest's collection, all named at once."""
    tests = collected({c.split("::")[0] for _, c in citations() if "::" in c})
    missing = []
    for doc, cited in citations():
        file, _, name = cited.partition("::")
        if not name:
            found = (REPO / "tests" / file).is_file()
        elif "[" in name:
            found = cited in tests
        else:
            found = any(t == cited or t.startswith(cited + "[") for t in tests)
        if not found:
            missing.append(f"{doc} cites {cited}, which pytest does not collect")
    assert not missing, "\n".join(missing)


def commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(main)
    found: list[tuple[str, click.Command]] = [("pivot", main)]
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        found.append((f"pivot {name}", command))
    return found


@pytest.mark.parametrize(("title", "command"), commands(), ids=[t for t, _ in commands()])
def test_every_command_and_option_is_in_the_cli_reference(title: str, command: click.Command) -> None:
    text = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    assert f"### {title}\n" in text, f"docs/cli.md has no section for {title}"
    section = text.split(f"### {title}\n", 1)[1].split("\n### ", 1)[0]
    for param in command.params:
        if isinstance(param, click.Option) and not param.hidden:
            for flag in param.opts:
                assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", section), f"{title}: {flag} is not documented"
        elif isinstance(param, click.Argument):
            assert (param.metavar or param.name or "").upper() in section, f"{title}: argument {param.name} is not documented"


def test_the_readme_is_a_guide_under_25_kb() -> None:
    size = len((REPO / "README.md").read_bytes())
    assert size < README_LIMIT, f"README.md is {size:,} bytes; the reference belongs in docs/"
