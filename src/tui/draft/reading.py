"""When a figure is for and how firmly the article states it: its period and its status.

Periods, as the text gives them: years (`2026`), fiscal years (`FY2026`), quarters (`Q1 2026`,
`Q4` where no year is printed), halves (`H1 2025`), `early 2026`, `June 2024`, spans
(`2023-2026`), decades (`1990s`), horizons (`by 2028`). "This year", "next year", "last year"
are resolved against the page's date where it prints one. A year a figure is compared with
("a 45% rise compared to 2025", "a 77% jump on 2025") is not that figure's period.

Status words as a person reads them: "announced", "confirmed", "disclosed", a company's own
report or filing -> confirmed; "could", "may", "would", "weighing" -> possible; guidance,
"expects", "projected", "forecast" -> projected; "plans to", "will", "is set to", "committed"
-> planned; "an estimated", analysts' estimates, consensus, a price target -> estimated;
"reportedly", "according to reports" -> reported (also the default). The cue nearest the
figure in its own words decides, else one in its clause before it, else the sentence's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MONTH_NAMES = "January|February|March|April|May|June|July|August|September|October|November|December"
_ORD = {"first": "1", "second": "2", "third": "3", "fourth": "4"}
PERIOD = re.compile(
    rf"(?P<q>\bQ(?P<qn>[1-4])\b|\b(?P<qw>(?i:first|second|third|fourth))[- ](?i:quarter)\b)(?:\s+(?:of\s+)?(?:FY\s?|fiscal\s+)?(?P<qy>(?:19|20)\d{{2}})\b)?"
    r"|(?P<h>\bH(?P<hn>[12])\b|\b(?P<hw>(?i:first|second))[- ](?i:half)\b)(?:\s+(?:of\s+)?(?P<hy>(?:19|20)\d{2})\b)?"
    r"|\b(?P<fy>FY\s?|fiscal(?:\s+year)?\s+)(?P<fyy>(?:19|20)\d{2}|\d{2})\b"
    rf"|\b(?P<mq>{MONTH_NAMES})\s+quarter\b"
    r"|\b(?P<dec>(?:19|20)\d0)s\b"
    r"|\b(?P<lt>(?i:long[- ]term|multi[- ]?year))\b"
    r"|\b(?P<rel>(?i:this|last|next|past|previous))\s+(?P<relw>year|quarter|fiscal year)\b|\b(?P<ytd>year[- ]to[- ]date)\b"
    rf"|(?P<mon>\b(?:{MONTH_NAMES})\.?)\s+(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+)?(?P<my>(?:19|20)\d{{2}})\b"
    r"|(?P<y1>(?<![\w$.,/-])(?:19|20)\d{2})(?:\s?[-–—]\s?(?P<y2>(?:19|20)?\d{2})\b)?(?![\w%]|,\d|\.\d)"
)
EARLY = re.compile(r"\b(?P<w>early|late|mid|end of|end-|start of|beginning of)[- ]?\s*$", re.I)
EARLY_AFTER = re.compile(r"^\s*\((?P<w>early|late|mid)\)", re.I)
BY = re.compile(r"\bby\s+(?:the\s+end\s+of\s+)?$", re.I)
BASE_BEFORE = re.compile(r"(?:\bcompared\s+(?:to|with)|\bversus|\bvs\.?|\bthan(?:\s+in)?|\bon|\bover|\bfrom)\s+$", re.I)
AS_OF = re.compile(r"\bas\s+of\s+(?:the\s+end\s+of\s+)?(?:early|mid|late)?[- ]?$", re.I)


@dataclass(slots=True)
class Period:
    start: int
    end: int
    value: str | None  # None: a relative period the page's date cannot resolve
    base: bool = False  # a year a figure is compared with
    as_of: bool = False  # the date of a stock ("as of June 2024"): not carried to other figures
    internal: bool = False  # inside a noun phrase ("2026 capex", "year-end 2025 headcount")
    label: bool = False  # a list item's or a row's label ("2023: ~7,000 employees"): its item's alone
    relative: str = ""  # the words, where they were relative ("this year")
    quarter_only: bool = False  # "Q4" without a year


def periods(text: str, page_year: int | None) -> list[Period]:
    """Every period `text` (a sentence) gives, in order."""
    out: list[Period] = []
    for m in PERIOD.finditer(text):
        start, end = m.start(), m.end()
        before, after = text[max(0, start - 24) : start], text[end : end + 16]
        p = Period(start, end, None)
        if m["q"]:
            n = m["qn"] or _ORD[m["qw"].lower()]
            p.value = f"Q{n} {m['qy']}" if m["qy"] else f"Q{n}"
            p.quarter_only = not m["qy"]
        elif m["h"]:
            n = m["hn"] or _ORD[m["hw"].lower()]
            if not m["hy"] and not m["hn"]:
                continue  # "the first half" of something
            p.value = f"H{n} {m['hy']}" if m["hy"] else f"H{n}"
        elif m["fy"]:
            y = m["fyy"] if len(m["fyy"]) == 4 else f"20{m['fyy']}"
            p.value = f"FY{y}"
        elif m["mq"]:
            p.value = f"{m['mq']} quarter"
        elif m["dec"]:
            p.value = f"{m['dec']}s"
        elif m["lt"]:
            p.value = "long-term"  # a horizon with no years: another period than any one year
        elif m["rel"] or m["ytd"]:
            p.relative = m.group()
            word = (m["rel"] or "this").lower()
            unit = (m["relw"] or "year").lower()
            if page_year is not None and unit != "quarter":
                shift = {"this": 0, "last": -1, "past": -1, "previous": -1, "next": 1}[word]
                p.value = str(page_year + shift)
        elif m["mon"]:
            month = m["mon"].rstrip(".")
            p.value = m["my"] if m["day"] else f"{month} {m['my']}"
            if len(month) <= 4 and not m["day"]:
                p.value = m["my"]
        else:
            y1, y2 = m["y1"], m["y2"]
            if y2:
                y2 = y2 if len(y2) == 4 else y1[:2] + y2
                if not int(y1) < int(y2) <= int(y1) + 20:
                    y2 = None
            if y2:
                p.value = f"{y1}-{y2}"
            else:
                p.value = y1
                early = EARLY.search(before) or EARLY_AFTER.match(after)
                if early:
                    w = early["w"].lower()
                    if w in ("early", "late", "mid"):
                        p.value = f"{w} {y1}"
                    if EARLY.search(before):
                        start = start - len(EARLY.search(before).group())  # type: ignore[union-attr]
                elif BY.search(before) and not re.search(r"\bend\s+of\s*$", before, re.I):
                    p.value = f"by {y1}"  # a horizon: "by 2028" (the end of a year is that year)
        if BASE_BEFORE.search(before) and not re.search(r"\bfrom\s+$", before, re.I):
            p.base = True
        if re.search(r"^[’']s\b", after) and BASE_BEFORE.search(before):
            p.base = True  # "a 77% jump on 2025's $410 billion": the base's own year
            p.internal = True
        p.as_of = AS_OF.search(text[max(0, start - 16) : start]) is not None
        p.label = re.match(r"^[\s\-•·*]*$", text[:start]) is not None and re.match(r"^\s*(?:\([a-z]+\)\s*)?:", after) is not None
        p.internal = p.internal or _internal(text, start, end)
        p.start = start
        out.append(p)
    years = [p for p in out if p.value and re.fullmatch(r"(?:19|20)\d{2}", p.value) and not p.base]
    if len(years) == 1:
        for p in out:  # "2026 ... in the First Quarter": Q1 2026 (not "the Q1 guide": the date of a guide)
            if p.quarter_only and p.value and not p.internal:
                p.value, p.quarter_only = f"{p.value} {years[0].value}", False
    return out


def _internal(text: str, start: int, end: int) -> bool:
    """A period written inside a noun phrase: "2026 capex", "year-end 2025 headcount", "2025's"."""
    after = text[end : end + 20]
    before = text[max(0, start - 12) : start]
    if re.match(r"^(?:’s|'s)\b", after) or re.search(r"year[- ]end\s+$", before, re.I):
        return True
    return re.match(
        r"^[\s-]+(?!and\b|or\b|to\b|alone\b|year\b|the\b|a\b|an\b|as\b)[a-z][\w-]*", after
    ) is not None and not re.search(r"\b(?:in|for|by|during|since|through|until|of|from|to|into|as of)\s+$", before, re.I)


def page_year_of(published: str | None, as_of: str | None) -> int | None:
    for d in (published, as_of):
        if d and re.match(r"^\d{4}", d):
            return int(d[:4])
    return None


# --- status ------------------------------------------------------------------------------------

STATUS_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "possible",
        re.compile(
            r"\bcould\b|\bmay\b(?!\s+\d)|\bmight\b|\bwould\b|\bpossibly\b|\bpotential(?:ly)?\b|\bconsidering\b|\bweighing\b|"
            r"\bmulling\b|\bspeculative\b",
            re.I,
        ),
    ),
    (
        "planned",
        re.compile(
            r"\bplans?\s+to\b|\bplanning\b|\bplanned\s+to\b|\bwill\b|\bintends?\b|\baims?\s+to\b|\bpreparing\b|\bis\s+set\s+to\b|"
            r"\bare\s+set\s+to\b|\bset\s+to\b|\btargeting\b|\bcommitted\b|\bcommits\b|\bcommitment\b|\bpledged?\b|\bearmarked\b|"
            r"\bis\s+investing\b|\bare\s+investing\b|\bthan\s+(?:initially\s+|originally\s+)?planned\b",
            re.I,
        ),
    ),
    (
        "projected",
        re.compile(
            r"\bexpects?\b|\bexpected\s+to\b|\bprojected\b|\bprojects\b|\bforecast(?:s|ed)?\b|\bpredicts?\b|\banticipates?\b|"
            r"\bguidance\b|\bguided\b|\bguide\b|\boutlook\b|\bset\b[^.;]{0,30}\b(?:capex|spending|budget)\b",
            re.I,
        ),
    ),
    (
        "estimated",
        re.compile(
            r"\ban\s+estimated\b|\bestimated\s+at\b|\b(?:had|have|has|analysts?)\s+estimated?\b|\bestimates?\s+(?:that|its|the)\b|"
            r"\bconsensus\s+(?:estimate|forecast|figure|number)s?\b|\banalysts?\s+expected\b|\bprice\s+target\b|\bimplies\b|\bimplied\b|\bby\s+our\s+(?:estimate|count)\b|"
            r"\baccording\s+to\s+(?:our|my)\s+(?:estimate|calculation)s?\b",
            re.I,
        ),
    ),
    (
        "confirmed",
        re.compile(
            r"\bannounced\b|\bannounces\b|\bconfirmed\b|\bconfirms\b|\bdisclosed\b|\bdiscloses\b|\bsaid\s+in\s+a\s+(?:statement|filing)\b|"
            r"\bin\s+(?:a|its)\s+(?:SEC\s+)?filing\b|\b(?:the\s+company|the\s+firm)\s+(?:reports|reported|said|says|states|stated)\b",
            re.I,
        ),
    ),
    (
        "reported",
        re.compile(
            r"\breportedly\b|\breports?\s+(?:say|says|said|indicate|indicates|suggest|suggests|show)\b|"
            r"\baccording\s+to\s+(?:media\s+)?(?:reports|people|sources|a\s+report|exclusive\s+reports)\b|\bpeople\s+familiar\b|"
            r"\bsources\s+said\b|\bis\s+said\s+to\b",
            re.I,
        ),
    ),
]
FRAME = re.compile(r"\b(?:industry|analyst|analysts'|analysts’|market)\s+estimates\s+(?:suggest|show|indicate|put)\b", re.I)
EVIDENTIAL = ("confirmed", "reported")  # who says it: the sentence's, also for a figure it compares with
AFTER_CUES = re.compile(
    r"^[^.;]{0,40}?\b(?P<c>consensus|estimates?\b|analysts?\s+expected|commitment|than\s+(?:initially\s+|originally\s+)?planned|"
    r"guide\b|guided\b|guidance|forecast)",
    re.I,
)
PREDICATE = re.compile(  # what the sentence says a figure named as a figure is
    r"^\s*(?:figure|number|sum|amount|total|tally)\b[^.;]{0,60}?\b(?:is|are|was|were|be|being)\s+(?:[\w-]+\s+){0,5}?"
    r"(?P<p>projections?|forecasts?|estimates?|guesses)\b",
    re.I,
)
PREDICATE_STATUS = {"projection": "projected", "forecast": "projected", "estimate": "estimated", "guesse": "estimated"}
AFTER_STATUS = {"consensus": "estimated", "estimate": "estimated", "estimates": "estimated", "commitment": "planned",
                "guide": "projected", "guided": "projected", "guidance": "projected", "forecast": "projected"}  # fmt: skip
BASE_FIGURE = re.compile(
    r"(?:\bfrom|\bup from|\bdown from|\bcompared\s+(?:to|with)|\bversus|\bvs\.?|(?<!more )(?<!less )(?<!fewer )(?<!greater )\bthan|"
    r"\bbased on\b[^.;]{0,60}?\bof|\bon)\s*"
    r"(?:(?:19|20)\d{2}(?:’s|'s)?\s+)?"
    r"(?:about|around|roughly|approximately|nearly|~|≈|the|a|an|its|\s)*\s*$",
    re.I,
)


@lru_cache(maxsize=256)
def cues(text: str) -> list[tuple[int, str, str]]:
    """(offset, status, words) of every status cue in `text`, in order (asked once per sentence)."""
    out = []
    for status, rx in STATUS_CUES:
        for m in rx.finditer(text):
            if status == "possible" and m.group().lower() == "may" and text[m.start() : m.start() + 1] == "M":
                continue  # May, the month
            out.append((m.start(), status, m.group()))
    return sorted(out)


THAT_FRAME = re.compile(
    r"\b(?P<v>forecasts?|forecasted|expects?|expected|estimates?|estimated|predicts?|predicted|projects?|projected|"
    r"anticipates?|believes?|reports?|reported|said|says|announced|confirmed|disclosed)\s+that\s+[^.;]*$",
    re.I,
)
FRAME_STATUS = {"forecast": "projected", "expect": "projected", "estimate": "estimated", "predict": "projected",
                "project": "projected", "anticipate": "projected", "believe": "opinion", "report": "reported", "said": "reported",
                "says": "reported", "announced": "confirmed", "confirmed": "confirmed", "disclosed": "confirmed"}  # fmt: skip


def status_of(
    sentence: str, fig_start: int, fig_end: int, own: tuple[int, int], clause: tuple[int, int], base: bool
) -> tuple[str, str | None]:
    """(status, the words that decided it, or None where none did)."""
    found = cues(sentence)
    own_a, own_b = own
    that = THAT_FRAME.search(sentence[:fig_start])
    if that is not None and that["v"].lower().rstrip("sd") not in ("report", "sai", "say"):
        verb = that["v"].lower()
        key = next((k for k in FRAME_STATUS if verb.startswith(k)), None)
        if key and FRAME_STATUS[key] not in ("reported", "opinion"):
            return FRAME_STATUS[key], that["v"]  # "analysts forecast that spending will top $600 billion": a forecast
    frame = FRAME.search(sentence[: max(0, min(fig_start, 90))])
    if frame is not None:
        return "estimated", frame.group()  # "Industry estimates suggest ... could": the article's frame
    in_own = [c for c in found if own_a <= c[0] < fig_start]
    verbs = [c for c in in_own if not c[2].lower().startswith("an ")]
    if verbs:
        c = verbs[-1]  # "is projected to spend an estimated $115 billion": the verb says it
        return c[1], c[2]
    if in_own:
        c = in_own[-1]
        return c[1], c[2]
    said = PREDICATE.match(sentence[fig_end:own_b])
    if said is not None:  # "the $600 billion figure ... might be a blend of long-term investment projections"
        return PREDICATE_STATUS[said["p"].lower().rstrip("s")], said["p"]
    after = AFTER_CUES.match(sentence[fig_end:own_b])
    if after:
        word = after["c"].lower().split()[0]
        status = "estimated" if word == "analysts" else AFTER_STATUS.get(word, "planned" if word == "than" else "estimated")
        return status, after["c"]
    in_clause = [c for c in found if clause[0] <= c[0] < fig_start]
    if in_clause:
        c = in_clause[-1]
        return c[1], c[2]
    before = [c for c in found if c[0] < fig_start]
    evidential = [c for c in found if c[1] in EVIDENTIAL and c[0] < own_b]
    if not base and not PAST.search(sentence[own_a:fig_start]):  # "..., and sent shares down 10%": a verb of its own
        modal = [c for c in before if c[1] not in EVIDENTIAL]
        if modal:
            c = modal[-1]
            return c[1], c[2]
    if evidential:
        c = evidential[0]
        return c[1], c[2]
    return "reported", None


PAST = re.compile(r"\b(?:[a-z]{3,}ed|sent|fell|rose|grew|lost|spent|took|made|hit|paid|cut)\b(?!\s+(?:to|by)\b)")


def is_base(sentence: str, fig_start: int) -> bool:
    """A figure the sentence compares another with ("up from about $131 billion", "based on
    a headcount of 79,000"): the modal words around it are about the other figure."""
    return BASE_FIGURE.search(sentence[max(0, fig_start - 80) : fig_start]) is not None
