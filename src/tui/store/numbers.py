# Long because it is one reader of figures: money, percentages, counts, ranges, multiples
# and bounds share their tokens and their number words.
"""Figures in a sentence: money, percentages, counts, shares, multiples and rates, in every way
pages print them, with the bound their wording gives.

Digits are read here, with rules of our own where the libraries tried fall short
("$125-$145 billion" is one range in dollars; quantulum3 reads it as a unit to a power and
averages "5,000 to 6,000" into 5,500). Number words ("six hundred", "twenty-three thousand")
are read by number-parser. Years are periods, not figures.

What is read: scale words in any case and spacing (`$145 Billion`, `US$145 BILLION`, `$145 bn`,
`750M users`, `275k postings`), currency prefixes (`$`, `US$`, `USD`, `€`, `£`), ranges
(`$120bn-$140bn`, `$25 to $35 billion`, `4,000–5,000 roles`, `one hundred ten to one hundred
twenty billion dollars`), thousands separators of other locales where a count noun follows
(`8.000 jobs`, `8 000 jobs`), percentages in digits or words, shares (`half of`, `more than
one-third of`, `in half`), multiples (`doubled`), ratios (`3.2 to 1`), counts named before the
number (`a headcount of 79,000`, `pay bands from nine to five`), counts per day (`864 a day`).
What is not: years, dates, product names with digits (H100, GPT-4), time spans (`in four
months`), discounts (`55% off`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

SCALE_WORDS = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
SCALE_ABBREV = {"k": 10**3, "m": 10**6, "mn": 10**6, "mln": 10**6, "b": 10**9, "bn": 10**9, "t": 10**12, "tn": 10**12}
CURRENCY_SIGNS = {"$": "USD", "us$": "USD", "usd": "USD", "€": "EUR", "eur": "EUR", "£": "GBP", "gbp": "GBP"}

# count nouns (plural, lower case) -> unit; "people" is decided by the words around it
NOUNS = {
    "employees": "employees",
    "workers": "employees",
    "staff": "employees",
    "staffers": "employees",
    "jobs": "employees",
    "layoffs": "employees",
    "cuts": "employees",
    "engineers": "employees",
    "researchers": "employees",
    "designers": "employees",
    "contractors": "employees",
    "managers": "employees",
    "executives": "employees",
    "agents": "employees",
    "representatives": "employees",
    "positions": "roles",
    "roles": "roles",
    "openings": "roles",
    "vacancies": "roles",
    "listings": "roles",
    "postings": "job postings",
    "people": "people",
    "users": "users",
    "customers": "users",
    "subscribers": "users",
    "analysts": "analysts",
    "companies": "companies",
    "firms": "companies",
    "employers": "companies",
    "events": "events",
    "bands": "pay bands",
    "weeks": "weeks",
    "months": "months",
    "years": "years",
    "days": "days",
    "gpus": "GPUs",
    "chips": "chips",
    "dollars": "USD",
    "euros": "EUR",
    "pounds": "GBP",
}
DURATIONS = ("weeks", "months", "years", "days")
WORKFORCE_WORDS = re.compile(
    r"\b(?:cut|cuts|layoffs?|laid|lay|fire[ds]?|firing|hire[ds]?|hiring|workforce|headcount|staff|employ\w*|redundan\w*|jobs?)\b",
    re.I,
)
GAP_STOP = set(
    "to in on by for from at with than that which who and or but is are was were be been will would could has have had "  # noqa: SIM905
    "as per a an the its their of this these those it they we over under into between".split()
)

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_SCALE = r"(?:\s?(?i:thousand|million|billion|trillion)\b|\s?(?i:bn|mn|mln|tn)(?![A-Za-z])|[kKmMbBtT](?![A-Za-z]))"
_CUR = r"(?:US\$|\$|€|£|(?:USD|EUR|GBP)\s?)"
_SEP = r"\s*(?:-|–|—|to|and)\s*"
MONEY = re.compile(
    rf"(?P<cur>{_CUR})\s?(?P<n1>{NUM})(?P<s1>{_SCALE})?"
    rf"(?:(?P<sep>{_SEP})(?:{_CUR})?\s?(?P<n2>{NUM})(?P<s2>{_SCALE})?)?(?![\w%])"
)
_PCT = r"(?:%|\s?percent\b|\s?per cent\b|\s?pct\b)"
PERCENT = re.compile(rf"(?<![\w.,$€£])(?P<n1>{NUM})(?:{_PCT})?(?:(?P<sep>{_SEP})(?P<n2>{NUM}))?{_PCT}")
# digits a count noun may follow: 8,000 / 8.000 / 8 000 (other locales' separators) / 750M / 1.5 million
COUNT = re.compile(
    r"(?<![\w.,$€£/#-])(?P<n1>\d{1,3}(?:\.\d{3})+(?!\d|\.\d)|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)|" + NUM + r")"
    r"(?P<s1>\s(?:thousand|million|billion|trillion)\b|[kKM](?![A-Za-z]))?(?P<plus>\+)?(?![\w%]|[.,]\d)"
)
YEAR = re.compile(r"^(?:19|20)\d{2}$")
_WORD_NUMBER = (
    r"(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)"
    r"(?:[\s-]+(?:and\s+)?(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    r"fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|"
    r"thousand|million|billion|trillion|dozen))*"
)
WORDS = re.compile(rf"(?<![\w-])({_WORD_NUMBER})(?![\w-])", re.I)
WORD_PERCENT = re.compile(rf"(?<![\w-])(?P<w>{_WORD_NUMBER})\s(?:percent|per cent)\b", re.I)
FRACTIONS = {
    "half": 50,
    "one-half": 50,
    "one half": 50,
    "a third": 33.3,
    "one-third": 33.3,
    "one third": 33.3,
    "two-thirds": 66.7,
    "two thirds": 66.7,
    "a quarter": 25,
    "one-quarter": 25,
    "one quarter": 25,
    "three-quarters": 75,
    "three quarters": 75,
}
FRACTION = re.compile(
    r"(?<![\w-])(?P<f>half|one[- ]half|(?:a|one)[- ]third|two[- ]thirds|(?:a|one)[- ]quarter|three[- ]quarters)\s+of\b"
    r"|\b(?:in|by)\s+(?P<h>half)\b",
    re.I,
)
MULTIPLE = re.compile(r"\b(?P<m>doubled|tripled|trebled|quadrupled)\b", re.I)
RATIO = re.compile(rf"(?<![\w.,$])(?P<n>{NUM})\s?(?:to|:)\s?1\b(?!\d|\.\d|,\d)")
RATE = re.compile(r"^(?:\s+a\s+|\s+per\s+|-per-|\s*/\s*)(?P<per>day|week|month|year)\b", re.I)
# a count noun written before its number: "a headcount of ~79,000", "the number of pay bands from nine to five"
_ABOUT = r"(?:about|around|roughly|approximately|nearly|almost|some|over|more than|~|≈)?\s*$"
NOUN_BEFORE = re.compile(
    r"(?P<noun>headcount|workforce|staff|years of service)\b[^.;:!?]{0,24}?\b"
    r"(?:of|from|at|to|by|totals?|totalled|totaled|reached|stood at)\s*" + _ABOUT + "|"
    r"(?P<noun2>pay bands|bands|employees|workers|jobs|people|roles|positions|users|customers|analysts|companies)\b"
    r"[^.;:!?]{0,12}?\bfrom\s+(?:\S+\s+to\s+)?" + _ABOUT,
    re.I,
)
NOUN_BEFORE_UNIT = {
    "headcount": "employees",
    "workforce": "employees",
    "staff": "employees",
    "bands": "pay bands",
    "years of service": "years",
}
# a time span, not a quantity: "in four months", "barely three months into 2026", "for two years"
SPAN_BEFORE = re.compile(
    r"\b(?:in|within|into|during|for|after|since|the last|the past|the next|the first|just|only|barely|nearly|almost)\s*$", re.I
)
_N = r"\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
EVERY = re.compile(
    rf"(?<![\w-])(?P<n>{_N})\s+(?P<u>day|days|week|weeks|month|months)\b(?:\s+of\s+\w+(?:\s+\w+)?)?\s+(?:for\s+every|for\s+each|per)\s+"
    rf"(?:(?P<m>{_N})\s+)?(?P<per>weeks?|months?|years?)\b(?!\s+of\s+service)",
    re.I,
)
DISCOUNT_AFTER = re.compile(r"^\s*(?:off|discount)\b", re.I)

APPROX = re.compile(
    r"(?:\babout|\baround|\broughly|\bapproximately|\bapprox\.?|\bsome|\bnearly|\balmost|\bclose to|\bcirca|\bnear|"
    r"~|≈|∼)(?:\s+the)?\s*$",
    re.I,
)
AT_LEAST = re.compile(
    r"(?:\bover|\bmore than|\bat least|\bupwards of|\bin excess of|\babove|\bexceeding|\bexceed|\bexceeds|\bexceeded|\btop|"
    r"\btops|\btopped|\btopping|\bnorth of|\bno less than|\bno fewer than|\bnot less than|\ba minimum of|\bcrossed|\bcrossing|"
    r"\bcrosses|\bpassed|\bpassing|\bsurpassed|\bsurpassing|\bbeyond)\s*$",
    re.I,
)
AT_MOST = re.compile(
    r"(?:\bup to|\bas many as|\bas much as|\bas high as|\bat most|\bno more than|\bnot more than|\ba maximum of|\bunder|"
    r"\bbelow|\bless than|\bfewer than|\bnot exceeding|\bshy of|\bjust under|\bjust below)\s*$",
    re.I,
)
AFTER = re.compile(
    r"^\s*(?:(?P<least>or more\b|or higher\b|or above\b|and up\b|plus\b(?!\s+\w+\s+(?:weeks|per)))|"
    r"(?P<most>or less\b|or fewer\b|at most\b)|(?P<approx>or so\b))",
    re.I,
)


@dataclass(slots=True)
class Figure:
    start: int  # offsets in the text it was read from
    end: int
    low: float | int
    high: float | int
    unit: str | None
    bound: str
    surface: str
    kind: str  # money, percent, count, share, multiple, ratio, rate
    noun: str = ""  # the counted noun, for counts


def _dec(digits: str) -> Decimal:
    return Decimal(digits.replace(",", ""))


def _count_dec(digits: str) -> Decimal:
    """Digits of a count: 8.000 and 8 000 are eight thousand (other locales' separators)."""
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", digits) or re.fullmatch(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+", digits):
        return Decimal(re.sub(r"[. \u00a0\u202f]", "", digits))
    return _dec(digits)


def _scale(s: str | None) -> int:
    if not s:
        return 1
    s = s.strip().lower()
    return SCALE_WORDS.get(s) or SCALE_ABBREV.get(s, 1)


def plain(d: Decimal) -> float | int:
    """A Decimal as the corpus writes it: an int where it is whole."""
    return int(d) if d == d.to_integral_value() else float(d)


def _bound(text: str, start: int, end: int) -> str:
    before, after = text[max(0, start - 40) : start], text[end : end + 30]
    m = AFTER.match(after)
    if m and m["least"] and not (m["least"].lower().startswith("plus")):
        return "at-least"
    if m and m["most"]:
        return "at-most"
    if AT_MOST.search(before):
        return "at-most"
    if AT_LEAST.search(before) or text[end : end + 1] == "+":
        return "at-least"
    if re.search(r"\b(?:crossed|crossing|passed|topped|surpassed|exceeded|broke)\s+the\s*$", before, re.I) and re.match(
        r"^\s*(?:threshold|mark|milestone|level|barrier|line)\b", after, re.I
    ):
        return "at-least"  # "crossed the $700B threshold"; "topping the $211 billion consensus" is that figure exactly
    if APPROX.search(before) or (m and m["approx"]):
        return "approx"
    return "exact"


def _words_value(phrase: str) -> Decimal | None:
    words = phrase.lower().replace("-", " ").split()
    if words[0] == "a" and (len(words) == 1 or words[1] not in ("hundred", "thousand", "million", "billion", "dozen")):
        return None
    try:
        from number_parser import parse_number
    except ImportError:  # pragma: no cover - a dependency
        return None
    value = parse_number(" ".join(w for w in words if w != "a") if words[0] == "a" else phrase.lower())
    if value is None and words[-1] == "dozen":
        value = 12 * (parse_number(" ".join(words[:-1])) or 1) if len(words) > 1 else 12
    return Decimal(value) if isinstance(value, (int, float)) else None


def _noun_after(text: str, end: int) -> tuple[str, str, int] | None:
    """(noun, unit, end) of the count noun a number is followed by, within three modifier words."""
    rest = text[end:]
    m = re.match(r"\s+of\s+(?:the|its|their|those)\s+", rest)
    offset = m.end() if m else 0
    tokens = list(re.finditer(r"[A-Za-z][\w’'-]*|[^\sA-Za-z]", rest[offset:]))
    for i, tok in enumerate(tokens[:4]):
        word = tok.group().lower()
        if word in NOUNS:
            if tokens and rest[offset : offset + tokens[0].start()].strip():
                return None  # punctuation between the number and its words
            if word == "bands" and not re.search(r"\bpay\s+bands\b", rest[: offset + tok.end()], re.I):
                return None
            return word, NOUNS[word], end + offset + tok.end()
        if word in ("per", "a") and i == 0 and RATE.match(rest):
            return None
        if not tok.group()[0].isalpha() or word in GAP_STOP or i == 3:
            return None
    return None


def _noun_before(text: str, start: int) -> tuple[str, str] | None:
    m = NOUN_BEFORE.search(text[max(0, start - 60) : start])
    if m is None:
        return None
    noun = (m["noun"] or m["noun2"]).lower()
    return noun, NOUN_BEFORE_UNIT.get(noun) or NOUNS.get(noun.split()[-1], "employees")


def find_figures(text: str) -> list[Figure]:
    """Every figure in `text` (a sentence), in order, never overlapping."""
    out: list[Figure] = []
    taken: list[tuple[int, int]] = []  # sorted, never overlapping

    def free(a: int, b: int) -> bool:
        i = bisect.bisect_left(taken, (a, a))
        return (i == 0 or taken[i - 1][1] <= a) and (i == len(taken) or taken[i][0] >= b)

    def add(f: Figure) -> None:
        out.append(f)
        bisect.insort(taken, (f.start, f.end))

    _money(text, add)
    for m in PERCENT.finditer(text):
        if not free(m.start(), m.end()) or DISCOUNT_AFTER.match(text[m.end() :]):
            continue
        n2 = m["n2"]
        if n2 and (m["sep"].strip().lower() == "and" or re.search(r"\bfrom\s*$", text[: m.start()], re.I)):
            continue  # "from 10% to 15%": read each on its own below
        lo, hi = _dec(m["n1"]), _dec(n2) if n2 else _dec(m["n1"])
        if hi < lo:
            continue
        add(Figure(m.start(), m.end(), plain(lo), plain(hi), "percent", _bound(text, m.start(), m.end()), m.group(), "percent"))
    for m in re.finditer(rf"(?<![\w.,$€£])(?P<n>{NUM}){_PCT}", text):
        if free(m.start(), m.end()) and not DISCOUNT_AFTER.match(text[m.end() :]):
            v = plain(_dec(m["n"]))
            add(Figure(m.start(), m.end(), v, v, "percent", _bound(text, m.start(), m.end()), m.group(), "percent"))
    for m in WORD_PERCENT.finditer(text):
        value = _words_value(m["w"])
        if value is not None and free(m.start(), m.end()):
            v = plain(value)
            add(Figure(m.start(), m.end(), v, v, "percent", _bound(text, m.start(), m.end()), m.group(), "percent"))
    for m in FRACTION.finditer(text):
        word = (m["f"] or m["h"]).lower()
        start, end = m.start(), m.start() + len(m.group().rstrip()) - (3 if m["f"] else 0)
        end = m.start("f") + len(m["f"]) if m["f"] else m.end()
        if free(start, end):
            bound = _bound(text, start, end)
            v = FRACTIONS[word]
            add(Figure(start, end, v, v, "percent", "approx" if bound == "exact" else bound, text[start:end], "share"))
    for m in MULTIPLE.finditer(text):
        if free(m.start(), m.end()):
            v = {"doubled": 2, "tripled": 3, "trebled": 3, "quadrupled": 4}[m["m"].lower()]
            add(Figure(m.start(), m.end(), v, v, "times", _bound(text, m.start(), m.end()), m.group(), "multiple"))
    for m in RATIO.finditer(text):
        if free(m.start(), m.end()):
            v = plain(_dec(m["n"]))
            add(Figure(m.start(), m.end(), v, v, "ratio", _bound(text, m.start(), m.end()), m.group(), "ratio"))
    for m in EVERY.finditer(text):  # "one week of pay for every six months": a rate, not two durations
        value = _count_dec(m["n"]) if m["n"][0].isdigit() else _words_value(m["n"])
        per = m["m"] or ""
        per_value = (_count_dec(per) if per[:1].isdigit() else _words_value(per)) if per else None
        if value is None or not free(m.start(), m.end()):
            continue
        unit = (
            f"{_plural(m['u'])} per {plain(per_value)} {_plural(m['per'])}"
            if per_value
            else f"{_plural(m['u'])} per {m['per'].lower().rstrip('s')}"
        )
        v = plain(value)
        add(Figure(m.start(), m.end(), v, v, unit, _bound(text, m.start(), m.end()), m.group(), "rate", m["u"].lower()))
    _counts(text, add, free)
    out.sort(key=lambda f: f.start)
    return out


def _plural(word: str) -> str:
    w = word.lower()
    return w if w.endswith("s") else w + "s"


def _money(text: str, add: Callable[[Figure], None]) -> None:
    pos = 0
    while (m := MONEY.search(text, pos)) is not None:
        pos = m.end()
        if m["n2"] and m["sep"].strip().lower() == "and" and not re.search(r"\bbetween\s*$", text[: m.start()], re.I):
            n2 = None
        else:
            n2 = m["n2"]
        if n2 and re.search(r"\bfrom\s*$", text[: m.start()], re.I):
            n2 = None  # "from $5 billion to $7 billion" is a change, two figures
        if n2 is None:
            end = m.start("n1") + len(m["n1"]) + len(m["s1"] or "")
            s1 = m["s1"]
            hi_d = None
            pos = end
        else:
            end = m.end()
            s1 = m["s1"] or m["s2"]
            hi_d = _dec(n2) * _scale(m["s2"] or m["s1"])
        cur = CURRENCY_SIGNS[m["cur"].strip().lower()]
        lo_d = _dec(m["n1"]) * _scale(s1)
        hi_d = hi_d if hi_d is not None else lo_d
        if hi_d < lo_d:
            continue
        unit = cur
        if cur == "USD" and hi_d < 10_000 and re.search(r"\bper[- ]share\b|\bEPS\b|earnings[- ]per[- ]share", text, re.I):
            unit = "USD per share"
        add(Figure(m.start(), end, plain(lo_d), plain(hi_d), unit, _bound(text, m.start(), end), text[m.start() : end], "money"))


def _counts(text: str, add: Callable[[Figure], None], free: Callable[[int, int], bool]) -> None:
    candidates: list[tuple[int, int, Decimal, bool, bool]] = []  # start, end, value, plus, has a scale
    for m in COUNT.finditer(text):
        if YEAR.match(m["n1"]) and not m["s1"]:
            continue
        scale = _scale(m["s1"]) if m["s1"] else 1
        end = m.start("n1") + len(m["n1"]) + len(m["s1"] or "")
        candidates.append((m.start(), end, _count_dec(m["n1"]) * scale, bool(m["plus"]), bool(m["s1"])))
    for m in WORDS.finditer(text):
        value = _words_value(m.group())
        if value is not None:
            candidates.append((m.start(), m.end(), value, False, False))
    candidates.sort()
    kept: list[tuple[int, int, Decimal, bool, bool]] = [c for c in candidates if free(c[0], c[1]) and c[2] >= 2]
    pending: tuple[int, int, Decimal, bool] | None = None  # a number waiting for the noun of the one after "to"
    for i, (start, end, value, plus, _) in enumerate(kept):
        after = end + (1 if plus else 0)
        noun = _noun_after(text, after)
        nxt = kept[i + 1] if i + 1 < len(kept) else None
        joint = nxt is not None and re.fullmatch(r"\s*(?:-|–|—|to)\s*", text[after : nxt[0]]) is not None
        if noun is None and joint and nxt is not None:
            # "4,000–5,000 roles", "from 162,000 to 141,000 people": the noun after the second
            pending = (start, end, value, plus)
            continue
        unit = word = None
        span_end = end
        if noun is not None:
            word, unit, span_end = noun
        else:
            before = _noun_before(text, start)
            if before is not None:
                word, unit = before
            else:
                rate = RATE.match(text[after:])
                if rate is None or pending is not None:
                    if pending is None and value >= 100:  # a number with no unit: the drafter decides
                        v = plain(value)
                        add(Figure(start, end, v, v, None, _bound(text, start, end), text[start:end], "bare"))
                    pending = None
                    continue
                units = [NOUNS[w.lower()] for w in reversed(re.findall(r"[A-Za-z]+", text[:start])) if w.lower() in NOUNS]
                unit_before = next((u for u in units if u in ("employees", "roles")), units[0] if units else None)
                if unit_before is None or unit_before in DURATIONS:
                    continue
                unit, word = f"{unit_before} per {rate['per'].lower()}", rate["per"].lower()
                span_end = after + rate.end()
        if unit in DURATIONS and SPAN_BEFORE.search(text[max(0, start - 20) : start]):
            pending = None
            continue  # a time span ("in four months"), not a quantity
        if unit == "people":
            unit = "employees" if WORKFORCE_WORDS.search(text) else "people"
        kind = "money" if unit in ("USD", "EUR", "GBP") else "count"
        first = pending
        pending = None
        if first is not None:
            lo_start, lo_end, lo_value, lo_plus = first
            from_to = re.search(r"\bfrom\s*(?:about|around|roughly|~)?\s*$", text[max(0, lo_start - 20) : lo_start], re.I)
            digits = _count_dec_plain(text[start:end])
            scale_hi = value / digits if digits else Decimal(1)
            lo_scaled = lo_value * scale_hi if lo_value < value and scale_hi > 1 and lo_value * scale_hi <= value else lo_value
            if from_to:
                v = plain(lo_scaled)
                add(Figure(lo_start, lo_end, v, v, unit, _bound(text, lo_start, lo_end), text[lo_start:lo_end], kind, word or ""))
            elif lo_scaled <= value:
                bound = "at-least" if lo_plus else _bound(text, lo_start, lo_end)
                if (
                    unit in DURATIONS
                    and bound == "at-least"
                    and re.search(r"\bover\s*$", text[max(0, lo_start - 8) : lo_start], re.I)
                ):
                    bound = "exact"
                add(
                    Figure(
                        lo_start, span_end, plain(lo_scaled), plain(value), unit, bound, text[lo_start:span_end], kind, word or ""
                    )
                )
                continue
        bound = "at-least" if plus else _bound(text, start, end)
        if unit in DURATIONS and bound == "at-least" and re.search(r"\bover\s*$", text[max(0, start - 8) : start], re.I):
            bound = "exact"  # "over 7-8 years": during, not more than
        v = plain(value)
        add(Figure(start, span_end, v, v, unit, bound, text[start:span_end], kind, word or ""))


def _count_dec_plain(surface: str) -> Decimal | None:
    """The number of a count's digits without their scale ("120 billion" -> 120)."""
    m = re.match(r"\s*(\d[\d,. ]*)", surface)
    if m:
        try:
            return _count_dec(m.group(1).strip().rstrip(".,"))
        except InvalidOperation:
            return None
    phrase = re.sub(r"\s+(?:thousand|million|billion|trillion)$", "", surface.strip(), flags=re.I)
    return _words_value(phrase) if phrase else None


# --- a value a person typed -----------------------------------------------------------------------

_TYPED = re.compile(
    rf"^\s*(?P<cur>{_CUR})?\s?(?P<n1>{NUM})\s?(?P<s1>thousand|million|billion|trillion|bn|mn|mln|tn|[kKmMbBtT])?\s*"
    rf"(?:(?:-|–|—|to)\s*(?:{_CUR})?\s?(?P<n2>{NUM})\s?(?P<s2>thousand|million|billion|trillion|bn|mn|mln|tn|[kKmMbBtT])?)?\s*"
    rf"(?P<pct>%|percent|per cent)?\s*(?P<unit>[A-Za-z]+)?\s*$",
    re.I,
)


def read_typed_value(text: str) -> tuple[float | int | list[float | int], str | None] | None:
    """What a person meant by a value written as text ("125B", "$125 billion", "10%", "8,000",
    "1.25e11", "$125-$145 billion"): (number or [low, high], unit or None), or None."""
    t = text.strip()
    try:
        if re.fullmatch(r"[-+]?\d+(?:\.\d*)?[eE][-+]?\d+", t):
            return plain(Decimal(t)), None
    except InvalidOperation:  # pragma: no cover
        return None
    m = _TYPED.match(t)
    if not m:
        return None
    unit = None
    if m["cur"]:
        unit = CURRENCY_SIGNS[m["cur"].strip().lower()]
    if m["pct"]:
        unit = "percent"
    trailing = (m["unit"] or "").lower()
    if trailing:
        if trailing in ("dollars", "dollar", "usd"):
            unit = "USD"
        elif trailing in NOUNS:
            unit = NOUNS[trailing]
        else:
            return None
    s1 = m["s1"] or (m["s2"] if m["n2"] else None)
    lo = _dec(m["n1"]) * _scale(s1)
    if m["n2"]:
        hi = _dec(m["n2"]) * _scale(m["s2"] or m["s1"])
        return [plain(lo), plain(hi)], unit
    return plain(lo), unit
