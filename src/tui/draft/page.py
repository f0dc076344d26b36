# Long because every way a page arrives (HTML file, text, stdin, URL) ends in the same
# Page with its metadata and dated lead, and they share the cleaning steps.
"""A saved page, a text file, standard input or a URL, read into text and the metadata it carries.

HTML goes through trafilatura (text, title, author, site name, canonical URL) and
htmldate (the date in the page's markup only: no search of the text, no guess
from the address). A text file carries what its first lines print: a headline,
a "By ..." or "Author: ..." byline, a "Published/Updated <date>" line. Nothing
is invented: what the page does not say stays None, and `found` says where each
field came from, for the user to check.
"""

from __future__ import annotations

import contextlib
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ],
        1,
    )
}
DATELINE = re.compile(
    r"(?:(?P<word>published|updated|posted|last updated|date)\s*:?\s*(?:on\s+)?)?"
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?\s+(?P<day>\d{1,2}),?\s+(?P<year>(?:19|20)\d{2})",
    re.I,
)
BYLINE = re.compile(
    r"^(?:by\s+(?P<by>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\b|author:\s*(?P<author>[^·|\n]{2,60}?))\s*(?:[·|,]|$)", re.I
)


class ByteStream(Protocol):
    """What a page is read from instead of standard input (sys.stdin.buffer, io.BytesIO)."""

    def read(self, size: int = -1, /) -> bytes: ...


class PageError(Exception):
    """The page cannot be read; the message says why, in one line."""


@dataclass
class Page:
    text: str
    origin: str  # the PAGE argument as the user typed it
    title: str | None = None
    publisher: str | None = None
    author: str | None = None
    published: str | None = None
    url: str | None = None
    as_of: str | None = None  # a dated lead's date where the page prints no publication date
    found: dict[str, str] = field(default_factory=dict)  # field -> where it was found
    flags: list[str] = field(default_factory=list)


MAX_PAGE_BYTES = 20 * 1024 * 1024  # a saved article is far smaller; a larger "page" is something else


def read_page(arg: str, stdin: ByteStream | None = None, timeout: float = 30.0) -> Page:
    if re.match(r"^https?://", arg, re.I):
        html = fetch(arg, timeout)
        page = from_html(html, arg)
        if page.url is None:
            page.url = arg
            page.found["url"] = "the address it was fetched from"
        return page
    if arg == "-":
        raw = (stdin or sys.stdin.buffer).read(MAX_PAGE_BYTES + 1)
        if len(raw) > MAX_PAGE_BYTES:
            raise PageError(f"standard input is over {MAX_PAGE_BYTES // 2**20} MB; pivot add reads pages up to that size")
        text = _decode(raw, "standard input")
        return from_html(text, arg) if _looks_like_html(text) else from_text(text, arg)
    from pathlib import Path

    path = Path(arg)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_PAGE_BYTES + 1)
    except IsADirectoryError:
        raise PageError(f"{arg} is a folder; give the saved page's file (.html, .txt or .md)") from None
    except FileNotFoundError:
        raise PageError(f"{arg}: no such file") from None
    except OSError as exc:
        raise PageError(f"cannot read {arg}: {exc.strerror or exc}") from None
    if len(raw) > MAX_PAGE_BYTES:
        raise PageError(f"{arg} is over {MAX_PAGE_BYTES // 2**20} MB; pivot add reads pages up to that size")
    text = _decode(raw, arg)
    if path.suffix.lower() in (".html", ".htm", ".xhtml") or _looks_like_html(text):
        return from_html(text, arg)
    return from_text(text, arg)


def fetch(url: str, timeout: float) -> str:
    """The page at `url`, read within `timeout` seconds in all (not per read: a server that sends
    a byte now and then is given up on) and at most MAX_PAGE_BYTES."""
    import http.client
    import time
    import urllib.error
    import urllib.parse
    import urllib.request

    save = "save the page from your browser (Save Page As, HTML) and run: pivot add page.html"
    try:
        parts = urllib.parse.urlsplit(url)
        if not parts.hostname:
            raise ValueError("no host")
        request = urllib.request.Request(url, headers={"User-Agent": "pivot (article drafter)"})
    except ValueError as exc:
        raise PageError(f"{url} is not a valid web address ({exc})") from None
    deadline = time.monotonic() + timeout
    chunks: list[bytes] = []
    size = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # http(s) only, checked above
            charset: str = response.headers.get_content_charset() or "utf-8"
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError
                if response.fp is not None and getattr(response.fp, "raw", None) is not None:
                    with contextlib.suppress(OSError, AttributeError):
                        response.fp.raw._sock.settimeout(max(0.05, left))
                chunk = response.read1(65536) if hasattr(response, "read1") else response.read(65536)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_PAGE_BYTES:
                    raise PageError(
                        f"cannot fetch {url}: the page is over {MAX_PAGE_BYTES // 2**20} MB, far more than an article; {save}"
                    )
                chunks.append(chunk)
    except PageError:
        raise
    except TimeoutError:
        raise PageError(f"cannot fetch {url}: gave up after {timeout:g} s (the server is too slow); {save}") from None
    except urllib.error.HTTPError as exc:
        raise PageError(f"cannot fetch {url}: the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise PageError(f"cannot fetch {url}: gave up after {timeout:g} s (the server is too slow); {save}") from None
        raise PageError(f"cannot fetch {url} (no network here? {reason}); {save}") from None
    raw = b"".join(chunks)
    try:
        text = raw.decode(charset, errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    if "\0" in text:
        raise PageError(f"cannot use {url}: it holds NUL characters, so it is not a text or HTML page")
    return text


def _decode(raw: bytes, label: str) -> str:
    """The page's text; a page that is not text says what is wrong with it and where."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError as exc:
            why = "an odd number of bytes" if len(raw) % 2 else f"a broken character at byte {exc.start:,}"
            raise PageError(f"{label} says it is UTF-16 (its first two bytes) but has {why}; save it again as UTF-8") from None
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            if re.search(rb"<meta[^>]+charset=[\"']?(?:windows-1252|iso-8859-1|latin-?1)", raw[:4096], re.I):
                text = raw.decode("cp1252", errors="replace")
            else:
                line = raw[: exc.start].count(b"\n") + 1
                raise PageError(
                    f"{label} is not UTF-8 text: byte 0x{raw[exc.start]:02x} at offset {exc.start:,} (line {line}); "
                    "save it as UTF-8"
                ) from None
    nul = text.find("\0")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        raise PageError(
            f"{label} holds a NUL character (line {line}, character {nul:,}): it is not a text page; save the article as text or HTML"
        )
    return text


def _looks_like_html(text: str) -> bool:
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html")) or ("<body" in head and "</" in head)


def _normal_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text if text.endswith("\n") else text + "\n"


def from_html(html: str, origin: str) -> Page:
    try:
        import trafilatura
        from htmldate import find_date
        from trafilatura.metadata import extract_metadata
    except ImportError as exc:  # lxml 6 needs lxml_html_clean beside it
        raise PageError(f"cannot read HTML: {exc} (pip install trafilatura lxml_html_clean)") from None
    text = trafilatura.extract(
        html,
        output_format="txt",
        include_comments=False,
        include_tables=True,
        include_links=False,
        include_images=False,
        deduplicate=False,
        favor_recall=True,
    )
    if not text or not text.strip():
        text = plain_text(html)  # markup nested too deep for the HTML parser, or no article element
    if not text or not text.strip():
        raise PageError(f"{origin}: no article text found in this page (is it the article itself, saved after it loaded?)")
    meta = extract_metadata(html, extensive=False)
    page = Page(_normal_text(text), origin)
    if meta.title:
        page.title, page.found["title"] = meta.title.strip(), "the page's title tags"
    if meta.author:
        page.author, page.found["author"] = meta.author.strip(), "the page's author tag or byline"
    if meta.url:
        page.url, page.found["url"] = meta.url, "the page's canonical link"
    if meta.sitename:
        derived = None
        if meta.url:
            m = re.match(r"https?://(?:www\.)?([^/]+)", meta.url)
            derived = m[1] if m else None
        if meta.sitename != derived and "." not in meta.sitename:
            page.publisher, page.found["publisher"] = meta.sitename.strip(), "the page's site name"
    try:
        published = find_date(html, extensive_search=False, original_date=True, outputformat="%Y-%m-%d")
    except Exception:  # noqa: BLE001 - htmldate parses arbitrary markup; no date is the answer then
        published = None
    if published:
        page.published, page.found["published"] = published, "the page's date markup"
    page.flags = provenance_flags(page.text, page.author)
    dated_lead(page)
    return page


_BLOCK = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|h[1-6]|tr|article|section|figcaption|figure|blockquote|ul|ol|table|header|footer)\b[^>]*>", re.I
)
_DROP = re.compile(r"<(script|style|noscript|template|svg)\b[^>]*>.*?</\1\s*>", re.I | re.S)


def plain_text(html: str) -> str:
    """The text of a page whatever its markup (linear: no tree is built): scripts and styles
    dropped, block elements as line breaks, tags removed, entities read."""
    import html as html_lib

    text = _DROP.sub(" ", html)
    text = _BLOCK.sub("\n", text)
    text = re.sub(r"<[^>]*>", " ", text)
    text = html_lib.unescape(text)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


def from_text(text: str, origin: str) -> Page:
    text = _normal_text(text)
    if not text.strip():
        raise PageError(f"{origin} is empty")
    page = Page(text, origin)
    head = [line.strip() for line in text.splitlines()[:15] if line.strip()]
    title = headline(head, [line.strip() for line in text.splitlines()[:400]])
    if title is not None:
        page.title, page.found["title"] = title, f"the line {title!r}"
    for line in head:
        m = DATELINE.search(line)
        if m and (m["word"] or len(line) < 80):
            try:
                d = date(int(m["year"]), _month(m["month"]), int(m["day"]))
            except ValueError:
                continue
            page.published, page.found["published"] = d.isoformat(), f"{m.group().strip()!r} in the first lines"
            break
    for line in head:
        for part in re.split(r"\s*·\s*", line):
            m = BYLINE.match(part.strip())
            if m:
                author = (m["by"] or m["author"] or "").strip()
                if author:
                    page.author, page.found["author"] = author, f"the byline {part.strip()!r}"
                    break
        if page.author:
            break
    page.flags = provenance_flags(page.text, page.author)
    dated_lead(page)
    return page


FURNITURE = re.compile(
    r"^(?:skip to (?:main )?content|menu|home|search|sign in|log in|subscribe|advertisement|share|reader mode|"
    r"table of contents|overview|listen|print|close)$|\bmin(?:ute)?s? read\b|\d+\s?(?:[hmd]|hours?|minutes?|days?) ago\b|^updated\b|^posted\b",
    re.I,
)
BREADCRUMB = re.compile(r"\s(?:>|›|»|/|\\)\s")
BADGE = re.compile(r"[·•|]|\[\d+\s\w+\]")


def headline(head: list[str], lines: list[str] | None = None) -> str | None:
    """The page's headline among its first lines: the first that reads as one (4 to 40 words, not
    ending as a sentence or a label does), before the body starts, and never a date line, a
    byline, a badge ("significant · [2 sources]"), a masthead ("TECH + AI"), a breadcrumb
    ("Home > Tech > AI") or page furniture ("Skip to main content", "6 min read"). A leading
    hashtag is not part of it."""
    for raw in head:
        line = re.sub(r"^(?:#\w+\s+)+", "", raw).strip()
        line = re.sub(r"^[^\w\"“‘'$€£(]+", "", line).strip()  # a leading emoji or bullet mark
        words = line.split()
        if len(words) > 45 or (line.endswith((".", "!")) and len(words) >= 12):
            return None  # the body has begun: the page prints no headline
        if FURNITURE.search(line) or DATELINE.search(line) or BYLINE.match(line) or BREADCRUMB.search(line) or BADGE.search(line):
            continue
        if not 4 <= len(words) <= 40 or len(line) > 250 or line.endswith((".", ",", ";", ":")):
            continue
        letters = [c for c in line if c.isalpha()]
        if letters and sum(c.isupper() for c in letters) / len(letters) > 0.8 and len(words) <= 6:
            continue  # a masthead or section label in capitals
        if lines is not None and len(words) <= 6 and ":" not in line and _section_headings(lines, line) >= 2:
            return None  # the first of the page's section headings, not a headline: the page prints none
        return line
    return None


def _section_headings(lines: list[str], first: str) -> int:
    """Lines after `first` shaped like it (a short line without a full stop, before body text):
    a page whose first line is one of a run of section headings prints no headline."""
    n = 0
    after = False
    for i, line in enumerate(lines):
        if line == first and not after:
            after = True
            continue
        words = line.split()
        if after and 2 <= len(words) <= 8 and not line.endswith((".", ",", ";", ":", "!", "?", "…")) and line[:1].isupper():
            nxt = next((x for x in lines[i + 1 :] if x), "")
            if len(nxt.split()) >= 12:
                n += 1
    return n


AS_OF_LEAD = re.compile(
    r"\bAs of (?:(?:early|mid|late)[- ]?)?(?:(?P<month>January|February|March|April|May|June|July|August|September|October|"
    r"November|December)\s+)?(?P<year>(?:19|20)\d{2})\b",
    re.I,
)


LEAD_WORDS = 12  # a paragraph of prose has at least this many words and ends as a sentence does


def dated_lead(page: Page) -> None:
    """`as_of` from a dated lead ("As of mid-March 2026, ...") in the article's first two
    paragraphs of prose (a standfirst and the lead), where the page prints no publication date:
    never more precise than the words (a month, else a year). An "As of" further down dates one
    figure, not the article."""
    if page.published is not None:
        return
    prose = [
        p
        for p in re.split(r"\n\s*\n", page.text[:20_000])
        if len(p.split()) >= LEAD_WORDS and p.rstrip().endswith((".", "!", "?", '"', "”", "’"))
    ]
    m = AS_OF_LEAD.search("\n\n".join(prose[:2]))  # the standfirst and the lead
    if m is None:
        return
    page.as_of = f"{m['year']}-{_month(m['month']):02d}" if m["month"] else m["year"]
    page.found["as_of"] = f"{m.group()!r}, a dated lead"


def _month(name: str) -> int:
    name = name.lower().rstrip(".")
    for full, number in MONTHS.items():
        if full.startswith(name[:3]):
            return number
    raise ValueError(name)


def provenance_flags(text: str, author: str | None) -> list[str]:
    """Flags the text states outright (ai-assisted), or a missing byline."""
    flags = []
    if re.search(
        r"\b(?:created|written|generated|produced|drafted)\s+with\s+(?:the\s+help\s+of\s+)?(?:AI|artificial intelligence)"
        r"(?:\s+(?:assistance|help|tools?))?\b",
        text,
        re.I,
    ):
        flags.append("ai-assisted")
    if not author:
        flags.append("no-byline")
    return flags
