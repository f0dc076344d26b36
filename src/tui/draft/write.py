"""The drafted source file as YAML, written the way the corpus is: one claim per block,
`draft: true` on each, what to check in comments beside it; and the saving of both files."""

from __future__ import annotations

import contextlib
import json
import os
import re
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
    from tui.store.fields import SOURCE_FIELDS

    line = f"as_of: {q(as_of)}  # from the article's dated lead: {comment(p.found.get('as_of', ''))}"
    return [line if "as_of" in SOURCE_FIELDS else f"# {line}"]


class WriteError(Exception):
    pass


def write_new(path: Path, text: str, shown: str) -> None:
    """Write a file that must not exist yet (never overwrites), through a temporary file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        try:
            os.link(tmp, path)  # fails if the file exists: never overwritten
        except FileExistsError:
            raise WriteError(f"{shown} already exists; not overwritten (choose another id with --id)") from None
        except OSError:
            # no hard links on this file system: exclusive create instead
            try:
                with open(path, "x", encoding="utf-8") as fh:
                    fh.write(text)
            except FileExistsError:
                raise WriteError(f"{shown} already exists; not overwritten (choose another id with --id)") from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
