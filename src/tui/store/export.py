"""Exports: JSON (the contract's fields), CSV and GitHub-flavoured Markdown, and the
atomic file writer. The CLI (`pivot export`, `pivot compare`) and the explorer's
export dialog call these same functions.
"""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import sqlite3
import stat
import tempfile
from pathlib import Path

from . import db
from .fmt import format_value, safe_text

FORMATS = ("md", "csv", "json")
JSON_FIELDS = (
    "id", "entity", "entity_name", "entity_kind", "topic", "summary", "quote", "metric", "value",
    "value_low", "value_high", "unit", "bound", "period", "status", "speaker", "note",
    "source", "source_title", "publisher", "published", "document", "source_flags", "draft",
    "relation", "quantity_sources", "conflicts", "differs_from", "corroborated_by", "group_check",
)
LIST_FIELDS = ("conflicts", "differs_from", "corroborated_by")


DISPUTERS_LISTED = 8  # sources named in a claim's "Disputed by" cell; the rest are counted


class ExportError(Exception):
    """The export could not be written; the message says why. Nothing was written."""


def claim_record(conn: sqlite3.Connection, row: sqlite3.Row) -> dict:
    """One claim as the contract's JSON object."""
    low, high = row["value_low"], row["value_high"]
    value = None if low is None else (_plain(low) if low == high else [_plain(low), _plain(high)])
    rec = {
        "id": row["id"], "entity": row["entity"], "entity_name": row["entity_name"],
        "entity_kind": row["entity_kind"], "topic": row["topic"], "summary": row["summary"],
        "quote": row["quote"], "metric": row["metric"], "value": value,
        "value_low": _plain(low), "value_high": _plain(high), "unit": row["unit"],
        "bound": row["bound"], "period": row["period"], "status": row["status"],
        "speaker": row["speaker"], "note": row["note"], "source": row["source"],
        "source_title": row["source_title"], "publisher": row["publisher"],
        "published": row["published"], "document": row["document"],
        "source_flags": db.flags_of(row), "draft": bool(row["draft"]),
        "relation": row["relation"], "quantity_sources": row["quantity_sources"] if low is not None else None,
        "conflicts": [], "differs_from": [], "corroborated_by": [], "group_check": None,
    }
    if low is not None and (row["conflict_count"] or row["differ_count"] or row["agree_count"]):
        rel = db.relations_of(conn, row)
        rec["conflicts"] = sorted(rel["contradicts"])
        rec["differs_from"] = sorted(rel["differs"])
        rec["corroborated_by"] = sorted(rel["agrees"])
    if row["group_relation"]:
        rec["group_check"] = {
            "relation": row["group_relation"], "reason": row["group_reason"],
            "members_sum_low": _plain(row["group_low"]), "members_sum_high": _plain(row["group_high"]),
        }
    return {k: rec[k] for k in JSON_FIELDS}


def _plain(x):
    if x is None:
        return None
    return int(x) if float(x).is_integer() and abs(x) < 2**53 else x


def value_text(row) -> str:
    return format_value(row["value_low"], row["value_high"], row["unit"], row["bound"])


# --- Markdown -----------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#!])")
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")


def md(text: str | None) -> str:
    """Corpus text as literal Markdown inline text: one line, markup and HTML escaped."""
    if text is None:
        return ""
    out = safe_text(" ".join(str(text).split()))
    out = _MD_SPECIAL.sub(r"\\\1", out)
    out = _MD_ENTITY.sub(r"\\&", out)
    # GFM autolinks bare URLs, www. names, e-mail addresses (and linkify-it any domain):
    # an escaped character splits the text a linker reads, and renders as itself
    return _MD_AUTOLINK.sub(r"\\\1", out)


# `scheme://`, `@` (e-mail, and mentions on GitHub), `www.`, and a dot before what a
# linker takes for a top-level domain (any two letters, or one of linkify-it's list)
_MD_AUTOLINK = re.compile(
    r"(:(?=//)|@|(?<=\b[wW][wW][wW])\.|(?<=\w)\.(?=(?:[^\W\d_]{2}|(?i:com|net|org|edu|gov|biz|pro|web|xxx|aero|asia|coop|info|museum|name|shop))(?![^\W_])))",
)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell if cell else " " for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _source_list(conn: sqlite3.Connection, numbers: dict[str, int]) -> str:
    items = []
    for sid, n in sorted(numbers.items(), key=lambda kv: kv[1]):
        s = db.source(conn, sid)
        if s is None:
            continue
        parts = [f"*{md(s['title'])}*"]
        meta = [md(x) for x in (s["publisher"], s["author"] and f"by {s['author']}", s["published"]) if x]
        meta.append(md(s["kind"]))
        parts.append(", ".join(meta))
        flags = db.flags_of(s)
        if flags:
            parts.append("⚠ " + md(", ".join(flags)))
        if s["url"]:
            parts.append(f"<{s['url']}>" if re.fullmatch(r"https?://[^\s<>]+", s["url"]) else md(s["url"]))
        if s["document"]:
            parts.append(f"document: {md(s['document'])}")
        items.append(f"{n}. " + " — ".join(parts))
    return "\n".join(items)


def claims_markdown(conn: sqlite3.Connection, rows: list[sqlite3.Row], *, quotes: bool = False, title: str | None = None) -> str:
    numbers = db.source_numbers(rows)
    others: dict[str, str] = {}
    for r in rows:
        if r["value_low"] is not None and (r["conflict_count"] or r["differ_count"] or r["agree_count"]):
            others[r["id"]] = _other_sources(conn, r, numbers)
        elif r["relation"] == "single-source":
            others[r["id"]] = "single source"
    header = ["#", "Entity", "Topic", "Claim", "Value", "Period", "Status", "Source", "Other sources"]
    if quotes:
        header.append("Quote")
    body = []
    for i, r in enumerate(rows, 1):
        cells = [
            str(i), md(r["entity_name"]), md(r["topic_label"]), md(r["summary"]), md(value_text(r)),
            md(r["period"]), md(r["status"]) + (" (unreviewed)" if r["draft"] else ""), f"[{numbers[r['source']]}]",
            others.get(r["id"], ""),
        ]
        if quotes:
            q = f"“{md(r['quote'])}”"
            if r["speaker"]:
                q += f" — {md(r['speaker'])}"
            cells.append(q)
        body.append(cells)
    parts = []
    if title:
        parts.append(f"# {md(title)}\n")
    parts.append(_table(header, body) if rows else "_No claims matched._")
    if others:
        parts.append("\n" + LEGEND)
    if numbers:
        parts.append("\n## Sources\n\n" + _source_list(conn, numbers))
    return "\n".join(parts) + "\n"


LEGEND = (
    "Other sources: ⚠ contradicted by (the figures cannot both hold), ≠ differs from (both can hold, "
    "or one states no period), = the same figure in."
)


def _other_sources(conn: sqlite3.Connection, r: sqlite3.Row, numbers: dict[str, int]) -> str:
    """'⚠ [2] · ≠ [3] · = [4]': the sources whose claims of the same quantity relate to this one."""
    rel = db.relations_of(conn, r)
    parts = []
    for kind, sign, total in (("contradicts", "⚠", r["conflict_count"]), ("differs", "≠", r["differ_count"]),
                              ("agrees", "=", r["agree_count"])):
        ids = rel[kind]
        if not ids:
            continue
        sources = sorted({x["source"] for x in db.claims_by_ids(conn, ids)})
        for sid in sources[:DISPUTERS_LISTED]:
            numbers.setdefault(sid, len(numbers) + 1)
        marks = " ".join(f"[{n}]" for n in sorted(numbers[sid] for sid in sources[:DISPUTERS_LISTED]))
        more = len(sources) > DISPUTERS_LISTED or total > len(ids)
        parts.append(f"{sign} {marks}" + (f" and more ({total:,} claims)" if more else ""))
    return " · ".join(parts)


def claims_csv(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> str:
    buf = io.StringIO()
    fields = [f for f in JSON_FIELDS if f != "value"]
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        rec = claim_record(conn, r)
        rec.pop("value")
        rec["source_flags"] = "; ".join(rec["source_flags"])
        for name in LIST_FIELDS:
            rec[name] = "; ".join(rec[name])
        rec["group_check"] = rec["group_check"]["reason"] if rec["group_check"] else ""
        writer.writerow({k: _csv_cell(v) for k, v in rec.items()})
    return buf.getvalue()


def _csv_cell(value):
    # a NUL ends the text for many CSV readers (and C strings): shown as the symbol for it
    return value.replace("\0", "\u2400") if isinstance(value, str) else value


def claims_json(conn: sqlite3.Connection, rows: list[sqlite3.Row]) -> str:
    return json.dumps([claim_record(conn, r) for r in rows], ensure_ascii=False, indent=2) + "\n"


def render_claims(conn: sqlite3.Connection, rows: list[sqlite3.Row], fmt: str, *, quotes: bool = False, title: str | None = None) -> str:
    if fmt == "md":
        return claims_markdown(conn, rows, quotes=quotes, title=title)
    if fmt == "csv":
        return claims_csv(conn, rows)
    if fmt == "json":
        return claims_json(conn, rows)
    raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- comparison -----------------------------------------------------------------------

def _cell_line(r, numbers: dict[str, int]) -> str:
    value = value_text(r)
    text = f"{md(value)} — {md(r['summary'])}" if value else md(r["summary"])
    mark = " ⚠" if r["conflict_count"] else ""
    return f"{text} [{numbers[r['source']]}]{mark}"


def compare_markdown(conn: sqlite3.Connection, cmp: db.Comparison, *, title: str | None = None) -> str:
    header = ["Topic"] + [md(e["name"]) for e in cmp.entities]
    body = []
    for t in cmp.topics:
        row = [f"**{md(t['label'])}**"]
        for e in cmp.entities:
            cell = cmp.cells.get((t["id"], e["id"]))
            if not cell:
                row.append("—")
                continue
            lines = [_cell_line(r, cmp.sources) for r in cell.claims]
            if cell.more:
                lines.append(f"_+ {cell.more:,} more_")
            prefix = "**⚠ sources disagree:** " if cell.disputed else ""
            row.append(prefix + "<br>".join(lines))
        body.append(row)
    names = " vs ".join(e["name"] for e in cmp.entities)
    parts = [f"# {md(title or names)}\n", _table(header, body) if body else "_No claims for these entities._"]
    parts.append("\n⚠ marks a figure that another source contradicts.")
    if cmp.sources:
        parts.append("\n## Sources\n\n" + _source_list(conn, cmp.sources))
    return "\n".join(parts) + "\n"


def compare_json(conn: sqlite3.Connection, cmp: db.Comparison) -> str:
    out = {
        "entities": [{"id": e["id"], "name": e["name"], "kind": e["kind"]} for e in cmp.entities],
        "topics": [
            {
                "id": t["id"], "label": t["label"],
                "cells": {
                    e["id"]: {
                        "disputed": cmp.cells[(t["id"], e["id"])].disputed,
                        "claims": [claim_record(conn, r) for r in cmp.cells[(t["id"], e["id"])].claims],
                    }
                    for e in cmp.entities if (t["id"], e["id"]) in cmp.cells
                },
            }
            for t in cmp.topics
        ],
        "sources": {sid: n for sid, n in cmp.sources.items()},
    }
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


def compare_csv(conn: sqlite3.Connection, cmp: db.Comparison) -> str:
    rows = [r for t in cmp.topics for e in cmp.entities for r in cmp.cells.get((t["id"], e["id"]), db.Cell([], False)).claims]
    return claims_csv(conn, rows)


def render_compare(conn: sqlite3.Connection, cmp: db.Comparison, fmt: str) -> str:
    if fmt == "md":
        return compare_markdown(conn, cmp)
    if fmt == "json":
        return compare_json(conn, cmp)
    if fmt == "csv":
        return compare_csv(conn, cmp)
    raise ExportError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


# --- writing files ----------------------------------------------------------------------

def write_atomic(path: Path | str, text: str, *, force: bool = False) -> Path:
    """Write text to path through a temporary file and a rename: never a partial file,
    never a silent overwrite (unless force). Raises ExportError with a plain message.

    Only a regular file is ever replaced. A FIFO or a character device (/dev/null,
    /dev/stdout, /dev/full) is written to as it is, never turned into a file; a block
    device or a socket is refused. A symbolic link to a file keeps the link: the file
    it points to is replaced. Without force the new file is linked into place, which
    fails if a file of that name appeared meanwhile (no race can overwrite it)."""
    path = Path(path).expanduser()
    data = text.encode("utf-8")
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as exc:  # a symlink loop, no permission to look
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ExportError(f"{path} is a directory; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        return _write_in_place(path, data, st.st_mode)
    if st is not None and not force:
        raise ExportError(f"{path} already exists (use --force to overwrite)")
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    parent = target.parent
    if not parent.is_dir():
        blocker = next((p for p in (parent, *parent.parents) if p.exists()), None)
        if blocker is not None and not blocker.is_dir():
            raise ExportError(f"{blocker} is not a directory")
        raise ExportError(f"{parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise ExportError(f"cannot write in {parent}: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        _move_into_place(tmp, target, force)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _move_into_place(tmp: str, target: Path, force: bool) -> None:
    """Rename tmp to target; only a regular file (or nothing) is ever replaced."""
    if not force:
        try:
            os.link(tmp, target)  # atomic: fails if anything took the name meanwhile
        except FileExistsError:
            raise ExportError(f"{target} already exists (use --force to overwrite)") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            # a file system without hard links: check, then rename
            if os.path.lexists(target):
                raise ExportError(f"{target} already exists (use --force to overwrite)") from None
            os.replace(tmp, target)
            return
        os.unlink(tmp)
        return
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):  # a node appeared since the first look
        raise ExportError(f"{target} is not a regular file; it was left as it is")
    os.replace(tmp, target)


def _write_in_place(path: Path, data: bytes, mode: int) -> Path:
    """Write to a FIFO or a character device as it is (nothing is replaced)."""
    if not (stat.S_ISFIFO(mode) or stat.S_ISCHR(mode)):
        kind = "a block device" if stat.S_ISBLK(mode) else "a socket" if stat.S_ISSOCK(mode) else "not a regular file"
        raise ExportError(f"{path} is {kind}; give a file name")
    try:
        # a FIFO without a reader fails at once instead of waiting for one forever
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise ExportError(f"{path} is a FIFO that no program is reading") from exc
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        os.set_blocking(fd, True)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        os.close(fd)
    return path


# --- the disputes report ----------------------------------------------------------------

def disputes_markdown(conn: sqlite3.Connection, found: list, *, title: str | None = None) -> str:
    """The report a journalist pastes into notes: one section per quantity, a row per figure."""
    from .agreement import MARK
    from .disputes import source_label

    numbers: dict[str, int] = {}
    for q in found:
        for line in q.lines:
            numbers.setdefault(line.row["source"], len(numbers) + 1)
        for r in q.related:
            numbers.setdefault(r["source"], len(numbers) + 1)
    ids = {line.row["id"]: line.row for q in found for line in q.lines}
    parts = [f"# {md(title or 'Where the sources disagree')}\n"]
    if not found:
        parts.append("_No quantity matched that more than one source states._")
    for i, q in enumerate(found, 1):
        unit = f" ({md(q.unit)})" if q.unit else ""
        parts.append(f"## {i}. {md(q.entity_name)}: {md(q.metric)}{unit}, {MARK[q.strongest]} {q.strongest}\n")
        header = ["Source", "Value", "Period", "Status", "Flags", "Relation", "Reason"]
        body = []
        for line in q.lines:
            r = line.row
            rel = ""
            if line.relation is not None:
                other = ids.get(line.other or "")
                rel = f"{line.relation.mark} {line.relation.kind}" + (f" [{numbers[other['source']]}]" if other is not None else "")
            body.append([
                f"[{numbers[r['source']]}] {md(source_label(r))}", md(value_text(r)),
                md(r["period"]) or "not stated", md(r["status"]) + (" (unreviewed)" if r["draft"] else ""),
                md(", ".join(db.flags_of(r))), rel, md(line.relation.reason) if line.relation else "",
            ])
        parts.append(_table(header, body))
        if q.total > len(q.lines):
            parts.append(f"\n_+ {q.total - len(q.lines):,} more figures of this quantity_")
        if q.related:
            shown = " · ".join(
                f"[{numbers[r['source']]}] {md(value_text(r))} ({md(r['metric'])}{', ' + md(r['period']) if r['period'] else ''})"
                for r in q.related
            )
            parts.append(f"\nRelated measures: {shown}")
        parts.append("")
    if numbers:
        parts.append("## Sources\n\n" + _source_list(conn, numbers))
    return "\n".join(parts).rstrip("\n") + "\n"


def disputes_json(conn: sqlite3.Connection, found: list) -> str:
    out = []
    for q in found:
        out.append({
            "entity": q.entity, "entity_name": q.entity_name, "metric": q.metric, "unit": q.unit,
            "relation": q.strongest, "sources": q.sources, "figures_total": q.total,
            "figures": [
                {**claim_record(conn, line.row),
                 "strongest_relation": line.relation.kind if line.relation else None,
                 "reason": line.relation.reason if line.relation else None, "relates_to": line.other}
                for line in q.lines
            ],
            "related": [r["id"] for r in q.related],
        })
    return json.dumps(out, ensure_ascii=False, indent=2) + "\n"


# --- the comparison's headline grid (what the compare screen shows) -------------------------

def compare_headline_markdown(conn: sqlite3.Connection, grid, *, statements: int = 2, title: str | None = None) -> str:
    """The headline grid as a GFM table: a row per topic (its statements) and per quantity
    (its distinct figures, with relation marks and source numbers), the same parts the
    compare screen draws (store.grid.figure_parts)."""
    from .grid import figure_parts, statements_text

    header = ["Topic"] + [md(e["name"]) for e in grid.entities]
    body = []
    for row in grid.rows:
        label = f"**{md(row.label)}**" if row.metric is None else f"· {md(row.label)}"
        cells = [label]
        for e in grid.entities:
            cell = grid.cell(row, e["id"])
            if cell is None:
                cells.append("·")
            elif row.metric is None:
                cells.append("<br>".join(md(s) for s in statements_text(cell, statements)) or " ")
            else:
                cells.append(md("".join(p for p, _ in figure_parts(grid, row, cell))))
        body.append(cells)
    names = " vs ".join(e["name"] for e in grid.entities)
    parts = [f"# {md(title or names)}\n", _table(header, body) if body else "_No claims for these entities._"]
    parts.append(
        f"\n{grid.disputed_cells} disputed cell{'s' if grid.disputed_cells != 1 else ''}. ⚠ another source contradicts "
        "the figure; ≠ another source differs (both can hold, or one states no period); ✓ another source states the "
        "same figure; [n] the sources below; a period in brackets where the figures are for more than one."
    )
    if grid.sources:
        parts.append("\n## Sources\n\n" + _source_list(conn, grid.sources))
    return "\n".join(parts) + "\n"
