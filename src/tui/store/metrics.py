"""The registry of quantities, `data/metrics.yaml` (optional): what each metric counts, the
unit its figures carry, the label comparisons show, the words articles use for it, and the
metrics it must never be confused with.

Read and checked with the rest of the corpus (store/load.py calls `read_metrics` and
`check_metrics`), kept in the store's `metrics` table (`insert_metrics`), and asked for a
label by whatever shows a metric (`metric_labels`, else `fallback_label`). A metric a claim uses and the registry
does not list still works: `metric_warnings` says so only where no other source uses it
either (a figure compared with nothing).
"""

from __future__ import annotations

import difflib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from .fields import SLUG, HintedProblem, _did_you_mean, _mapping_list, _Record, _slug, _text, _text_list
from .files import BASE_FILES, FileState, state_of
from .model import Corpus, Metric, Problem
from .schema import METRICS_SQL
from .yamlread import _show, parse_yaml, read_bytes

METRICS_FILE = "metrics.yaml"
METRIC_FIELDS = ("id", "label", "unit", "counts", "words", "not", "topic")


def read_metrics(
    data_dir: Path, label: str, problems: list[Problem], states: dict[str, FileState] | None = None
) -> list[tuple[Metric, _Record]]:
    """The registry's entries with their records (for the cross-checks); [] where the corpus
    has no metrics.yaml. The file's state is recorded only where the store tracks it."""
    path = data_dir / METRICS_FILE
    if not os.path.lexists(path):
        return []
    raw, st, ps = read_bytes(path, label)
    if raw is None or st is None:
        problems += ps
        return []
    if states is not None and METRICS_FILE in BASE_FILES:
        states[METRICS_FILE] = state_of(METRICS_FILE, st, raw)
    data, ps = parse_yaml(raw, label)
    if ps:
        problems += ps
        return []
    return parse_metrics(data, label, problems)


def parse_metrics(data: Any, file: str, problems: list[Problem]) -> list[tuple[Metric, _Record]]:
    out = []
    for m in _mapping_list(data, "metrics", file, problems):
        r = _Record(m, file, "a metric", problems)
        r.unknown(METRIC_FIELDS)
        metric = Metric(
            id=r.get("id", _slug, True),
            label=r.get("label", _text, True),
            unit=r.get("unit", _text, True),
            counts=r.get("counts", _text),
            words=r.get("words", _text_list) or [],
            opposites=r.get("not", _text_list) or [],
            topic=r.get("topic", _slug),
            file=file,
            line=r.line(),
        )
        out.append((metric, r))
    return out


def check_metrics(metrics: list[tuple[Metric, _Record]], topics: set[str], problems: list[Problem]) -> None:
    """Unique ids; `not` names other entries of the registry; `topic` a known topic."""
    seen: dict[str, _Record] = {}
    for m, r in metrics:
        if m.id is None:
            continue
        if m.id in seen:
            r.problem("id", f"duplicate metric id {_show(m.id)} (first defined at {r.file}:{seen[m.id].line()})")
        else:
            seen[m.id] = r
    for m, r in metrics:
        for other in m.opposites:
            if other == m.id:
                r.problem("not", f"{_show(m.id)} cannot be its own opposite")
            elif other not in seen:
                r.problem("not", f"unknown metric {_show(other)}{_did_you_mean(other, seen)}")
        if m.topic is not None and m.topic not in topics:
            r.problem("topic", f"unknown topic {_show(m.topic)}{_did_you_mean(m.topic, topics)}")


def metric_warnings(corpus: Corpus) -> list[Problem]:
    """`pivot check`'s warnings about metrics, where the corpus has a registry: a metric that no
    registry entry and no other source knows (its figure is compared with nothing), with the
    metric it looks like or the registry line to add; a figure whose unit is not its metric's."""
    if not corpus.metrics:
        return []  # a corpus without a registry: load.corpus_warnings' own metric check
    registry = {m.id: m for m in corpus.metrics}
    used: dict[str, set[str]] = {}
    for s in corpus.sources:
        for c in s.claims:
            if c.metric:
                used.setdefault(c.metric, set()).add(s.id)
    out: list[Problem] = []
    for c in corpus.claims:
        if not c.metric:
            continue
        known = registry.get(c.metric)
        if known is not None:
            if c.unit and c.unit.casefold() != known.unit.casefold():
                out.append(
                    Problem(
                        c.file,
                        c.at("unit"),
                        "unit",
                        f"warning: metric {c.metric!r} counts {known.unit} (metrics.yaml); this figure says {c.unit}",
                    )
                )
            continue
        if used[c.metric] - {c.source}:
            continue
        others = sorted(set(registry) | {m for m, srcs in used.items() if srcs - {c.source}})
        close = [o for o in difflib.get_close_matches(c.metric, others, n=3, cutoff=0.85) if o.count("-") == c.metric.count("-")]
        message = (
            f"warning: {_show(c.metric)} is in no entry of {METRICS_FILE} and no other source uses it, "
            "so this figure is compared with nothing"
        )
        if close:
            out.append(Problem(c.file, c.at("metric"), "metric", f"{message} (did you mean {close[0]!r}?)"))
        else:
            out.append(
                HintedProblem(
                    c.file,
                    c.at("metric"),
                    "metric",
                    message,
                    f"if it is new, add to {METRICS_FILE}:{registry_line(c.metric, c.unit)}",
                )
            )
    return out


def registry_line(metric: str, unit: str | None, counts: str | None = None) -> str:
    """A ready-to-paste metrics.yaml line for a metric the registry does not list."""
    counts_part = f", counts: {json.dumps(counts, ensure_ascii=False)}" if counts else ""
    unit_part = json.dumps(unit, ensure_ascii=False) if unit and not unit.replace(" ", "").isalpha() else unit
    return f"  - {{id: {metric}, label: {json.dumps(fallback_label(metric))}, unit: {unit_part or 'null'}{counts_part}}}"


def fallback_label(metric: str) -> str:
    """A readable label from a metric id where the registry gives none: `ai-capex-usd` ->
    'AI capex (USD)', `workforce-cut-pct` -> 'Workforce cut (%)'."""
    if not SLUG.match(metric):
        return metric
    words = metric.split("-")
    suffix = {"usd": " (USD)", "pct": " (%)", "eur": " (EUR)", "gbp": " (GBP)"}.get(words[-1], "") if len(words) > 1 else ""
    if suffix:
        words = words[:-1]
    shown = [w.upper() if w in ("ai", "us", "uk", "eu", "hr", "ceo") else w for w in words]
    text = " ".join(shown)
    return text[:1].upper() + text[1:] + suffix


# --- the store ------------------------------------------------------------------------------


def insert_metrics(conn: sqlite3.Connection, metrics: list[Metric]) -> None:
    """The `metrics` table of a store being built: one row per registry entry."""
    conn.execute(METRICS_SQL)
    conn.executemany(
        "INSERT INTO metrics (id, label, unit, counts, words, opposites, topic) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (m.id, m.label, m.unit, m.counts, json.dumps(m.words, ensure_ascii=False), json.dumps(m.opposites), m.topic)
            for m in metrics
        ],
    )


def metric_labels(conn: sqlite3.Connection) -> dict[str, str]:
    """metric id -> its registry label (metrics the registry does not list are absent)."""
    try:
        return dict(conn.execute("SELECT id, label FROM metrics"))
    except sqlite3.OperationalError:  # a store built before the registry had a table
        return {}


def registry_of(conn: sqlite3.Connection) -> list[Metric]:
    """The registry as the store keeps it (what `pivot add` knows without reading YAML)."""
    try:
        rows = conn.execute("SELECT id, label, unit, counts, words, opposites, topic FROM metrics ORDER BY rowid").fetchall()
    except sqlite3.OperationalError:
        return []
    return [Metric(i, lb, u, c, json.loads(w or "[]"), json.loads(o or "[]"), t) for i, lb, u, c, w, o, t in rows]
