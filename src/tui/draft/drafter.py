# Long because it is one pass over a page's figures: each figure's entity, metric, period,
# bound and framing are decided against the same sentence and its neighbours, and the
# choices lean on one another (a period carried from the sentence before, a table row's
# heading); split, the rules would each need the whole sentence context passed around.
"""Draft a source file from a page: one claim per figure, candidates for the quoted statements.

For each figure of each sentence (store/numbers.py reads them), in the order of the text:
- its own words: the stretch of its sentence from the figure before it to the figure after;
- what it counts and the metric (meaning.py: noun and verb, mapped onto the registry only when
  both match; otherwise a new metric named after the quantity, with a `# check:`);
- who it is about (the subject of its words or clause, also through "it", "its", "the
  company"; an industry or group where the words say so; an organisation the corpus lacks
  where a proper name owns the figure);
- its period (its own words, its clause, a year the whole sentence is set in, else the period
  the article last gave for the same entity and kind of quantity, else null with a `# check:`
  saying the year the model will presume from the page's date) and status (reading.py);
- its quote: its sentence, or where that is long or is about several entities, its clause
  reaching back to its subject; a table row's label and value.
Then one claim per figure per article: a figure repeated (the headline's and the body's, a
rounded "nearly 7,000" for "6,988") is one claim, kept where its words carry the most (a
period, the entity named), with the repeats in its note. Linear in the page: names are found
in one pass, periods and entities carried forward, never searched for backwards.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

from tui.store.model import Corpus
from tui.store.numbers import Figure, find_figures

from .context import GROUP_CUE, INDUSTRY_CUE, NOT_SUBJECT_BEFORE, PRONOUN, Knowledge, Mention, Names, Proposed
from .meaning import Reading, family_of, new_metric_id, read_figure, read_phrase, topic_of, words_of
from .page import Page
from .reading import Period, is_base, page_year_of, periods, status_of
from .statements import statements
from .tables import Column, Table, tables
from .text import Sentence, Span, clause, paragraphs, sentences

LONG_SENTENCE = 220  # characters; a figure in a longer sentence is quoted by its clause
ILLUSTRATION = re.compile(
    r"\bto give (?:a|an) (?:sense|idea)\b|\bhypothetical(?:ly)?\b|\bsuppose\b|\blet['’]?s say\b|"
    r"\bworked example\b|\b\d{2}-year-old\b",
    re.I,
)
CONDITION = re.compile(r"(?:If|Unless|Should|Suppose|Supposing)\b[^,;:]*", re.I)  # the if-clause opening a sentence
GENERIC = re.compile(  # a figure for a kind of thing, not for anyone's: "a single (state-of-the-art) training run"
    r"\b(?:a|one|each|any)\s+(?:single|typical|average|standard|given)\b|\bthe\s+(?:typical|average)\s+(?!of\b)", re.I
)
FURNITURE = re.compile(
    r"\b(?:subscribe|sign up|premium|newsletter|% off|discount|promo|coupon|cookie|advertisement|min read|read more)\b", re.I
)
PROGRESS_EVERY = 2000  # sentences between two progress lines on long pages


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
    note: str | None = None
    new_metric: bool = False
    family: str | None = None
    weight: int = 0  # how much its words carry (a period, the entity named): the repeat kept is the heaviest
    headline: bool = False
    own_entity: bool = True  # its entity is named in its own sentence
    entity_strength: int = 2  # 2 named in its sentence, 1 through "it" / "the company", 0 from an earlier sentence
    period_stated: bool = False  # its period is in its own sentence (not carried from another, not a table row's label)
    status_cue: str | None = None  # the words that decided its status (None: reported by default)
    condition: bool = False  # in an if-clause ("If Meta navigates a 20% cut, ..."): a claim only as a repeat
    repeats: int = 0


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
    new_entities: list[Proposed]  # organisations and groups the corpus lacks, each with its entities.yaml line
    undecided: list[str]  # what the drafter could not decide, in words
    skipped: list[str]  # figures seen but not drafted (no unit, an example), in words
    new_metrics: list[tuple[str, str, str]] = field(default_factory=list)  # (id, unit, what it counts)


def slug(text: str, words: int = 6) -> str:
    parts = [
        w
        for w in re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
        if w not in ("the", "a", "an", "of", "and", "to", "in", "for", "on", "s")
    ]
    return "-".join(parts[:words]) or "article"


# --- values and summaries ------------------------------------------------------------------------


def fmt_value(low: float | int, high: float | int, unit: str, bound: str) -> str:
    money = {"USD": "$", "EUR": "€", "GBP": "£", "USD per share": "$"}

    def one(v: float | int) -> str:
        if unit in money:
            for scale, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
                if abs(v) >= scale:
                    return f"{money[unit]}{v / scale:g} {word}"
            return f"{money[unit]}{v:,}"
        if unit == "percent":
            return f"{v:g}%"
        if unit == "times":
            return f"{v:g} times"
        for scale, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
            if abs(v) >= scale:
                return f"{v / scale:g} {word}"
        return f"{v:,}"

    shown = one(low) if low == high else f"{one(low)}–{one(high)}"
    for word in (" trillion", " billion", " million"):
        if shown.count(word) == 2:
            shown = shown.replace(word + "–", "–", 1)
    lead = {"approx": "about ", "at-least": "more than ", "at-most": "up to "}.get(bound, "")
    return lead + shown


def _period_words(period: str | None) -> str:
    if not period:
        return ""
    if period.startswith("by "):
        return " " + period
    if period.endswith("s") and period[:4].isdigit():
        return f" in the {period}"
    if period.endswith("quarter"):
        return f" in the {period}"
    return f" in {period}"


VERBS = {  # (verb concept) -> status -> how the summary says it
    "cut": {"reported": "cut", "confirmed": "confirmed cutting", "planned": "plans to cut", "possible": "could cut",
            "projected": "expects to cut", "estimated": "cut an estimated", "illustrative": "would cut"},
    "cancel": {"reported": "cancelled", "confirmed": "confirmed cancelling", "planned": "plans to cancel",
               "possible": "could cancel", "projected": "expects to cancel", "estimated": "cancelled an estimated"},
    "retire": {"reported": "offered voluntary retirement to", "confirmed": "confirmed offering voluntary retirement to",
               "planned": "plans to offer voluntary retirement to", "possible": "could offer voluntary retirement to",
               "projected": "expects to offer voluntary retirement to", "estimated": "offered voluntary retirement to"},
    "hire": {"reported": "hired", "confirmed": "confirmed hiring", "planned": "plans to hire", "possible": "could hire",
             "projected": "expects to hire", "estimated": "hired an estimated"},
    "spend": {"reported": "spent", "confirmed": "confirmed spending", "planned": "plans to spend", "possible": "could spend",
              "projected": "expects to spend", "estimated": "is estimated to spend"},
    "lose": {"reported": "lost", "confirmed": "reported losing", "planned": "expects to lose", "possible": "could lose",
             "projected": "expects to lose", "estimated": "lost an estimated"},
    "save": {"reported": "saved", "confirmed": "confirmed saving", "planned": "plans to save", "possible": "could save",
             "projected": "expects to save", "estimated": "saves an estimated"},
}  # fmt: skip
BE = {"reported": "was", "confirmed": "was", "planned": "is planned at", "possible": "could reach",
      "projected": "is expected to be", "estimated": "is estimated at", "opinion": "is", "illustrative": "would be"}  # fmt: skip
WHAT_SPENT = {"capex": "capital expenditure", "spending": "", "cost": ""}


def _possessive(name: str) -> str:
    return f"{name}’" if name.endswith("s") else f"{name}’s"


def summary_of(name: str, reading: Reading, metric_words: str, c: DraftClaim, f: Figure, direction: str) -> str:
    """The claim in a sentence of its own: subject, verb, figure, period ("Meta plans to cut
    about 8,000 employees in 2026.", "Alphabet’s quarterly revenue was $113.8 billion in Q4.")."""
    low, high = f.low, f.high
    value = fmt_value(low, high, c.unit, c.bound)
    if c.status == "estimated" and value.startswith("about "):
        value = value[len("about ") :]
    counted = c.unit not in ("USD", "EUR", "GBP", "USD per share", "percent", "times")
    with_unit = f"{value} {c.unit}" if counted and c.unit not in metric_words else value
    when = _period_words(c.period)
    verbs = VERBS.get(reading.verb or "")
    noun = (f.noun or (reading.noun_words[0] if reading.noun_words else "")).replace("_", " ")
    if reading.change:
        if verbs and reading.verb == "spend":
            verb = verbs.get(c.status, verbs["reported"])
            return _sentence(f"{name} {verb} {value} more{when}")
        moved = "fell" if direction == "down" else "rose"
        if c.status in ("projected", "planned", "possible"):
            moved = {"projected": "is expected to", "planned": "is planned to", "possible": "could"}[c.status] + (
                " fall" if direction == "down" else " rise"
            )
        return _sentence(f"{_possessive(name)} {metric_words} {moved} by {value}{when}")
    if reading.noun == "severance" and c.unit == "weeks":
        pays = {"planned": "will pay", "projected": "expects to pay", "possible": "could pay"}.get(c.status, "pays")
        per = " per year of service" if "per year of service" in metric_words else ""
        return _sentence(f"{name} {pays} {value} weeks of severance{per}{when}")
    if verbs and reading.noun in ("staff", "roles", "workforce", "openings"):
        verb = verbs.get(c.status, verbs["reported"])
        if verb.endswith("an estimated") and value.split()[0] in ("more", "up", "about"):
            verb = verb[: -len(" an estimated")]
        if c.unit == "percent":
            return _sentence(f"{name} {verb} {value} of its workforce{when}")
        what = (
            noun
            if noun and noun not in ("people", "cuts", "layoffs", "layoff", "job cuts")
            else ("roles" if reading.noun == "roles" else "jobs")
        )
        if reading.noun == "openings" and reading.verb == "cancel" and "open" not in what:
            what = f"open {what}"
        return _sentence(f"{name} {verb} {value} {what}{when}")
    if verbs and reading.noun in ("capex", "spending", "cost", "loss", None) and reading.verb in ("spend", "lose", "save"):
        verb = verbs.get(c.status, verbs["reported"])
        on = WHAT_SPENT.get(reading.noun or "", "")
        on = on or (re.sub(r"\s*\b(?:investment|spending|capex|usd)$", "", metric_words) if reading.verb == "spend" else "")
        tail = f" on {on}" if on and reading.verb == "spend" else ""
        return _sentence(f"{name} {verb} {value}{tail}{when}")
    if reading.noun == "openings" and reading.verb == "open":
        return _sentence(f"{name} lists {with_unit} {metric_words}{when}")
    be = BE.get(c.status, "was")
    return _sentence(f"{_possessive(name)} {metric_words} {be} {with_unit}{when}")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] + "."


# --- the draft -----------------------------------------------------------------------------------


@dataclass
class _Ctx:
    """What the reading of the article carries forward, never searched for backwards."""

    subject: str | None = None  # the entity the last sentence with one was about
    last_group: str | None = None
    periods: dict[tuple[str, str | None], tuple[str, int]] = field(default_factory=dict)  # (entity, family) -> (period, sentence)
    last_period: dict[str, tuple[str, int]] = field(default_factory=dict)  # entity -> (period, sentence)
    section: str | None = None  # the period a heading gave
    stated: dict[str, str] = field(default_factory=dict)  # "Q1" -> "Q1 2026" where the article gave its year
    last_entity_in_paragraph: dict[int, str] = field(default_factory=dict)
    last_reading: dict[str, tuple[Reading, int]] = field(default_factory=dict)  # entity -> what its last figure counted
    section_at: int = -1  # the sentence of the last heading with a period
    last_group_listed: bool = False  # the last group was named by listing its members
    # (entity, family) -> the period a figure's own sentence gave it, and that sentence
    given: dict[tuple[str, str | None], tuple[str, int]] = field(default_factory=dict)
    carried: set[tuple[tuple[str, str | None], int]] = field(default_factory=set)  # periods carried into a sentence
    referent: str | None = None  # the family "This outlay" / "These cuts" at the start of this sentence points back to


@dataclass
class _Fig:
    """A figure with what is read of it before its claim is written."""

    f: Figure
    own: tuple[int, int]  # its own words in the sentence
    clause: tuple[int, int]
    reading: Reading
    mods: list[str]
    base: bool
    entity: str = ""
    how: str = ""
    period: str | None = None
    column: Column | None = None  # the table column it sits in


BOUNDARY = re.compile(
    r",\s|;\s|\s[–—-]\s|\s\((?!\w+\))|\s(?:and|while|whereas|but|as|versus|vs\.?|compared (?:with|to)|after|before)\s", re.I
)
TIME_WITHOUT_YEAR = re.compile(
    rf"\b(?:in|on|since|by|until|from|during)\s+(?:early\s+|late\s+|mid-?)?(?:{'January|February|March|April|May|June|July|August|September|October|November|December'})\b(?!\s+\d)"
    r"|\b(?:this|last|next|earlier this|later this)\s+(?:week|month)\b|\byesterday\b|\btoday\b",
)
ANNUAL = re.compile(
    r"\bannual(?:ly)?\b|\ba year\b(?!\s+(?:earlier|ago|before|later|on year))|\bper year\b|\beach year\b|\bevery year\b|\bannu\w*$",
    re.I,
)


def _own_stretches(text: str, figures: list[Figure]) -> list[tuple[int, int]]:
    """Each figure's own words: the text between it and its neighbours, cut between two figures
    at the first clause boundary ("..., and", ", while", " versus ") so that each keeps its side."""
    out = []
    for k, f in enumerate(figures):
        a = 0
        if k:
            prev_end = figures[k - 1].end
            cut = BOUNDARY.search(text, prev_end, f.start)  # the first: "... 14% for the week and Microsoft and Meta off 8%"
            a = cut.end() if cut else prev_end
        b = len(text)
        if k + 1 < len(figures):
            nxt = figures[k + 1].start
            cut = BOUNDARY.search(text, f.end, nxt)
            b = cut.start() if cut else nxt
        out.append((a, b))
    return out


def draft(page: Page, corpus: Corpus | Knowledge, source_id: str, progress: Callable[[str], None] | None = None) -> Draft:
    know = corpus if isinstance(corpus, Knowledge) else Knowledge.of(corpus)
    text = page.text
    paras = paragraphs(text)
    sents = sentences(text, paras)
    title_line = _title_line(text, page.title)
    title_span = None
    if title_line is not None and page.title:
        at = text.find(page.title)
        title_span = (at, at + len(page.title))
    names = Names(text, know, {title_line} if title_line is not None else set())
    page_year = page_year_of(page.published, getattr(page, "as_of", None))
    ctx = _Ctx()
    claims: list[DraftClaim] = []
    skipped: list[str] = []
    used_ids = set(know.taken_ids)
    counts: dict[str, int] = {}
    for m in names.mentions:
        if names.kind(m.entity) not in ("industry",):
            counts[m.entity] = counts.get(m.entity, 0) + 1
    main_entity = max(counts, key=lambda e: counts[e]) if counts else (know.industry() or next(iter(know.entities), "unknown"))
    listed = [_companies_named(s, names) for s in sents]

    next_n: dict[str, int] = {}

    def new_id(base: str) -> str:
        cid, n = f"{source_id}-{base}", next_n.get(base, 2)
        if n > 2 or cid in used_ids:
            cid = f"{source_id}-{base}-{n}"
            while cid in used_ids:
                n += 1
                cid = f"{source_id}-{base}-{n}"
            next_n[base] = n + 1
        else:
            next_n[base] = 2
        used_ids.add(cid)
        return cid

    tabs = tables(text, paras, names)
    headers: dict[int, Table] = {t.header: t for t in tabs}
    row_of: dict[int, Table] = {r: t for t in tabs for r in t.rows}
    leads: dict[int, dict[str, Reading]] = {}  # a table -> what its lead-in's figures count, by unit
    last_read: tuple[int, dict[str, Reading]] = (-1, {})  # the last sentence with figures, and what they count
    long_page = len(sents) > PROGRESS_EVERY
    for si, s in enumerate(sents):
        if progress is not None and long_page and si and si % PROGRESS_EVERY == 0:
            progress(f"drafting: sentence {si:,} of {len(sents):,}, {len(claims):,} figures so far")
        if s.paragraph in headers:  # a table's column headers: what its rows' figures are of
            leads[s.paragraph] = last_read[1] if last_read[0] == si - 1 else {}
            continue
        table = row_of.get(s.paragraph)
        if table is not None:
            s.row, s.heading = not s.table, False
        ps = periods(s.text, page_year)
        if table is not None:
            label_end = table.label_end.get(paras[s.paragraph].start, -1)
            for per in ps:  # "Job Reductions (2025-2026) 8,000 ...": the row's label, not the cell's own words
                per.label = per.label or s.start + per.start < label_end
        _note_stated(ps, ctx)
        ctx.referent = _referent(s.text)
        figures = find_figures(s.text)
        near = [listed[j] for j in (si, si + 1, si - 1) if 0 <= j < len(sents)]
        subject = _subject_of(s, names, know, ctx, near)
        if s.heading:
            good = [p for p in ps if p.value and not p.base and not re.fullmatch(r"\d{4}-\d{4}", p.value)]
            if good:
                ctx.section, ctx.section_at = _with_year(good[0], ctx), si
            elif not figures:
                ctx.section = None  # a heading without a period ends the last one's section
        if not figures:
            if subject and table is None:
                ctx.subject = subject
            good = [p for p in ps if p.value and not p.base and not p.as_of and not p.label]
            holder = subject or ctx.subject
            if good and holder and not s.heading:
                ctx.periods[(holder, None)] = (_with_year(good[0], ctx) or "", si)
            continue
        if ILLUSTRATION.search(s.text):
            skipped += [f"{f.surface!r} (an example the article gives)" for f in figures]
            continue
        if FURNITURE.search(s.text) and not any(f.unit in ("employees", "roles") for f in figures):
            skipped += [f"{f.surface!r} (page furniture)" for f in figures]
            continue
        kept: list[Figure] = []
        for f in figures:
            unit = f.unit or _bare_unit(s, f, claims)
            if unit is None:
                skipped.append(f"{f.surface!r} (no unit the drafter knows)")
                continue
            f.unit = unit
            kept.append(f)
        if not kept:
            continue
        stretches = _own_stretches(s.text, kept)
        figs: list[_Fig] = []
        topic: Reading | None = None
        lead = leads.get(table.header, {}) if table is not None else {}
        for f, own in zip(kept, stretches, strict=True):
            if s.table or (s.row and "\t" in s.text):
                own = _table_stretch(s.text, f)
            ca, cb = clause(s.text, f.start, f.end)
            base = is_base(s.text, f.start)
            r, mods = read_figure(
                f.unit or "",
                base,
                f.surface,
                s.text[own[0] : f.start],
                s.text[f.end : own[1]],
                s.text[ca : f.start],
                s.text[f.end : cb],
                s.text[: f.start],
                s.text[f.end :],
                topic or lead.get(f.unit or ""),  # a row labelled "Magnitude": what the lead-in's figure counts
            )
            if topic is None and r.noun is not None:
                topic = r
            figs.append(_Fig(f, own, (ca, cb), r, mods, base))
            if table is not None and s.start + f.start in table.cells:
                figs[-1].column = table.columns[table.cells[s.start + f.start]]
        headline_here = s.heading or (title_span is not None and title_span[0] <= s.start < title_span[1])
        headline_here = headline_here or (page.title is not None and s.text.strip() == page.title)  # a headline printed again
        for fig in figs:
            found, fig.how = _entity_of(s, fig, names, know, ctx, near)
            fig.entity = found or main_entity
            if found is None:
                fig.how = "guessed"
            if fig.column is not None and fig.column.entity is not None:
                fig.entity, fig.how = fig.column.entity, "own"  # its column's header names it
            money = fig.f.unit in ("USD", "EUR", "GBP")
            if fig.reading.noun is None and money:  # "the $700B threshold": the quantity the article was speaking of
                prior = ctx.last_reading.get(fig.entity) or next(
                    (ctx.last_reading[g] for g in know.groups_containing(fig.entity) if g in ctx.last_reading), None
                )
                if prior is not None and prior[1] >= si - 2:
                    r0 = prior[0]
                    fig.reading.noun, fig.reading.verb, fig.reading.noun_words = r0.noun, r0.verb, r0.noun_words
                    fig.reading.qualifiers |= r0.qualifiers
        condition = CONDITION.match(s.text)
        for fig in figs:
            claim = _one_claim(s, fig, figs, ps, names, know, ctx, si, page_year, headline_here)
            claim.condition = condition is not None and fig.f.end <= condition.end()
            claim.id = new_id(claim.metric)
            claims.append(claim)
            ctx.last_entity_in_paragraph[s.paragraph] = claim.entity
            if fig.reading.noun is not None and not fig.base:
                ctx.last_reading[claim.entity] = (fig.reading, si)
        last_read = (si, {fig.f.unit or "": fig.reading for fig in reversed(figs) if fig.reading.noun is not None})
        if subject and table is None:
            ctx.subject = subject
    claims = _one_per_figure(claims)
    skipped += [f"{c.quote[:60]!r} (a condition the article sets, not a figure it states)" for c in claims if c.condition]
    claims = [c for c in claims if not c.condition]
    candidates = _candidates(text, paras, names, know, main_entity, new_id)
    used = {c.entity for c in claims} | {c.entity for c in candidates}
    proposed = [p for p in names.proposed.values() if p.id in used]
    for p in list(proposed):
        for mid in p.members:
            if mid in names.proposed and names.proposed[mid] not in proposed:
                proposed.insert(0, names.proposed[mid])
    undecided = []
    for key in ("title", "publisher", "author", "published", "url"):
        if getattr(page, key) is None:
            undecided.append(
                f"{key}: the page does not say (left null{'; write a short description in brackets' if key == 'title' else ''})"
            )
    if not claims:
        undecided.append("no sentence states a figure with a unit the drafter knows; write the claims by hand")
    new_metrics: dict[str, tuple[str, str, str]] = {}
    for c in claims:
        if c.new_metric and c.metric not in new_metrics:
            new_metrics[c.metric] = (c.metric, c.unit, c.metric.replace("-", " "))
    return Draft(source_id, page, claims, candidates, proposed, undecided, skipped, list(new_metrics.values()))


def _table_stretch(text: str, f: Figure) -> tuple[int, int]:
    """A table row's figure: its row's label cell and its own cell."""
    cells = list(re.finditer(r"[^|\t]+", text))
    holder = next((c for c in cells if c.start() <= f.start < c.end()), None)
    first = next((c for c in cells if c.group().strip()), None)
    if holder is None or first is None:
        return 0, len(text)
    return first.start(), holder.end()


def _one_claim(
    s: Sentence,
    fig: _Fig,
    figs: list[_Fig],
    ps: list[Period],
    names: Names,
    know: Knowledge,
    ctx: _Ctx,
    si: int,
    page_year: int | None,
    headline: bool = False,
) -> DraftClaim:
    f, r, own = fig.f, fig.reading, fig.own
    checks: list[str] = []
    text = s.text
    entity = fig.entity
    if fig.how == "earlier":
        checks.append(f"entity: {entity}, from an earlier sentence (this one names no one)")
    elif fig.how == "generic":
        checks.append(f"entity: {entity}, as the figure is for a kind of thing ('a single ...', 'a typical ...'), no one's")
    elif fig.how == "guessed":
        checks.append("entity: no name in the text near the figure; guessed")
    if fig.column is not None and s.row and "\t" not in s.text:
        checks.append(
            f"table: placed under the column {fig.column.heading!r} by its order in the row (the row's cells are not separated)"
        )
    if entity in names.proposed:
        p = names.proposed[entity]
        checks.append(
            f"entity: {p.name} is not in entities.yaml; add its line (printed by pivot add, and at the top of this file)"
        )
    # --- metric
    unit = f.unit or ""
    metric_obj, _ = know.registry.match(unit, r)
    new_metric = metric_obj is None
    if metric_obj is not None:
        metric = metric_obj.id
        nots = f"; not {', '.join(metric_obj.opposites)}" if metric_obj.opposites else ""
        checks.append(f"metric: {metric} counts {metric_obj.counts or metric_obj.label}{nots}")
        label = metric_obj.label
        metric_words = label[:1].lower() + label[1:] if not label[1:2].isupper() else label
        metric_words = re.sub(r"\s*\((?:USD|%|EUR|GBP)\)$", "", metric_words)
    else:
        metric = new_metric_id(r, unit, fig.mods, names.name_words)
        used_unit = know.used(metric)[0]
        if used_unit is not None and used_unit.casefold() != unit.casefold():
            metric = f"{metric}-{re.sub(r'[^a-z0-9]+', '-', unit.lower())}"
        checks.append(
            f"metric: {metric} is new (no registry metric counts this); name it for what is counted, or use a registry metric that does"
        )
        metric_words = re.sub(r"-(?:usd|pct|eur|gbp|usd-per-share)$", "", metric).replace("-", " ")
        metric_words = re.sub(r"\bai\b", "AI", metric_words)
    topic = know.used(metric)[1] or topic_of(r) or _topic_by_words(text, know)
    if topic not in know.topics:
        topic = _topic_by_words(text, know)
    # --- period
    family = family_of(r)
    period, phow, from_label = _period_of(s, fig, figs, ps, know, ctx, si)
    fig.period = period
    if period is None:
        rel = [p for p in ps if p.relative and own[0] <= p.start < own[1]]
        if rel:
            checks.append(f"period: {rel[0].relative!r}, and the page prints no date to say which year")
        elif TIME_WITHOUT_YEAR.search(text[own[0] : own[1]]) or TIME_WITHOUT_YEAR.search(text[fig.clause[0] : fig.clause[1]]):
            checks.append("period: the text dates it without a year; write the year if the article says it elsewhere")
        elif page_year is not None:
            checks.append(f"period: the text gives none; the model presumes {page_year}, the year of the page's date")
        else:
            checks.append("period: the text gives none, and the page prints no date")
    elif phow == "nearby":
        checks.append(f"period: {period}, from an earlier sentence about the same")
    elif phow == "relative":
        checks.append(f"period: {period}, from the page's date")
    if period and re.fullmatch(r"Q[1-4]|H[12]", period):
        checks.append(f"period: {period} of which year? The text does not say")
    if period is not None and not fig.base and not from_label and not s.table and not s.row:
        ctx.periods[(entity, family)] = (period, si)
        if phow == "nearby":  # carried here from an earlier sentence: the sentence's other figures may take it too
            ctx.carried.add(((entity, family), si))
        ctx.last_period[entity] = (period, si)
        if phow in ("own", "sentence"):
            ctx.given[(entity, family)] = (period, si)
    # --- status
    status, cue = status_of(text, f.start, f.end, own, fig.clause, fig.base)
    if cue is None and fig.how == "generic":
        generic = GENERIC.search(text, 0, f.start)
        status, cue = "estimated", generic.group() if generic else None  # what a kind of thing costs: the writer's estimate
    if cue is None:
        checks.append("status: no wording decides it; reported by default")
    # --- quote
    qa, qb = _quote_bounds(s, fig, figs, names)
    quote = text[qa:qb].strip()
    quote_at = s.start + qa + (len(text[qa:qb]) - len(text[qa:qb].lstrip()))
    value = f.low if f.low == f.high else [f.low, f.high]
    in_quote = names.within(s.start + qa, s.start + qb)
    # how much its words carry, for the repeat kept: its own period (in its words, else its
    # sentence), its entity named, in the body of the text rather than a headline or a table row
    weight = 4 if period and phow == "own" and not from_label else 2 if period and phow in ("own", "sentence") else 0
    weight += (2 if fig.how == "own" else 0) + (1 if in_quote else 0) + (0 if headline or s.table or s.row else 2)
    weight += 1 if names.within(s.start + own[0], s.start + own[1]) else 0
    direction = (
        "down" if re.search(r"\b(?:down|fell|fall|drop|declin|off|lower|less|shrank|cut)", text[own[0] : f.start], re.I) else "up"
    )
    claim = DraftClaim("", entity, topic, "", quote, metric, value, unit, f.bound, period, status, checks, quote_at)
    claim.new_metric, claim.family, claim.weight, claim.headline = new_metric, family, weight, headline
    name = names.name(entity)
    if names.kind(entity) == "industry":
        name = "the " + (name[:1].lower() + name[1:] if not name[1:2].isupper() else name)
    claim.summary = summary_of(name, r, metric_words, claim, f, direction)
    claim.own_entity = fig.how == "own"  # named in its own sentence (not "it", not an earlier sentence)
    claim.entity_strength = {"own": 2, "pronoun": 1}.get(fig.how, 0)
    claim.period_stated = period is not None and phow in ("own", "sentence")
    claim.status_cue = cue
    return claim


def _note_stated(ps: list[Period], ctx: _Ctx) -> None:
    for p in ps:
        if p.value and re.fullmatch(r"(?:Q[1-4]|H[12]) (?:19|20)\d{2}", p.value):
            ctx.stated.setdefault(p.value.split()[0], p.value)


def _with_year(p: Period, ctx: _Ctx) -> str | None:
    if p.value and p.quarter_only and p.value in ctx.stated:
        return ctx.stated[p.value]
    return p.value


def _period_of(
    s: Sentence, fig: _Fig, figs: list[_Fig], ps: list[Period], know: Knowledge, ctx: _Ctx, si: int
) -> tuple[str | None, str, bool]:
    """(period, how, from a label): how is "own" (its words, its clause, the sentence),
    "nearby" (what the article last said for the same entity and kind of quantity), "relative"
    (this year, from the page's date) or ""."""
    f, (a, b) = fig.f, fig.own
    text = s.text
    flow = fig.reading.verb in ("cut", "cancel", "retire", "hire", "spend", "save", "lose") or fig.reading.change
    mine = [p for p in ps if a <= p.start < b and not (p.base and not _attached(p, f))]
    if fig.column is not None and fig.column.period is not None and all(p.label for p in mine):
        return fig.column.period, "own", False  # its column's year, unless its cell gives its own
    k = figs.index(fig)
    restated = re.match(r"\s*\(([^()]*)\)", text[b:]) if not mine and k + 1 < len(figs) else None
    if restated is not None and b + restated.start(1) <= figs[k + 1].f.start < b + restated.end(1):
        # "7% of its staff (~8,750 employees) in 2026": the words after the restatement are both figures'
        tail = b + restated.end()
        cut = BOUNDARY.search(text, tail)
        mine = [p for p in ps if tail <= p.start < (cut.start() if cut else len(text)) and not p.base]
    if mine:
        dated = [p for p in mine if not p.quarter_only] or mine  # "a $650B Q1 guide" for 2026: the year
        dated = [p for p in dated if not re.fullmatch(r"\d{4}-\d{4}", p.value or "")] or dated  # a span heads a list
        p = min(dated, key=lambda p: abs(p.start - f.start))
        if p.value is None:
            return None, "", False
        return _value(p, ctx, flow), ("relative" if p.relative else "own"), p.label
    ca, cb = fig.clause
    in_clause = [p for p in ps if ca <= p.start < cb and p.value and not p.base and not p.internal]
    if in_clause:
        return _value(in_clause[0], ctx, flow), "sentence", in_clause[0].label
    # a period elsewhere in the sentence: one it is set in ("In 2026 alone, ...", "As of January
    # 2026, ..."), or one written inside the words of a figure of the same kind ("set 2026 capex
    # at ..., Alphabet at ...")
    fam = family_of(fig.reading)
    first = figs[0].f.start
    for p in ps:
        if p.base or not p.value:
            continue
        if not p.internal and p.start < first and not p.label:
            return _value(p, ctx, flow), "sentence", False
        if p.as_of:
            continue
        if p.internal and not fig.base and fam is not None:
            holder = next((g for g in figs if g.own[0] <= p.start < g.own[1]), None)
            if holder is not None and holder is not fig and not holder.base and family_of(holder.reading) == fam:
                return (holder.period or _with_year(p, ctx)), "sentence", False  # the holder's own reading of it
    if k and (fig.base or re.match(r"^[\s,;–—-]*(?:which|that)\b", text[figs[k - 1].f.end : f.start])):
        prev = figs[k - 1]  # "$1.95 versus the $1.97 analysts expected", "$85 billion ..., which is $10 billion more"
        if prev.period is not None:
            return prev.period, "sentence", False
    if s.table or s.row or fig.base:
        return None, "", False
    own_text = text[a:b]
    if TIME_WITHOUT_YEAR.search(own_text) or TIME_WITHOUT_YEAR.search(text[ca:cb]) or ANNUAL.search(own_text):
        return None, "", False  # "in October", "last week", "annual": the text dates it, or none applies
    entity = fig.entity
    if ctx.referent is not None:  # "This outlay is linked to its decision to cut 8,000": the outlay's period
        got = ctx.given.get((entity, ctx.referent))
        if got is not None and got[1] == si - 1:
            return got[0], "sentence", False
    # the period the article last gave, after the last heading, for this entity (or a group it is
    # in) and this kind of quantity; else the heading's
    keys: list[tuple[tuple[str, str | None], int]] = [((entity, fam), 12), ((entity, None), 3)]
    for g in know.groups_containing(entity):
        keys += [((g, fam), 12), ((g, None), 3)]
    for key, window in keys:
        got = ctx.periods.get(key)
        if got and got[0] and (0 < si - got[1] <= window or (key, si) in ctx.carried) and got[1] > ctx.section_at:
            return got[0], "nearby", False
    if fam is None and entity in ctx.last_period:
        got = ctx.last_period[entity]
        if 0 < si - got[1] <= 3 and got[1] > ctx.section_at:
            return got[0], "nearby", False
    if ctx.section:
        return ctx.section, "nearby", False
    return None, "", False


def _value(p: Period, ctx: _Ctx, flow: bool) -> str | None:
    """A period as a figure takes it: "As of mid-March 2026" dates a flow (layoffs) by its year,
    a stock (a headcount "as of June 2024") by the month."""
    value = _with_year(p, ctx)
    if p.as_of and flow and value:
        year = re.search(r"(?:19|20)\d{2}", value)
        return year.group() if year else value
    return value


DEMONSTRATIVE = re.compile(r"(?:This|These|That|Those)\s+(?P<words>[a-z][\w-]*(?:\s+[a-z][\w-]*){0,2})")


def _referent(text: str) -> str | None:
    """The kind of quantity a sentence opening with a demonstrative points back to ("This massive
    outlay ...", "These cuts ..."): the figure of the sentence before it that it names."""
    m = DEMONSTRATIVE.match(text)
    if m is None:
        return None
    r = read_phrase(m["words"])
    return family_of(r) if r.noun is not None else None


def _attached(p: Period, f: Figure) -> bool:
    """A base's own year, written just before it ("on 2025's $410 billion")."""
    return f.start - 14 <= p.start < f.start


def _companies_named(s: Sentence, names: Names) -> list[str]:
    """The companies a sentence names, in order, once each."""
    out: list[str] = []
    for m in names.within(s.start, s.end):
        if names.kind(m.entity) == "company" and m.entity not in out:
            out.append(m.entity)
    return out


def _subject_of(s: Sentence, names: Names, know: Knowledge, ctx: _Ctx, near: list[list[str]]) -> str | None:
    """The entity a sentence is about: a group or the industry its words name, its first name
    not in a "like X" or "than X" position, or through "it" / "the company" the last one."""
    ms = names.within(s.start, s.end)
    group = _group_in(s.text, 0, len(s.text), ms, s.start, names, know, ctx, near)
    if group is not None:
        return group
    subjects = [m for m in ms if not NOT_SUBJECT_BEFORE.search(s.text[max(0, m.start - s.start - 20) : m.start - s.start])]
    firm = next((m for m in subjects if names.kind(m.entity) != "industry"), None)
    if firm is not None:  # "The tech industry is no stranger to ..., but Meta's pivot ...": Meta
        return firm.entity
    if subjects or INDUSTRY_CUE.search(s.text):
        return know.industry()
    if PRONOUN.search(s.text):
        return ctx.subject
    return None


def _group_in(
    text: str, a: int, b: int, ms: list[Mention], offset: int, names: Names, know: Knowledge, ctx: _Ctx, near: list[list[str]]
) -> str | None:
    """A group the words [a, b) of a sentence name: three or more companies named together, two
    joined by "and" before a shared figure, or a group's words ("hyperscalers", "Big Tech"):
    the companies this sentence, the next or the one before lists, else the last group named."""
    inside = [m for m in ms if a <= m.start - offset < b and names.kind(m.entity) == "company"]
    run = _listed(text, inside, offset)
    if len(run) >= 3 or (len(run) == 2 and re.search(r"\band\b|&", text[run[0].end - offset : run[1].start - offset])):
        ids = list(dict.fromkeys(m.entity for m in run))
        if len(ids) >= 2:
            gid = names.propose_group(ids)
            if len(ids) >= 3:
                ctx.last_group, ctx.last_group_listed = gid, True
            return gid
    cue = GROUP_CUE.search(text, a, b)
    if cue:
        if ctx.last_group and ctx.last_group_listed:
            return ctx.last_group  # "the 'Big Five' hyperscalers", after the article listed the five
        for m in ms:
            if names.kind(m.entity) == "group" and cue.start() - 2 <= m.start - offset <= cue.end() + 2:
                ctx.last_group = m.entity
                return m.entity
        for companies in near:
            if len(companies) >= 3:
                gid = names.propose_group(companies)
                ctx.last_group, ctx.last_group_listed = gid, True
                return gid
        if ctx.last_group:
            return ctx.last_group
        alias = next(
            (e.id for e in know.entities.values() if e.kind == "group" and any(GROUP_CUE.search(x) for x in e.aliases)), None
        )
        if alias:
            ctx.last_group = alias
            return alias
    return None


def _listed(text: str, ms: list[Mention], offset: int) -> list[Mention]:
    """The longest run of names joined only by commas and "and" ("Microsoft, Alphabet, Amazon, and Meta")."""
    best: list[Mention] = []
    run: list[Mention] = []
    for m in ms:
        if (
            run
            and re.fullmatch(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)", text[run[-1].end - offset : m.start - offset] or " ")
            is None
        ):
            run = []
        run.append(m)
        if len(run) > len(best):
            best = list(run)
    return best


def _entity_of(s: Sentence, fig: _Fig, names: Names, know: Knowledge, ctx: _Ctx, near: list[list[str]]) -> tuple[str | None, str]:
    """Who a figure is about: the subject of its own words, else of its clause, else of its
    sentence (also through "it", "its", "the company"); an industry or a group where its words
    say so; else the entity of the figure before it in its paragraph, else the last subject."""
    text, f, (a, b), (ca, cb) = s.text, fig.f, fig.own, fig.clause
    ms = names.within(s.start, s.end)

    def at(m: Mention) -> int:
        return m.start - s.start

    def subject_like(m: Mention) -> bool:
        return not NOT_SUBJECT_BEFORE.search(text[max(0, at(m) - 20) : at(m)])

    that = [m.end() for m in re.finditer(r"\bthat\s", text[a : f.start])]
    if that:
        a += that[-1]  # "Analysts at X forecast that spending across the industry will top ...": the clause after "that"
    own_before = [m for m in ms if a <= at(m) < f.start]
    group = _group_in(text, a, f.start, ms, s.start, names, know, ctx, near)
    if group is not None:
        return group, "own"
    firms = [m for m in own_before if names.kind(m.entity) != "industry"]
    if INDUSTRY_CUE.search(text, a, min(b, f.end + 60)) and not firms:
        return know.industry(), "own"
    if own_before:
        pick = [m for m in own_before if subject_like(m)] or own_before
        m = ((firms and [x for x in pick if x in firms]) or pick)[-1]
        return m.entity, "own"
    pron = PRONOUN.search(text, a, f.start)
    if pron and ctx.subject:
        return ctx.subject, "pronoun"
    generic = GENERIC.search(text, 0, f.start)
    if generic and know.industry() and not any(names.kind(m.entity) in ("company", "group", "division") for m in ms):
        return know.industry(), "generic"  # "a single training run can cost over $100 million": a kind of thing, no one's
    after = [
        m
        for m in ms
        if f.end <= at(m) < max(b, cb) and (at(m) <= f.end + 3 or text[m.end - s.start : m.end - s.start + 2] in ("’s", "'s"))
    ]
    if after:
        return after[0].entity, "own"  # "the $200 billion Amazon said", "the $600 billion figure regarding Meta's"
    in_clause = [m for m in ms if ca <= at(m) < f.start and subject_like(m)]
    if in_clause:
        return in_clause[0].entity, "own"
    group = _group_in(text, 0, f.start, ms, s.start, names, know, ctx, near)
    if group is not None:
        return group, "own"
    before = [m for m in ms if at(m) < f.start and subject_like(m)]
    if before:
        return before[0].entity, "own"
    if INDUSTRY_CUE.search(text):
        return know.industry(), "own"
    if PRONOUN.search(text, 0, f.start) and ctx.subject:
        return ctx.subject, "pronoun"
    if s.paragraph in ctx.last_entity_in_paragraph:
        return ctx.last_entity_in_paragraph[s.paragraph], "earlier"
    if ctx.subject:
        return ctx.subject, "earlier"
    return None, "guessed"


def _bare_unit(s: Sentence, f: Figure, claims: list[DraftClaim]) -> str | None:
    """A number printed without a unit ("had already passed 113,000"): the unit of the figure
    before it, where the words say it is the same count (a tracker, a tally, a base, a total)."""
    if not re.search(r"\b(?:tracker|tally|total|count|base|passed|crossed|reached|hit|topped)\b", s.text, re.I):
        return None
    for c in reversed(claims[-3:]):
        if c.unit in ("employees", "roles") and isinstance(c.value, (int, float)) and c.value >= 100:
            return c.unit
    return None


def _quote_bounds(s: Sentence, fig: _Fig, figs: list[_Fig], names: Names) -> tuple[int, int]:
    """Its sentence; where that is long, or its figures are about several entities, its clause
    reaching back to its subject; a table row's label and value."""
    text, f = s.text, fig.f
    if s.table:
        return _table_stretch(text, f)
    several = len({g.entity for g in figs}) > 1
    if len(text) <= LONG_SENTENCE and not several:
        return 0, len(text)
    ca, cb = fig.clause
    named = [m for m in names.within(s.start, s.start + ca) if m.entity == fig.entity]
    if not named and fig.entity in names.proposed and names.proposed[fig.entity].members:
        members = set(names.proposed[fig.entity].members)
        named = [m for m in names.within(s.start, s.start + ca) if m.entity in members][:1]
    elif not named and names.kind(fig.entity) == "group":
        members = set(names.know.entities[fig.entity].members) if fig.entity in names.know.entities else set()
        named = [m for m in names.within(s.start, s.start + ca) if m.entity in members][:1]
    if named and ca - (named[-1].start - s.start) < 160 and cb - (named[-1].start - s.start) <= LONG_SENTENCE + 40:
        return named[-1].start - s.start, cb  # the clause, reaching back to its subject
    lead = re.match(r"(?:while|whereas|and|but|as|with|although|though)\s+", text[ca:cb], re.I)
    if lead and ca + lead.end() < f.start:
        ca += lead.end()
    return ca, cb


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset)


def _title_line(text: str, title: str | None) -> int | None:
    if not title:
        return None
    at = text.find(title)
    return _line_of(text, at) if at >= 0 else None


def _topic_by_words(text: str, know: Knowledge) -> str:
    words = set(words_of(text))
    best = max(
        know.topics.items(), key=lambda kv: len(words & set(words_of(kv[1] + " " + kv[0].replace("-", " ")))), default=None
    )
    return best[0] if best else "topic"


def _one_per_figure(claims: list[DraftClaim]) -> list[DraftClaim]:
    """One claim per figure: claims of the same value and unit about the same entity and
    quantity, whose periods do not differ, are one figure (also a rounded "nearly 7,000" for
    6,988, and a headline's "$146B" for the top of the body's "$125-146 billion"); the heaviest
    (its words give a period and name the entity) is kept, the others named in its note."""
    kept: list[DraftClaim] = []
    by_value: dict[tuple[str, float], list[int]] = {}
    approx: list[int] = []  # kept claims that a rounded repeat could be of, or be
    for c in claims:
        values = c.value if isinstance(c.value, list) else [c.value]
        candidates = sorted({i for v in values for i in by_value.get((c.unit, float(v)), [])})
        candidates += approx[-20:] if c.bound == "approx" else [i for i in approx[-20:] if kept[i].bound == "approx"]
        twin_at = next((i for i in dict.fromkeys(candidates) if _same_figure(kept[i], c)), None)
        if twin_at is None:
            kept.append(c)
            for v in values:
                by_value.setdefault((c.unit, float(v)), []).append(len(kept) - 1)
            if len(values) == 1:
                approx.append(len(kept) - 1)
            continue
        twin = kept[twin_at]
        keep, drop = (c, twin) if c.weight > twin.weight else (twin, c)
        if isinstance(drop.value, list) and not isinstance(keep.value, list):
            keep, drop = drop, keep  # the body's range, over a headline's top of it
        elif keep.bound == "approx" and drop.bound != "approx" and keep.value != drop.value:
            keep, drop = drop, keep  # "6,988", over the "nearly 7,000" that rounds it
        elif keep.status_cue is None and drop.status_cue is not None and drop.status != "confirmed" and not drop.headline:
            keep, drop = drop, keep  # "reports indicate ... could see", over a lead that states it flatly: say less
        if keep is c:
            kept[twin_at] = c
            for v in values:
                by_value.setdefault((c.unit, float(v)), []).append(twin_at)
        keep.repeats += 1
        keep.condition = keep.condition and drop.condition  # stated somewhere, not only supposed
        if keep.repeats <= 3:
            repeat = f"also printed as {drop.quote[:80]!r}" + (" (the headline)" if drop.headline else "")
            keep.note = f"{keep.note}; {repeat}" if keep.note else f"Repeated in the article: {repeat}"
        elif keep.note and not keep.note.endswith(" more"):
            keep.note += "; and more"
        if keep.bound == "exact" and drop.bound != "exact" and keep.value == drop.value:
            keep.bound = drop.bound  # "approximately 8,000" in the text, "8,000" in its table: the text's hedge
        if drop.entity_strength > keep.entity_strength and keep.entity == drop.entity:
            keep.entity_strength, keep.own_entity = drop.entity_strength, drop.own_entity  # named in a repeat
        if drop.entity_strength > keep.entity_strength and keep.entity != drop.entity:
            keep.entity = drop.entity  # a table row's figure, named in the text
            keep.checks = [x for x in keep.checks if not x.startswith("entity:")]
        carried = drop.period_stated and not keep.period_stated  # a period stated with the figure, over one carried to it
        if drop.period and (keep.period is None or re.fullmatch(r"Q[1-4]|H[12]", keep.period) or carried):
            keep.period, keep.period_stated = drop.period, drop.period_stated
            keep.checks = [x for x in keep.checks if not x.startswith("period:")] + [
                f"period: {drop.period}, from a repeat of this figure"
            ]
    return kept


def _periods_agree(p: str | None, q: str | None) -> bool:
    """Two periods a repeat may carry: either none, the same, a quarter without a year, or one
    within the other ("Q1 2026" and "2026", "2025-2026" and "2026")."""
    if not p or not q or p == q or re.fullmatch(r"Q[1-4]|H[12]", p) or re.fullmatch(r"Q[1-4]|H[12]", q):
        return True

    def years(x: str) -> set[int]:
        span = re.fullmatch(r"((?:19|20)\d{2})-((?:19|20)\d{2})", x)
        if span:
            return set(range(int(span[1]), int(span[2]) + 1))
        return {int(y) for y in re.findall(r"(?:19|20)\d{2}", x)}

    yp, yq = years(p), years(q)
    plain = re.compile(r"(?:19|20)\d{2}(?:-(?:19|20)\d{2})?")
    if plain.fullmatch(p) or plain.fullmatch(q):
        return bool(yp & yq) and (yp <= yq or yq <= yp)
    return False


def _same_figure(a: DraftClaim, b: DraftClaim) -> bool:
    if a.unit != b.unit or (not _periods_agree(a.period, b.period) and a.period_stated and b.period_stated):
        return False  # two periods stated with the figure that differ; a period carried to it is no reason
    owned = a.own_entity and b.own_entity
    if a.entity != b.entity and (owned or a.metric != b.metric) and not (a.headline or b.headline):
        return False
    generic = a.unit in ("USD", "EUR", "GBP", "percent", "USD per share")
    same_kind = a.metric == b.metric or a.family == b.family or a.family is None or b.family is None or not generic
    va = a.value if isinstance(a.value, list) else [a.value, a.value]
    vb = b.value if isinstance(b.value, list) else [b.value, b.value]
    if va == vb:
        return same_kind or a.headline or b.headline
    # a headline's single figure that is the top or bottom of the body's range
    if (a.headline or b.headline) and (va[0] == va[1]) != (vb[0] == vb[1]):
        single, rng = (va, vb) if va[0] == va[1] else (vb, va)
        return single[0] in rng
    # a rounded repeat: "nearly 7,000" for "6,988"
    if va[0] == va[1] and vb[0] == vb[1] and "approx" in (a.bound, b.bound) and same_kind and a.entity == b.entity:
        x, y = float(va[0]), float(vb[0])
        rounded, exact = (x, y) if a.bound == "approx" else (y, x)
        if rounded == exact or not rounded:
            return False
        digits = len(str(int(rounded)).rstrip("0")) or 1
        return abs(rounded - exact) / rounded < 0.02 and float(f"{exact:.{digits}g}") == rounded
    return False


def _candidates(
    text: str, paras: list[Span], names: Names, know: Knowledge, main_entity: str, new_id: Callable[[str], str]
) -> list[Candidate]:
    out = []
    for st in statements(text, paras):
        para = paras[st.paragraph]
        ms = names.within(para.start, para.end) or names.within(max(0, st.start - 2000), st.start)
        entity = next((m.entity for m in ms if names.kind(m.entity) != "industry"), None) or main_entity
        topic = _topic_by_words(st.quote, know)
        speaker = st.speaker
        status = "opinion" if speaker and re.search(r"analyst|director|professor|economist|expert", speaker, re.I) else "reported"
        out.append(Candidate(new_id("statement"), entity, topic, st.quote, speaker, status))
    return out


def stderr_progress(line: str) -> None:
    print(line, file=sys.stderr, flush=True)
