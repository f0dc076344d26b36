"""The drafted source file as YAML, written the way the corpus is: one claim per block,
`draft: true` on each, what to check in comments beside it; and the saving of both files."""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import re
from collections.abc import Callable
from pathlib import Path

from .drafter import Draft
from .page import Page

_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]")


def q(text: str | None) -> str:
    """A YAML double-quoted scalar (JSON's escapes are YAML's), null for None."""
    if text is None:
        return "null"
    out = json.dumps(text, ensure_ascii=False)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", out)


def number(v: float | int | list[float | int]) -> str:
    if isinstance(v, list):
        return "[" + ", ".join(number(x) for x in v) + "]"
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def comment(text: str) -> str:
    return " ".join(_UNSAFE.sub(" ", text).split())


def render(d: Draft, document: str, typed_origin: str) -> str:
    p = d.page
    title = p.title
    if title is None:
        first = " ".join(p.text.split()[:8])
        title = f"[untitled: {first}…]"
    lines = [
        f"# Drafted by `pivot add` from {comment(typed_origin)}.",
        "# Every claim below says draft: true. Check each against the text (the quote, value, unit, bound,",
        "# period, entity, metric and status), fix what is wrong, write the summary in your own words,",
        "# then delete its `draft: true` line. `pivot check --strict` fails while drafts remain.",
    ]
    for key in ("title", "publisher", "author", "published", "url"):
        if key in p.found:
            lines.append(f"# {key}: from {comment(p.found[key])}")
    lines += [
        f"id: {d.source_id}",
        f"title: {q(title)}",
        f"publisher: {q(p.publisher)}",
        f"author: {q(p.author)}",
        f"published: {q(p.published)}",
        *_as_of(p),
        f"url: {q(p.url)}",
        "kind: news  # or analysis, blog, press-release, filing",
        f"document: {q(document)}",
        f"flags: [{', '.join(p.flags)}]  # also consider: anonymous-sourcing, secondary-reporting, unverified-figures, composite-examples",
        "notes: null",
    ]
    if d.new_entities:
        lines.append("# Entities the claims below use that entities.yaml does not list yet; add each line under")
        lines.append("# `entities:` in entities.yaml (pivot check fails until they are there):")
        lines += [f"# {p.line.strip()}" for p in d.new_entities]
    if d.new_metrics:
        from tui.store.metrics import registry_line

        lines.append("# New metrics the claims below use (no registry metric counts the same thing); check each name,")
        lines.append("# then add its line under `metrics:` in metrics.yaml, or use a registry metric that does count it:")
        lines += [f"# {registry_line(mid, unit).strip()}" for mid, unit, _ in d.new_metrics]
    lines.append("claims:" if d.claims else "claims: []")
    for c in d.claims:
        lines += [
            f"  - id: {c.id}",
            f"    entity: {c.entity}",
            f"    topic: {c.topic}",
            f"    summary: {q(c.summary)}",
            f"    quote: {q(c.quote)}",
            f"    metric: {c.metric}",
            f"    value: {number(c.value)}",
            f"    unit: {q(c.unit) if not re.fullmatch(r'[A-Za-z][A-Za-z-]*', c.unit) else c.unit}",
            f"    bound: {c.bound}",
            f"    period: {q(c.period)}",
            f"    status: {c.status}",
            *([f"    note: {q(c.note)}"] if c.note else []),
            "    draft: true",
        ]
        for check in c.checks:
            lines.append(f"    # check: {comment(check)}")
    if d.candidates:
        lines += [
            "  # Quoted statements: candidates for qualitative claims. To keep one, uncomment it, write its",
            "  # summary in your own words and check its entity, topic, speaker and status.",
        ]
        for cand in d.candidates:
            lines += [
                f"  # - id: {cand.id}",
                f"  #   entity: {cand.entity}",
                f"  #   topic: {cand.topic}",
                '  #   summary: "TODO: what is said, in your own words"',
                f"  #   quote: {q(cand.quote)}",
                f"  #   speaker: {q(cand.speaker)}",
                f"  #   status: {cand.status}",
                "  #   draft: true",
            ]
    return "\n".join(lines) + "\n"


def _as_of(p: Page) -> list[str]:
    """`as_of:` where the page prints no date but a dated lead ("As of mid-March 2026"); written
    as a comment where this version of the corpus format does not have the field yet."""
    as_of = getattr(p, "as_of", None)
    if not as_of or p.published:
        return []
    from tui.store import fields

    known = (*fields.SOURCE_FIELDS, *getattr(fields, "SOURCE_EXTENSION_FIELDS", ()))
    line = f"as_of: {q(as_of)}  # from the article's dated lead: {comment(p.found.get('as_of', ''))}"
    return [line if "as_of" in known else f"# {line}"]


class WriteError(Exception):
    pass


def write_all(files: list[tuple[Path, str, str]]) -> None:
    """Write new files (path, text, name as shown), all or none: each is written and synced to a
    temporary file beside it first; then each is linked into place (never over a file that
    exists); a failure at any point removes what this call made (files and folders) and says
    why in one line."""
    created_dirs: list[Path] = []
    temps: list[Path] = []
    placed: list[Path] = []
    try:
        for path, text, shown in files:
            for parent in reversed([path.parent, *path.parent.parents]):
                if not parent.exists():
                    _step(parent.mkdir, shown)
                    created_dirs.append(parent)
            tmp = path.with_name(f".{path.name[:200]}.{os.getpid()}.tmp")
            temps.append(tmp)
            _step(functools.partial(_write_synced, tmp, text), shown)
        for (path, text, shown), tmp in zip(files, temps, strict=True):
            _place(tmp, path, text, shown)
            placed.append(path)
        for folder in {path.parent for path, _, _ in files}:
            _sync_dir(folder)
    except BaseException:
        for path in [*placed, *temps]:
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in reversed(created_dirs):
            with contextlib.suppress(OSError):
                folder.rmdir()
        raise
    finally:
        for tmp in temps:
            with contextlib.suppress(OSError):
                tmp.unlink()


def _write_synced(tmp: Path, text: str) -> None:
    with open(tmp, "x", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())


def _place(tmp: Path, path: Path, text: str, shown: str) -> None:
    try:
        os.link(tmp, path)  # fails if the file exists: never overwritten
        return
    except FileExistsError:
        raise WriteError(f"{shown} already exists; not overwritten (choose another id with --id); nothing written") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
            raise WriteError(f"cannot write {shown}: {_why(exc)}; nothing written") from None
    # no hard links on this file system: exclusive create instead
    try:
        with open(path, "x", encoding="utf-8") as fh:
            try:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            except BaseException:
                fh.close()
                path.unlink()
                raise
    except FileExistsError:
        raise WriteError(f"{shown} already exists; not overwritten (choose another id with --id); nothing written") from None
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {_why(exc)}; nothing written") from None


def _step(action: Callable[[], object], shown: str) -> None:
    try:
        action()
    except FileExistsError:
        raise WriteError(f"cannot write {shown}: a leftover temporary file is in the way; nothing written") from None
    except OSError as exc:
        raise WriteError(f"cannot write {shown}: {_why(exc)}; nothing written") from None


def _why(exc: OSError) -> str:
    return {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "the disk quota is full",
        errno.EFBIG: "the file is larger than this system allows",
        errno.ENAMETOOLONG: "the file name is too long",
        errno.EACCES: "permission denied",
        errno.EROFS: "the folder is read-only",
    }.get(exc.errno or 0, exc.strerror or str(exc))


def _sync_dir(folder: Path) -> None:
    """The new names survive a power cut too (the folder's entries synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
