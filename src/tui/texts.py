"""Where a source's saved text is, and where a quote sits in it (no Textual here).

A source's `document` is looked for, in order, in DATA/texts/ (the texts `pivot add`
saves), in $PIVOT_TEXTS, and in ../shared/seeds/ beside a source checkout (the founding
articles `pivot check --texts` verifies against). A quote is found the way `pivot check`
verifies it: whitespace aside (any run of spaces and line breaks is one space), otherwise
exactly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path, PurePath

TEXTS_DIR = "texts"
TEXT_LIMIT = 8 * 1024 * 1024  # bytes of an article read for the reader view


def text_folders(data_dir: Path) -> list[Path]:
    folders = [data_dir / TEXTS_DIR]
    env = os.environ.get("PIVOT_TEXTS")
    if env:
        folders.append(Path(env))
    checkout = Path(__file__).resolve().parents[2]  # src/tui/texts.py -> the checkout
    if (checkout / "pyproject.toml").is_file():
        folders.append(checkout.parent / "shared" / "seeds")
    return folders


def find_text(document: str | None, data_dir: Path) -> Path | None:
    """The saved text of a source, or None. A document that is not a plain relative name
    inside the folder (an absolute path, `..`) is never followed."""
    if not document:
        return None
    name = PurePath(document)
    if name.is_absolute() or ".." in name.parts:
        return None
    for folder in text_folders(data_dir):
        path = folder / name
        if path.is_file():
            return path
    return None


def read_text(path: Path) -> str:
    """The article as text with line endings made \\n (read at most TEXT_LIMIT bytes)."""
    with path.open("rb") as fh:
        raw = fh.read(TEXT_LIMIT)
    return raw.decode("utf-8", errors="replace").replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True)
class Span:
    start: int
    end: int  # offsets into the text: text[start:end] is the quote, its own whitespace


def locate(text: str, quote: str) -> Span | None:
    """Where quote is in text, whitespace-insensitively (as `pivot check` verifies it)."""
    wanted = " ".join(quote.split())
    if not wanted:
        return None
    chars: list[str] = []
    where: list[int] = []  # offset in text of each character of the normalised text
    space = True
    for i, ch in enumerate(text):
        if ch.isspace():
            if not space:
                chars.append(" ")
                where.append(i)
            space = True
        else:
            chars.append(ch)
            where.append(i)
            space = False
    at = "".join(chars).find(wanted)
    if at < 0:
        return None
    return Span(where[at], where[at + len(wanted) - 1] + 1)


LONG_PARAGRAPH = 1_200  # characters; a longer block (a text saved without blank lines) is split into its lines


def paragraphs(text: str) -> list[Span]:
    """The text's paragraphs (separated by blank lines; a very long block, one per line), as offsets."""
    out: list[Span] = []
    for block in _blocks(text):
        if block.end - block.start <= LONG_PARAGRAPH or "\n" not in text[block.start : block.end]:
            out.append(block)
            continue
        pos = block.start
        for line in text[block.start : block.end].split("\n"):
            out.append(Span(pos, pos + len(line)))
            pos += len(line) + 1
    return out


def _blocks(text: str) -> list[Span]:
    out: list[Span] = []
    start: int | None = None
    last = 0
    i = 0
    lines = text.split("\n")
    for line in lines:
        end = i + len(line)
        if line.strip():
            if start is None:
                start = i
            last = end
        elif start is not None:
            out.append(Span(start, last))
            start = None
        i = end + 1
    if start is not None:
        out.append(Span(start, last))
    return out
