"""Draft a source file from a page: one claim per figure, candidates for the quoted statements."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tui.store.model import Corpus
from tui.store.numbers import Figure, find_figures

from .context import Knowledge, entity_line, nearest_period, organisations, status_of, stems, years
from .page import Page
from .statements import statements
from .text import clause, paragraphs, sentences

LONG_SENTENCE = 220  # characters; a figure in a longer sentence is quoted by its clause


@dataclass
class DraftClaim:
    id: str
    entity: str
    topic: str
    summary: str
    quote: str
    metric: str
    value: float | int | list[float | int]
    unit: str
    bound: str
    period: str | None
    status: str
    checks: list[str] = field(default_factory=list)  # what the reviewer should look at, in words
    offset: int = 0  # of the quote in the text


@dataclass
class Candidate:
    id: str
    entity: str
    topic: str
    quote: str
    speaker: str | None
    status: str


@dataclass
class Draft:
    source_id: str
    page: Page
    claims: list[DraftClaim]
    candidates: list[Candidate]
    new_entities: list[tuple[str, str, str]]  # (name, id, ready line)
    undecided: list[str]  # what the drafter could not decide, in words
    skipped: list[str]  # figures seen but not drafted (no unit it knows)


def slug(text: str, words: int = 6) -> str:
    parts = [
        w
        for w in re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
        if w not in ("the", "a", "an", "of", "and", "to", "in", "for", "on", "s")
    ]
    return "-".join(parts[:words]) or "article"


def _fmt_value(f: Figure) -> str:
    def one(v: float | int) -> str:
        if f.unit in ("USD", "EUR", "GBP"):
            sign = {"USD": "$", "EUR": "€", "GBP": "£"}[f.unit]
            for scale, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
                if abs(v) >= scale:
                    return f"{sign}{v / scale:g} {word}"
            return f"{sign}{v:,}"
        if f.unit == "percent":
            return f"{v:g}%"
        return f"{v:,}"

    shown = one(f.low) if f.low == f.high else f"{one(f.low)}–{one(f.high)}".replace(" billion–", "–").replace(" million–", "–")
    if f.unit not in ("USD", "EUR", "GBP", "percent"):
        shown += f" {f.unit}"
    lead = {"approx": "about ", "at-least": "at least ", "at-most": "up to "}.get(f.bound, "")
    return lead + shown


def _metric_words(metric: str) -> str:
    words = [w for w in metric.split("-") if w not in ("usd", "pct", "eur", "gbp")]
    return " ".join("AI" if w == "ai" else w for w in words)


def draft(page: Page, corpus: Corpus, source_id: str) -> Draft:
    know = Knowledge.of(corpus)
    text = page.text
    paras = paragraphs(text)
    sents = sentences(text)
    article_mentions = know.mentions(text)
    main_entity = None
    if article_mentions:
        counts: dict[str, int] = {}
        for m in article_mentions:
            if know.kinds.get(m.entity) != "industry":
                counts[m.entity] = counts.get(m.entity, 0) + 1
        main_entity = max(counts, key=counts.__getitem__) if counts else article_mentions[0].entity
    fallback_entity = (
        main_entity or next((e for e, k in know.kinds.items() if k == "industry"), None) or next(iter(know.kinds), "unknown")
    )

    claims: list[DraftClaim] = []
    undecided: list[str] = []
    skipped: list[str] = []
    new_entities: dict[str, tuple[str, str, str]] = {}
    used_ids = set(know.claim_ids)
    prefix = source_id

    def new_id(base: str) -> str:
        cid, n = f"{prefix}-{base}", 2
        while cid in used_ids:
            cid, n = f"{prefix}-{base}-{n}", n + 1
        used_ids.add(cid)
        return cid

    for s in sents:
        figures = find_figures(s.text)
        if not figures:
            continue
        para = paras[s.paragraph]
        for f in figures:
            if f.unit is None:
                skipped.append(f.surface)
                continue
            checks: list[str] = []
            if len(figures) == 1 and len(s.text) <= LONG_SENTENCE:
                qa, qb = 0, len(s.text)
            else:
                qa, qb = clause(s.text, f.start, f.end)
            quote = s.text[qa:qb].strip()
            quote_at = s.start + qa + (len(s.text[qa:qb]) - len(s.text[qa:qb].lstrip()))
            # entity: the clause, the sentence, what comes before in the paragraph, before in the article
            entity = know.pick(know.mentions(quote))
            how = "quote"
            whole = know.pick(know.mentions(s.text))
            if entity is not None and whole in know.groups and entity in know.groups[whole]:
                entity = whole  # "Meta, Amazon, Microsoft, and Alphabet could ... $725 billion": the group
            if entity is None:
                entity, how = know.pick(know.mentions(s.text)), "sentence"
            if entity is None:
                before = text[para.start : s.start]
                entity, how = know.pick(know.mentions(before), nearest_to=len(before)), "paragraph"
            if entity is None:
                before = text[: para.start]
                entity, how = know.pick(know.mentions(before), nearest_to=len(before)), "an earlier paragraph"
            if entity is None:
                entity, how = fallback_entity, "guessed"
            if how in ("paragraph", "an earlier paragraph"):
                checks.append(f"entity from {how}")
            elif how == "guessed":
                checks.append("entity: no name in the text near the figure; guessed")
            for org in organisations(quote, know):
                eid, line = entity_line(org)
                new_entities.setdefault(eid, (org, eid, line))
                checks.append(f"the quote names {org!r}, not in entities.yaml (add it and write entity: {eid})")
            # metric, topic
            context = s.text[max(0, qa - 80) : qb + 40] + " " + f.noun
            metric, mhow = know.metric_for(f.unit, context)
            if metric is None:
                head = [w for w in stems(s.text[max(0, f.start - 60) : f.start]) if not w.isdigit()][-1:] or ["figure"]
                noun = f.noun if f.kind == "count" and f.noun else ""
                unit_word = {"USD": "usd", "percent": "pct"}.get(f.unit, re.sub(r"[^a-z0-9]+", "-", f.unit.lower()))
                metric = slug(" ".join([*head, noun if noun and noun != unit_word else "", unit_word]), 4)
                checks.append("metric: a new one (no claim uses it yet); name it for what is counted")
            elif mhow == "guessed":
                checks.append(f"metric: guessed ({metric} is the usual one for {f.unit})")
            topic, thow = know.topic_for(metric, s.text)
            if thow == "guessed":
                checks.append("topic: guessed")
            # period: the quote, the sentence, the paragraph
            period = nearest_period(quote, f.start - qa)
            if period is None:
                period = nearest_period(s.text, f.start)
                if period is not None:
                    checks.append("period from the sentence")
            if period is None:
                period = nearest_period(para.text, s.start - para.start + f.start)
                if period is not None:
                    checks.append("period from the paragraph")
            status, cue = status_of(s.text)
            if cue is None:
                checks.append(f"status: no wording decides it; {status} by default")
            name = know.entity_names.get(entity, entity)
            when = f" in {period}" if period else ""
            summary = f"{name}: {_metric_words(metric)} {_fmt_value(f)}{when}."
            value = f.low if f.low == f.high else [f.low, f.high]
            claims.append(
                DraftClaim(
                    new_id(metric),
                    entity,
                    topic,
                    summary,
                    quote,
                    metric,
                    value,
                    f.unit,
                    f.bound,
                    period,
                    status,
                    checks,
                    quote_at,
                )
            )
    candidates = []
    for st in statements(text, paras):
        before = text[: st.start]
        para = paras[st.paragraph]
        entity = (
            know.pick(know.mentions(text[para.start : para.end]))
            or know.pick(know.mentions(before), nearest_to=len(before))
            or fallback_entity
        )
        topic, _ = know.topic_for(None, st.quote)
        speaker = st.speaker
        status = "opinion" if speaker and re.search(r"analyst|director|professor|economist|expert", speaker, re.I) else "reported"
        candidates.append(Candidate(new_id("statement"), entity, topic, st.quote, speaker, status))
    for key in ("title", "publisher", "author", "published", "url"):
        if getattr(page, key) is None:
            undecided.append(
                f"{key}: the page does not say (left null{'; write a short description in brackets' if key == 'title' else ''})"
            )
    if not claims:
        undecided.append("no sentence states a figure with a unit the drafter knows; write the claims by hand")
    return Draft(source_id, page, claims, candidates, list(new_entities.values()), undecided, skipped)


def year_of(text: str) -> str | None:
    found = years(text)
    return found[0][1] if found else None
