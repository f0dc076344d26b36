"""Tables read as tables: a header row whose cells name entities or years gives each column's
entity and period, and a row's figures take their column's.

A table reaches us in one of three shapes: Markdown rows (`| Metric | Meta | Microsoft |`),
cells separated by tabs (a table copied from a browser), or rows flattened into lines of words
(`Aspect Meta Microsoft`, then `AI Infrastructure Investment Estimated $115 billion in 2026.
Over $80 billion invested ...`). A header is a line of one short label ("Aspect", "Feature",
"Metric") followed only by two or more column headers, each a name the corpus knows and/or a
year (`2023 "Year of Efficiency"  2026 "AI Rebalancing"`, `2024 2025`). Its rows are the lines
that follow it directly (no blank line between), up to a blank line, a line that reads as
prose, or MAX_ROWS.

A figure is placed in a column by its cell where the cells are separated (tabs, pipes); in a
flattened row, where the cells are not, only when the row holds exactly as many figures as
there are columns (the k-th figure in the k-th column); otherwise it is placed in none, and its
entity and period are read as for any sentence (a repeat of it in the text then names it).
A flattened row's label is the words before its first figure: a period there is the row's
("Job Reductions (2025-2026)"), weaker than a period in the cell's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.store.numbers import find_figures

from .context import Names
from .text import Span

MAX_ROWS = 20
YEAR = re.compile(r"(?<![\w$.,])(?:19|20)\d{2}(?![\w%])")
PROSE_START = re.compile(
    r"(?:The|A|An|This|These|That|Those|It|Its|In|On|At|As|But|And|For|If|When|While|With|We|Our|They|Their|However|"
    r"Meanwhile|Despite|After|Before|Since|According)\b"
)


@dataclass(slots=True)
class Column:
    entity: str | None
    period: str | None
    heading: str = ""  # its header's words, for the reviewer


@dataclass
class Table:
    header: int  # its header's paragraph
    columns: list[Column]
    rows: list[int]  # paragraphs
    cells: dict[int, int] = field(default_factory=dict)  # a figure's offset in the text -> its column
    label_end: dict[int, int] = field(default_factory=dict)  # a flattened row's paragraph -> where its label ends


def _separated(line: str) -> list[tuple[int, int]] | None:
    """The cells of a row whose cells are separated (pipes, tabs), as (start, end) in the line."""
    sep = "|" if line.count("|") >= 2 else "\t" if "\t" in line else None
    if sep is None:
        return None
    out = []
    for m in re.finditer(rf"[^{re.escape(sep)}]+", line):
        if m.group().strip():
            lead = len(m.group()) - len(m.group().lstrip())
            out.append((m.start() + lead, m.start() + lead + len(m.group().strip())))
    return out


def _column(text: str, names: Names, offset: int) -> Column | None:
    ms = [m for m in names.within(offset, offset + len(text)) if names.kind(m.entity) != "industry"]
    year = YEAR.search(text)
    if not ms and year is None:
        return None
    return Column(ms[0].entity if ms else None, year.group() if year else None, " ".join(text.split()))


def _header(p: Span, names: Names) -> tuple[list[Column], list[tuple[int, int]] | None] | None:
    """The columns a header line names, and its cells where they are separated; None if the
    line is no header."""
    line = p.text
    if len(line.split()) > 16 or line.endswith((".", "!", "?", ":", ";", ",")):
        return None
    cells = _separated(line)
    if cells is not None:
        if len(cells) < 3:
            return None
        cols = [_column(line[a:b], names, p.start + a) for a, b in cells[1:]]
        if any(c is None for c in cols) or YEAR.search(line[cells[0][0] : cells[0][1]]):
            return None
        return [c for c in cols if c is not None], cells
    ms = [m for m in names.within(p.start, p.end) if names.kind(m.entity) != "industry"]
    years = list(YEAR.finditer(line))
    marks = sorted([(m.start - p.start, m.end - p.start, m.entity) for m in ms] + [(y.start(), y.end(), None) for y in years])
    if not marks:
        return None
    label = line[: marks[0][0]].strip()
    if not label or len(label.split()) > 3 or re.search(r"\d", label) or not label[0].isupper():
        return None
    rest = line[marks[0][0] :]
    for a, b, _ in reversed(marks):
        rest = rest[: a - marks[0][0]] + " " + rest[b - marks[0][0] :]
    if re.sub(r"[\s\"“”'‘’()|/]|\bvs\.?", "", rest):
        return None  # other words: a heading or a sentence, not a row of column headers
    columns: list[Column] = []
    if ms:
        for m in ms:  # each name with the year written next to it
            at, end = m.start - p.start, m.end - p.start
            prev_end = max((e for _, e, eid in marks if eid is not None and e <= at), default=0)
            nxt_start = min((s for s, _, eid in marks if eid is not None and s >= end), default=len(line))
            year = next((y.group() for y in years if prev_end <= y.start() < at), None)
            year = year or next((y.group() for y in years if end <= y.start() < nxt_start), None)
            columns.append(Column(m.entity, year, " ".join(x for x in (year, m.surface) if x)))
        if len(years) > len(ms):
            return None
    else:
        columns = [Column(None, y.group(), y.group()) for y in years]
    return (columns, None) if len(columns) >= 2 else None


def tables(text: str, paras: list[Span], names: Names) -> list[Table]:
    """Every table of the text whose header names its columns (linear: each line looked at once
    or twice)."""
    out: list[Table] = []
    i = 0
    while i < len(paras) - 1:
        p = paras[i]
        got = _header(p, names)
        if got is None or not _adjacent(text, p, paras[i + 1]):
            i += 1
            continue
        columns, header_cells = got
        table = Table(i, columns, [])
        j = i + 1
        while j < len(paras) and len(table.rows) < MAX_ROWS:
            row = paras[j]
            if not _adjacent(text, paras[j - 1], row) or re.fullmatch(r"[|:\-\s]+", row.text):
                if re.fullmatch(r"[|:\-\s]+", row.text) and _adjacent(text, paras[j - 1], row):
                    j += 1  # the |---|---| rule
                    continue
                break
            cells = _separated(row.text)
            if (header_cells is None) != (cells is None) or (cells is None and PROSE_START.match(row.text)):
                break
            table.rows.append(j)
            _place(row, cells, header_cells, table)
            j += 1
        if table.rows:
            out.append(table)
        i = j
    return out


def _adjacent(text: str, a: Span, b: Span) -> bool:
    """b is on the line right after a (no blank line between)."""
    return text.count("\n", a.end, b.start) == 1


def _place(row: Span, cells: list[tuple[int, int]] | None, header_cells: list[tuple[int, int]] | None, table: Table) -> None:
    figures = [f for f in find_figures(row.text) if f.unit is not None]
    if figures:
        table.label_end[row.start] = row.start + figures[0].start
    if cells is not None:
        if header_cells is None or len(cells) != len(header_cells):
            return
        for f in figures:
            k = next((k for k, (a, b) in enumerate(cells) if a <= f.start < b), 0)
            if k >= 1:
                table.cells[row.start + f.start] = k - 1
        return
    if len(figures) == len(table.columns):
        for k, f in enumerate(figures):
            table.cells[row.start + f.start] = k
