"""Exports: JSON (the contract's fields), CSV and GitHub-flavoured Markdown of claims, the
comparison and the disputes report, and the atomic file writer. The CLI (`pivot export`,
`pivot compare`, `pivot disputes`) and the explorer's export dialog call these same
functions; this module holds the names they import and the writer.

    selection.py    which claims (a filter, picked ids, a sort), the format, the file name
    records.py      a claim's fields, read as plain tuples with small lookups
    relations.py    the claims each claim relates to, for a batch at a time
    to_csv.py, to_json.py, to_markdown.py   one writer per format
    stream.py       the claims of a Selection, streaming, in any format
    parts.py        a large export written on every core, in order
    compare.py      the comparison: headline grid, every claim
    disputes.py     the disputes report
    markup.py       corpus text as literal Markdown; a figure in words

Claims are streamed: rows are read in rowid order (or a sort's) a batch at a time, the
claims each one relates to are looked up for the whole batch, and each list
(`conflicts`, `differs_from`, `corroborated_by`) carries at most LISTED_IDS ids beside an
exact `*_total` count. A million claims go to disk in bounded memory; the first bytes
are written before the first batch is read.
"""

from __future__ import annotations

import contextlib
import errno
import importlib
import os
import sqlite3
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING

from ..durable import sync_folder
from .selection import ExportError, Selection

if TYPE_CHECKING:
    from .compare import compare_csv, compare_headline_markdown, compare_json, compare_markdown, render_compare
    from .disputes import disputes_json, disputes_markdown
    from .markup import md, md_short, value_text
    from .records import CSV_FIELDS, JSON_FIELDS, LIST_FIELDS, LISTS, claim_record, record_lists
    from .relations import LISTED_IDS, RelationLister
    from .selection import BATCH, EXTENSIONS, FORMATS, ExportError, Selection, default_name, format_of, with_format
    from .stream import claims_markdown, render_claims, stream_claims, write_claims
    from .to_csv import csv_cell as _csv_cell
    from .to_markdown import LEGEND, ExportInfo, export_info, table_header

_WHERE = {  # name -> (module, its name there): imported on first use
    "BATCH": ("selection", "BATCH"),
    "CSV_FIELDS": ("records", "CSV_FIELDS"),
    "EXTENSIONS": ("selection", "EXTENSIONS"),
    "ExportError": ("selection", "ExportError"),
    "ExportInfo": ("to_markdown", "ExportInfo"),
    "FORMATS": ("selection", "FORMATS"),
    "JSON_FIELDS": ("records", "JSON_FIELDS"),
    "LEGEND": ("to_markdown", "LEGEND"),
    "LISTED_IDS": ("relations", "LISTED_IDS"),
    "LISTS": ("records", "LISTS"),
    "LIST_FIELDS": ("records", "LIST_FIELDS"),
    "RelationLister": ("relations", "RelationLister"),
    "Selection": ("selection", "Selection"),
    "_csv_cell": ("to_csv", "csv_cell"),
    "claim_record": ("records", "claim_record"),
    "claims_markdown": ("stream", "claims_markdown"),
    "compare_csv": ("compare", "compare_csv"),
    "compare_headline_markdown": ("compare", "compare_headline_markdown"),
    "compare_json": ("compare", "compare_json"),
    "compare_markdown": ("compare", "compare_markdown"),
    "default_name": ("selection", "default_name"),
    "disputes_json": ("disputes", "disputes_json"),
    "disputes_markdown": ("disputes", "disputes_markdown"),
    "export_info": ("to_markdown", "export_info"),
    "format_of": ("selection", "format_of"),
    "md": ("markup", "md"),
    "md_short": ("markup", "md_short"),
    "record_lists": ("records", "record_lists"),
    "render_claims": ("stream", "render_claims"),
    "render_compare": ("compare", "render_compare"),
    "stream_claims": ("stream", "stream_claims"),
    "table_header": ("to_markdown", "table_header"),
    "value_text": ("markup", "value_text"),
    "with_format": ("selection", "with_format"),
    "write_claims": ("stream", "write_claims"),
}

__all__ = [
    "BATCH",
    "CSV_FIELDS",
    "EXTENSIONS",
    "FORMATS",
    "JSON_FIELDS",
    "LEGEND",
    "LISTED_IDS",
    "LISTS",
    "LIST_FIELDS",
    "ExportError",
    "ExportInfo",
    "RelationLister",
    "Selection",
    "_csv_cell",
    "claim_record",
    "claims_markdown",
    "compare_csv",
    "compare_headline_markdown",
    "compare_json",
    "compare_markdown",
    "default_name",
    "disputes_json",
    "disputes_markdown",
    "export_info",
    "export_to",
    "format_of",
    "md",
    "md_short",
    "record_lists",
    "render_claims",
    "render_compare",
    "stream_claims",
    "table_header",
    "value_text",
    "with_format",
    "write_atomic",
    "write_claims",
    "write_stream",
]


def export_to(
    path: Path | str,
    conn: sqlite3.Connection,
    sel: Selection,
    fmt: str,
    *,
    force: bool = False,
    quotes: bool = False,
    info: ExportInfo | None = None,
    ids: bool = False,
) -> tuple[Path, int]:
    """Stream the export into `path` (write_atomic's rules); returns (path, claims written)."""
    written = [0]

    package = sys.modules[__name__]  # the package's stream_claims (imported on first use; a test may replace it)

    def write(out: IO[str]) -> None:
        written[0] = package.stream_claims(conn, out, sel, fmt, quotes=quotes, info=info, ids=ids)

    return write_stream(path, write, force=force), written[0]


# --- writing files ----------------------------------------------------------------------


def write_atomic(path: Path | str, text: str, *, force: bool = False) -> Path:
    """Write text to path through a temporary file and a rename (see write_stream)."""
    return write_stream(path, lambda out: out.write(text), force=force)


def write_stream(path: Path | str, write: Callable[[IO[str]], object], *, force: bool = False) -> Path:
    """Call write(out) with a text stream into a temporary file beside path, then rename it
    into place: never a partial file, never a silent overwrite (unless force). Raises
    ExportError with a plain message.

    Only a regular file is ever replaced. A FIFO or a character device (/dev/null,
    /dev/stdout, /dev/full) is written to as it is, never turned into a file; a block
    device or a socket is refused. A symbolic link to a file keeps the link: the file
    it points to is replaced. Without force the new file is linked into place, which
    fails if a file of that name appeared meanwhile (no race can overwrite it)."""
    path = Path(path).expanduser()
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as exc:  # a symlink loop, no permission to look
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise ExportError(f"{path} is a directory; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        return _write_in_place(path, write, st.st_mode)
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
        with os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 20) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        _move_into_place(tmp, target, force)
        sync_folder(parent)  # the new name on the disk too (the file was synced above)
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


def _write_in_place(path: Path, write: Callable[[IO[str]], object], mode: int) -> Path:
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
        fh = os.fdopen(fd, "w", encoding="utf-8", newline="", buffering=1 << 16)
    except OSError as exc:
        os.close(fd)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        write(fh)
        fh.flush()
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from exc
    finally:
        with contextlib.suppress(OSError):  # the data that could not be written was reported above
            fh.close()
    return path


def __getattr__(name: str) -> object:
    """A name of the package, imported from its module on first use: `pivot disputes` loads the
    disputes report, not the comparison, the JSON writer or the export in parts."""
    if name in _WHERE:
        module, attr = _WHERE[name]
        value = getattr(importlib.import_module(f".{module}", __name__), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
