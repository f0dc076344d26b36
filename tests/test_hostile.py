"""Hostile and broken input (issue 5): corpus files, the store, exports, queries, the CLI's display.

Each test feeds pivot one kind of bad input and checks the exact outcome: a
message `FILE:LINE: field: message` that names where the problem is, a
transparent rebuild, or rows; never a traceback, never a lost or partial file,
never corpus text that reaches the terminal as a control sequence.

Cases already covered elsewhere are not repeated here (see the module
docstrings of test_load.py, test_store.py, test_export.py, test_query.py and
test_cli.py). Permission tests run pivot in a child process whose capabilities
to bypass file permissions are dropped, so that they mean something as root too.
"""

from __future__ import annotations

import ctypes
import errno
import json
import os
import pty
import re
import resource
import shutil
import signal
import sqlite3
import struct
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rich.cells import cell_len

from tui.cli import main
from tui.query import QueryError, build_filter
from tui.store import CorpusError, build_store, db, ensure_store, load_corpus, open_readonly
from tui.store import build as build_mod
from tui.store import export as export_mod
from tui.store.export import ExportError, write_atomic
from tui.store.files import file_states
from tui.store.locate import store_info

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "small"
SRC = REPO / "src"

# the corpus texts of test_load.py, which tests break one line at a time
from test_load import ENTITIES, GOOD, TOPICS  # noqa: E402
from test_query import PIECES  # noqa: E402


def corpus(
    tmp_path: Path, sources: dict[str, str | bytes], entities: str | bytes = ENTITIES, topics: str | bytes = TOPICS
) -> Path:
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    for path, content in {
        "entities.yaml": entities,
        "topics.yaml": topics,
        **{f"sources/{k}.yaml": v for k, v in sources.items()},
    }.items():
        raw = content if isinstance(content, bytes) else content.encode("utf-8")
        (data / path).write_bytes(raw)
    return data


def problems(data: Path) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(data)
    return [str(p) for p in info.value.problems]


def one_problem(data: Path) -> str:
    found = problems(data)
    assert len(found) == 1, found
    return found[0]


def source_with(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


# Characters that must never reach a terminal from corpus text: C0/C1 controls (newline
# aside), DEL, bidirectional controls and invisible formatting characters.
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff]")


def unsafe_in(text: str) -> list[str]:
    return sorted({f"U+{ord(c):04X}" for c in UNSAFE.findall(text)})


# =====================================================================================
# Corpus
# =====================================================================================


def test_a_bom_at_the_start_of_any_file_is_ignored(tmp_path: Path) -> None:
    bom = b"\xef\xbb\xbf"
    data = corpus(tmp_path, {"one": bom + GOOD.encode()}, entities=bom + ENTITIES.encode(), topics=bom + TOPICS.encode())
    c = load_corpus(data)
    assert [e.id for e in c.entities] == ["meta", "microsoft"]
    assert [t.id for t in c.topics] == ["job-cuts", "ai-capex"]
    c1 = c.sources[0].claims[0]
    assert (c.sources[0].id, c1.id, c1.line, c1.at("value")) == ("one", "c1", 7, 13)  # lines unchanged by the BOM
    assert c.sources[0].title == "One article"


def test_a_utf16_file_is_reported_as_not_utf8(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.encode("utf-16")})
    assert one_problem(data) == "data/sources/one.yaml:1: not UTF-8 (byte 0xff at offset 0)"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "    entity: meta\n",
            "\tentity: meta\n",
            "data/sources/one.yaml:8: YAML: a tab in the indentation (YAML indents with spaces only)",
        ),
        (
            "  - id: c1\n",
            "\t- id: c1\n",
            "data/sources/one.yaml:7: YAML: a tab in the indentation (YAML indents with spaces only)",
        ),
        (
            "flags: [ai-assisted]\n",
            "flags:\n\t- ai-assisted\n",
            "data/sources/one.yaml:6: YAML: a tab in the indentation (YAML indents with spaces only)",
        ),
    ],
    ids=["tab-before-a-key", "tab-before-a-list-item", "tab-in-a-block-list"],
)
def test_tabs_in_indentation_name_the_line(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert one_problem(corpus(tmp_path, {"one": source_with(old, new)})) == message


def test_a_tab_inside_a_value_is_just_whitespace(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": source_with("summary: Meta cuts", "summary:\tMeta\tcuts")})
    assert load_corpus(data).sources[0].claims[0].summary == "Meta\tcuts 8,000 jobs"


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x07", "\x7f", "\x9b"], ids=["ESC", "NUL", "BEL", "DEL", "CSI"])
def test_a_control_character_pasted_into_a_file_names_its_line(tmp_path: Path, char: str) -> None:
    # a title with multi-byte characters first: the line is counted in characters, not bytes
    text = source_with("title: One article", "title: Ünïcödé – “quoted” 📰").replace(
        "summary: Meta cuts 8,000 jobs", f"summary: Meta cuts{char}8,000 jobs"
    )
    message = one_problem(corpus(tmp_path, {"one": text}))
    assert message == (
        f"data/sources/one.yaml:10: YAML: unacceptable character #x{ord(char):04x}: control characters are not allowed"
    )
    assert "\n" not in message and char not in message


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (".inf", "inf is not a finite number (.inf, or a figure too large to hold)"),
        ("-.inf", "-inf is not a finite number (.inf, or a figure too large to hold)"),
        (".NaN", "nan is not a finite number"),
        ("[0, .inf]", "inf is not a finite number (.inf, or a figure too large to hold)"),
        ("[.nan, 5]", "nan is not a finite number"),
        ("1.0e+400", "inf is not a finite number (.inf, or a figure too large to hold)"),
        ("-1.0e+400", "-inf is not a finite number (.inf, or a figure too large to hold)"),
    ],
)
def test_nan_and_infinite_values(tmp_path: Path, value: str, message: str) -> None:
    data = corpus(tmp_path, {"one": source_with("value: 8000", f"value: {value}")})
    assert one_problem(data) == f"data/sources/one.yaml:13: value: {message}"


LARGE = "implausibly large (limit 1e+16); write plain units, e.g. dollars"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (str(10**30), f"1e+30 is {LARGE}"),
        ("10000000000000001", f"10,000,000,000,000,001 is {LARGE}"),
        ("1e400", "expected a number, got text '1e400' (YAML reads an exponent without a decimal point as text: write 1.0e+400)"),
        ("1e16", "expected a number, got text '1e16' (YAML reads an exponent without a decimal point as text: write 1.0e+16)"),
        ("1" + "0" * 5000, f"a 5,001-digit number is {LARGE}"),  # beyond Python's 4,300-digit int conversion limit
        ("-" + "9" * 4300, f"a 4,300-digit number is {LARGE}"),
        ("0x" + "f" * 5000, f"a 5,000-digit number is {LARGE}"),  # would overflow a float
        ("0b" + "1" * 2000, f"a 2,000-digit number is {LARGE}"),
        ("[1, 1" + "0" * 5000 + "]", f"a 5,001-digit number is {LARGE}"),
    ],
    ids=["1e30", "just-over-the-limit", "1e400", "1e16", "5001-digits", "4300-digits", "hex", "binary", "range"],
)
def test_absurdly_large_numbers_are_refused_with_a_message(tmp_path: Path, value: str, message: str) -> None:
    data = corpus(tmp_path, {"one": source_with("value: 8000", f"value: {value}")})
    assert one_problem(data) == f"data/sources/one.yaml:13: value: {message}"


def test_huge_integers_anywhere_give_a_message_not_a_crash(tmp_path: Path) -> None:
    huge = "7" * 5000
    source = (
        source_with("published: 2026-04-25", f"published: {huge}")
        .replace("  - id: c2\n", f"  - id: {huge}\n")
        .replace("    status: confirmed\n", f"    status: confirmed\n    ? {huge}\n    : x\n")  # a key this long needs `?`
    )
    topics = TOPICS.replace("order: 10", f"order: {huge}")
    assert problems(corpus(tmp_path, {"one": source}, topics=topics)) == [
        "data/topics.yaml:2: order: a 5,000-digit number is implausibly large",
        "data/sources/one.yaml:4: published: expected a date YYYY-MM-DD, YYYY-MM or YYYY, got a number",
        "data/sources/one.yaml:24: <a 5,000-digit number>: unknown field in a claim; expected one of id, entity, "
        "topic, summary, quote, metric, value, unit, bound, period, status, speaker, note",
        "data/sources/one.yaml:18: id: expected an id (lowercase letters, digits, dashes), got a number",
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1:30", "expected a number, got text '1:30' (write plain digits, without a leading zero or colons)"),
        ("190:20:30", "expected a number, got text '190:20:30' (write plain digits, without a leading zero or colons)"),
        ("010", "expected a number, got text '010' (write plain digits, without a leading zero or colons)"),
        ("[0755, 800]", "expected a number, got text '0755' (write plain digits, without a leading zero or colons)"),
    ],
)
def test_yaml_11_base_60_and_octal_numbers_are_not_silently_converted(tmp_path: Path, value: str, message: str) -> None:
    """YAML 1.1 reads 1:30 as 90 and 010 as 8; a figure must never change silently."""
    data = corpus(tmp_path, {"one": source_with("value: 8000", f"value: {value}")})
    assert one_problem(data) == f"data/sources/one.yaml:13: value: {message}"


@pytest.mark.parametrize(
    ("value", "number"), [("0", 0.0), ("0.5", 0.5), ("1_000_000", 1e6), ("1.5e+3", 1500.0)]
)  # 0x10: refused (test_crash.py)
def test_plain_numbers_still_read_as_numbers(tmp_path: Path, value: str, number: float) -> None:
    data = corpus(tmp_path, {"one": source_with("value: 8000", f"value: {value}")})
    assert load_corpus(data).sources[0].claims[0].value_low == number


@pytest.mark.parametrize(
    ("published", "message"),
    [
        ("'2026-02-30'", "'2026-02-30' is not a real date (day is out of range for month)"),
        ('"2025-02-29"', "'2025-02-29' is not a real date (day is out of range for month)"),
        ("0000-01-01", "'0000-01-01' is not a real date (year 0 is out of range)"),
        ("2026-02-30T10:00:00Z", "'2026-02-30T10:00:00Z' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
    ],
)
def test_impossible_dates(tmp_path: Path, published: str, message: str) -> None:
    data = corpus(tmp_path, {"one": source_with("published: 2026-04-25", f"published: {published}")})
    assert one_problem(data) == f"data/sources/one.yaml:4: published: {message}"


@pytest.mark.parametrize(
    ("tagged", "message"),
    [
        ("published: !!timestamp 2026-02-30", "4: YAML: '2026-02-30' is not a valid !!timestamp value"),
        ("title: !!timestamp 99999-01-01", "2: YAML: '99999-01-01' is not a valid !!timestamp value"),
        ("title: !!int abc", "2: YAML: 'abc' is not a valid !!int value"),
        ("title: !!float x", "2: YAML: 'x' is not a valid !!float value"),
        ("title: !!bool maybe", "2: YAML: 'maybe' is not a valid !!bool value"),
        ("title: !!binary aGVsbG8=", "2: title: expected text, got bytes"),
        ("title: !!set {a, b}", "2: title: expected text, got set"),
    ],
)
def test_explicit_tags_with_values_they_cannot_take(tmp_path: Path, tagged: str, message: str) -> None:
    key = tagged.split(":")[0]
    old = "published: 2026-04-25" if key == "published" else "title: One article"
    data = corpus(tmp_path, {"one": source_with(old, tagged)})
    assert one_problem(data) == f"data/sources/one.yaml:{message}"


@pytest.mark.parametrize(
    "tag",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
    ],
)
def test_tags_that_would_run_code_are_refused_and_run_nothing(tmp_path: Path, tag: str) -> None:
    marker = tmp_path / "pwned"
    data = corpus(tmp_path, {"one": source_with("title: One article", "title: " + tag.format(marker=marker))})
    message = one_problem(data)
    assert message.startswith("data/sources/one.yaml:2: YAML: could not determine a constructor for the tag ")
    assert message.endswith("(tags that build objects are not allowed)")
    assert not marker.exists()


LAUGHS = """\
id: one
title: t
kind: news
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
flags: *i
claims: []
"""


def merge_bomb(levels: int) -> str:
    """Mappings merged into mappings (`<<`): each level nine times the one below, all
    defined inside the merge lists so that the whole tree is flattened before any key
    is checked."""

    def level(n: int) -> str:
        if n == 0:
            return "&m0 {k1: 1, k2: 2, k3: 3, k4: 4}"
        return f"&m{n} {{<<: [{level(n - 1)}, {', '.join([f'*m{n - 1}'] * 8)}]}}"

    return f"id: one\ntitle: t\nkind: news\nclaims: []\nnotes: {level(levels)}\n"


LOAD_IN_CHILD = """
import json, resource, sys, time, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))  # a regression fails, it does not swap
from tui.store import CorpusError, load_corpus
tracemalloc.start()
started = time.perf_counter()
try:
    load_corpus(sys.argv[1])
    found = []
except CorpusError as exc:
    found = [str(p) for p in exc.problems]
seconds = time.perf_counter() - started
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"problems": found, "seconds": seconds, "peak": peak}))
"""


def load_in_child(data: Path, timeout: float = 60) -> dict:
    """load_corpus in a child process with 2 GiB of address space and a time limit, so
    that a regression fails this test instead of exhausting the machine; reports the
    problems, the seconds taken and the peak of traced memory (tracemalloc)."""
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run(
        [sys.executable, "-c", LOAD_IN_CHILD, str(data)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=data.parent,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout)


@pytest.mark.parametrize(
    ("text", "line"),
    [(LAUGHS, 9), (merge_bomb(9), 5)],
    ids=["billion-laughs-in-a-list-field", "merge-key-bomb"],
)
def test_an_alias_bomb_fails_fast_with_bounded_memory(tmp_path: Path, text: str, line: int) -> None:
    result = load_in_child(corpus(tmp_path, {"one": text}))
    assert result["problems"] == [
        f"data/sources/one.yaml:{line}: YAML: aliases expand to more than 100,000 values (an alias bomb?); write the values out"
    ]
    # 9^9 = 387 million strings if expanded; the whole check stays within a few megabytes
    assert result["peak"] < 16 * 2**20, f"peak {result['peak'] / 2**20:.1f} MiB"
    assert result["seconds"] < 5, f"{result['seconds']:.1f}s"


def test_a_few_honest_aliases_still_work(tmp_path: Path) -> None:
    text = GOOD.replace("    topic: job-cuts\n", "    topic: &t job-cuts\n").replace("    topic: ai-capex\n", "    topic: *t\n")
    c = load_corpus(corpus(tmp_path, {"one": text}))
    assert [cl.topic for cl in c.sources[0].claims] == ["job-cuts", "job-cuts"]


@pytest.mark.parametrize("anchor", ["", "&x "], ids=["fast-path", "full-loader"])
def test_absurd_nesting_fails_fast(tmp_path: Path, anchor: str) -> None:
    """libyaml slows down with the square of the depth: 100,000 brackets took 48 s."""
    depth = 100_000
    text = f"id: one\ntitle: {anchor}t\nkind: news\nclaims: []\nnotes: " + "[" * depth + "]" * depth + "\n"
    result = load_in_child(corpus(tmp_path, {"one": text}))
    assert result["problems"] == ["data/sources/one.yaml:5: YAML: nests deeper than 100 levels"]
    assert result["seconds"] < 5, f"{result['seconds']:.1f}s"


def test_a_1_mb_quote_is_refused_with_a_message(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": source_with("quote: committed over $80 billion", "quote: " + "word " * 200_000)})
    assert one_problem(data) == "data/sources/one.yaml:22: quote: is 999,999 characters long; the limit is 20,000"


def test_a_50_mb_file_is_handled(tmp_path: Path) -> None:
    """50 MB of YAML (a long comment block, e.g. an article pasted in by mistake) loads."""
    filler = ("# " + "pasted article text " * 4 + "\n") * (50_000_000 // 83)
    data = corpus(tmp_path, {"one": GOOD + filler})
    assert (data / "sources" / "one.yaml").stat().st_size > 50_000_000
    c = load_corpus(data)
    assert [cl.id for cl in c.sources[0].claims] == ["c1", "c2"]


def test_a_50_mb_quote_is_refused_with_a_message(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": source_with("quote: committed over $80 billion", "quote: " + "q" * 50_000_000)})
    assert one_problem(data) == "data/sources/one.yaml:22: quote: is 50,000,000 characters long; the limit is 20,000"


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD})
    with open(data / "sources" / "one.yaml", "r+b") as fh:
        fh.truncate(65 * 2**20)  # sparse: costs no disk
    assert one_problem(data) == "data/sources/one.yaml: file is 68,157,440 bytes; the limit is 67,108,864"


@pytest.mark.slow
def test_a_50_mb_file_of_claims_loads_and_builds(tmp_path: Path) -> None:
    claim = (
        "  - {{id: c{i}, entity: meta, topic: job-cuts, summary: Meta cuts jobs number {i} of many, "
        "quote: cut approximately 8000 employees said the article about cut {i}, status: reported}}\n"
    )
    body = "".join(claim.format(i=i) for i in range(290_000))
    data = corpus(tmp_path, {"one": "id: one\ntitle: One article\nkind: news\nclaims:\n" + body})
    assert (data / "sources" / "one.yaml").stat().st_size > 50_000_000
    report = build_store(load_corpus(data), tmp_path / "store.db", file_states(data))
    assert report.claims == 290_000


def test_huge_values_are_cut_short_in_messages(tmp_path: Path) -> None:
    long = "x" * 1_000_000
    source = (
        source_with("status: reported", f"status: {long}")
        .replace("entity: meta", f"entity: {'m' * 1_000_000}")
        .replace("flags: [ai-assisted]", f"flags: [{long}]")
        .replace("    status: confirmed\n", f"    status: confirmed\n    ? {long}\n    : 1\n")
    )
    found = problems(corpus(tmp_path, {"one": source}))
    cut = "'" + "x" * 59 + "…'"
    assert found == [
        f"data/sources/one.yaml:5: flags: item {cut}: is 1,000,000 characters long; the limit is 20,000",
        f"data/sources/one.yaml:17: status: unknown value {cut}; expected one of confirmed, reported, estimated, "
        "projected, planned, possible, opinion",
        f"data/sources/one.yaml:24: {cut[1:-1]}: unknown field in a claim; expected one of id, entity, topic, "
        "summary, quote, metric, value, unit, bound, period, status, speaker, note",
        f"data/sources/one.yaml:8: entity: unknown entity '{'m' * 59}…'",
    ]


def test_control_characters_in_keys_values_and_file_names_never_reach_the_terminal(tmp_path: Path) -> None:
    source = source_with("status: reported", 'status: "\\e]0;pwned\\a"').replace(
        "    status: confirmed\n", '    status: confirmed\n    "\\e[2J\\u202e": 1\n'
    )
    data = corpus(tmp_path, {"one": source})
    (data / "sources" / "\x1b[31mred.yaml").write_text(
        GOOD.replace("id: one", "id: red").replace("id: c", "id: r"), encoding="utf-8"
    )
    result = CliRunner().invoke(main, ["check", "--data", str(data)])
    assert result.exit_code == 1
    assert unsafe_in(result.stderr) == []
    assert result.stderr.splitlines() == [
        "data/sources/␛[31mred.yaml:1: id: source id 'red' does not match the file name '\\x1b[31mred.yaml' "
        "(name the file after the id)",
        "data/sources/one.yaml:17: status: unknown value '\\x1b]0;pwned\\x07'; expected one of confirmed, reported, "
        "estimated, projected, planned, possible, opinion",
        "data/sources/one.yaml:24: \\x1b[2J\\u202e: unknown field in a claim; expected one of id, entity, topic, "
        "summary, quote, metric, value, unit, bound, period, status, speaker, note",
        "error: 3 problem(s) in the corpus",
    ]


def test_entities_file_that_is_a_scalar_or_a_list_of_scalars(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD}, entities="just some text\n", topics="- job-cuts\n- ai-capex\n")
    assert problems(data) == [
        "data/entities.yaml:1: expected a mapping with 'entities:', got text",
        "data/topics.yaml:1: topics: item 1: expected a mapping, got text",
        "data/topics.yaml:2: topics: item 2: expected a mapping, got text",
        "data/sources/one.yaml:8: entity: unknown entity 'meta'",
        "data/sources/one.yaml:9: topic: unknown topic 'job-cuts'",
        "data/sources/one.yaml:19: entity: unknown entity 'microsoft'",
        "data/sources/one.yaml:20: topic: unknown topic 'ai-capex'",
    ]


def test_a_complex_key_is_reported(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("kind: news\n", "kind: news\n? [a, b]\n: x\n")})
    assert one_problem(data) == "data/sources/one.yaml:4: YAML: a key must be text, not a list"


def test_every_problem_of_every_kind_is_listed_at_once(tmp_path: Path) -> None:
    """A syntax error in one file does not hide the field problems of the others."""
    broken = GOOD.replace("  - id: c1\n", "\t- id: c1\n")
    wrong = (
        GOOD.replace("id: one", "id: two")
        .replace("id: c1", "id: d1")
        .replace("id: c2", "id: d2")
        .replace("value: 8000", "value: .inf")
        .replace("published: 2026-04-25", "published: 2026-02-30")
    )
    found = problems(corpus(tmp_path, {"one": broken, "two": wrong, "three": b"\xff\xfe"}))
    assert found == [
        "data/sources/one.yaml:7: YAML: a tab in the indentation (YAML indents with spaces only)",
        "data/sources/three.yaml:1: not UTF-8 (byte 0xff at offset 0)",
        "data/sources/two.yaml:4: published: '2026-02-30' is not a real date (day is out of range for month)",
        "data/sources/two.yaml:13: value: inf is not a finite number (.inf, or a figure too large to hold)",
    ]


# =====================================================================================
# Store
# =====================================================================================


def count(db_path: Path) -> int:
    conn = open_readonly(db_path)
    try:
        return conn.execute("SELECT count(*) FROM claims").fetchone()[0]
    finally:
        conn.close()


def store_files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if p.name.startswith(("store.db", ".store.db"))}


def small_store(tmp_path: Path) -> tuple[Path, Path]:
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    db_path = tmp_path / "store.db"
    ensure_store(data, db_path)
    return data, db_path


def cli(*args, code: int = 0, env: dict | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args], env={"COLUMNS": "240", **(env or {})})
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    return result


def assert_clear_error(stderr: str, *names: str) -> None:
    """One line, `error: ...`, naming what is wrong in words: no traceback, no errno
    code, no name of a temporary file the user never made."""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "[Errno" not in lines[0] and ".tmp" not in lines[0], lines[0]
    for name in names:
        assert name in lines[0], (name, lines[0])


@pytest.mark.parametrize(
    "damage",
    ["empty", "truncated", "header-then-random-bytes", "zeroed-middle"],
)
def test_a_damaged_store_is_rebuilt_transparently(tmp_path: Path, damage: str) -> None:
    data, db_path = small_store(tmp_path)
    good = db_path.read_bytes()
    if damage == "empty":
        db_path.write_bytes(b"")
    elif damage == "truncated":
        db_path.write_bytes(good[: len(good) // 3])
    elif damage == "header-then-random-bytes":
        db_path.write_bytes(good[:100] + os.urandom(len(good) - 100))
    else:
        db_path.write_bytes(good[:4096] + b"\0" * (len(good) - 8192) + good[-4096:])
    result = cli("list", "company:meta", "--data", data, "--db", db_path)
    assert result.stdout.rstrip().endswith("10 of 10 claims")
    assert result.stderr.startswith(f"built {db_path} (19 claims)")
    assert count(db_path) == 19
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


def damage_table(db_path: Path, table: str) -> None:
    """Overwrite the root page of one table: pivot_meta and source_files stay readable,
    so the checks that decide whether the store is usable see nothing wrong."""
    conn = sqlite3.connect(db_path)
    page = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    raw = bytearray(db_path.read_bytes())
    raw[(page - 1) * size : page * size] = b"\xff" * size
    db_path.write_bytes(bytes(raw))


@pytest.mark.parametrize("table", ["claims", "entities", "sources"])
def test_a_store_damaged_where_the_usability_check_does_not_look(tmp_path: Path, table: str) -> None:
    """`pivot list` rebuilds the store or says clearly that it is damaged; no traceback."""
    data, db_path = small_store(tmp_path)
    damage_table(db_path, table)
    result = CliRunner().invoke(main, ["list", "company:meta", "--data", str(data), "--db", str(db_path)], env={"COLUMNS": "240"})
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 0:
        assert result.stdout.rstrip().endswith("10 of 10 claims")
    else:
        assert_clear_error(result.stderr, str(db_path))


def test_pivot_build_repairs_a_damaged_store(tmp_path: Path) -> None:
    data, db_path = small_store(tmp_path)
    damage_table(db_path, "claims")
    result = cli("build", "--data", data, "--db", db_path)
    assert result.stdout != f"{db_path}: up to date\n"
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 19
    conn.close()


def test_a_store_locked_by_another_process(tmp_path: Path) -> None:
    """Another process holds an exclusive lock: the CLI waits for SQLite's busy timeout,
    then builds a fresh store beside it (the holder keeps its own file open)."""
    data, db_path = small_store(tmp_path)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys\n"
            "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
            "c.execute('BEGIN EXCLUSIVE')\n"
            "print(c.execute('SELECT count(*) FROM claims').fetchone()[0], flush=True)\n"
            "sys.stdin.readline()\n"
            "print(c.execute('SELECT count(*) FROM claims').fetchone()[0], flush=True)\n"
            "c.execute('ROLLBACK')\n",
            str(db_path),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "19"  # the lock is held from here on
        result = cli("list", "company:meta", "--data", data, "--db", db_path)
        assert result.stdout.rstrip().endswith("10 of 10 claims")
        holder.stdin.write("\n")
        holder.stdin.flush()
        assert holder.stdout.readline().strip() == "19"  # the holder still reads its store
    finally:
        holder.stdin.close()
        assert holder.wait(timeout=30) == 0
    assert count(db_path) == 19
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


def ids(conn: sqlite3.Connection, sql: str = "SELECT id FROM claims ORDER BY id") -> list[str]:
    return [r[0] for r in conn.execute(sql)]


def test_a_rebuild_while_a_reader_has_the_store_open(tmp_path: Path) -> None:
    """A full build replaces the file by a rename: a connection opened before keeps
    reading its own rows (and its text index); a new connection sees the new store."""
    data, db_path = small_store(tmp_path)
    reader = open_readonly(db_path)
    before = ids(reader)
    fts = "SELECT claims.id FROM claims_fts JOIN claims ON claims.rowid = claims_fts.rowid WHERE claims_fts MATCH 'pods'"
    assert ids(reader, fts) == ["alpha-meta-pods"]
    (data / "sources" / "alpha-news.yaml").unlink()
    topics = data / "topics.yaml"
    topics.write_text(topics.read_text() + "  - {id: extra, label: Extra, order: 50}\n")
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.mode == "full"
    assert ids(reader) == before and len(before) == 19
    assert ids(reader, fts) == ["alpha-meta-pods"]
    assert reader.execute("SELECT count(*) FROM topics").fetchone()[0] == 4
    fresh = open_readonly(db_path)
    assert len(ids(fresh)) == 10 and ids(fresh, fts) == []
    assert fresh.execute("SELECT count(*) FROM topics").fetchone()[0] == 5
    reader.close()
    fresh.close()


def test_an_in_place_update_while_a_reader_has_the_store_open(tmp_path: Path) -> None:
    """An update is one transaction: a reader between two queries sees all of it or none."""
    data, db_path = small_store(tmp_path)
    reader = open_readonly(db_path)
    assert len(ids(reader)) == 19
    path = data / "sources" / "beta-blog.yaml"
    path.write_text(path.read_text().replace("Meta may cut 20 %", "Meta might cut 20 %"))
    assert ensure_store(data, db_path).built.mode == "update"
    assert len(ids(reader)) == 19
    assert reader.execute("SELECT summary FROM claims WHERE id = 'beta-meta-cut-pct'").fetchone()[0].startswith("Meta might")
    reader.close()


def test_two_builds_at_once_leave_one_good_store(tmp_path: Path, monkeypatch) -> None:
    """The second build waits for the first (the lock file), then replaces its store;
    the result is one whole store and no temporary file."""
    import fcntl

    data, db_path = small_store(tmp_path)
    corpus_ = load_corpus(data)
    first_inside, second_waiting, release = threading.Event(), threading.Event(), threading.Event()
    real_write, real_flock = build_mod._write, fcntl.flock

    def slow_write(path, *args):
        if threading.current_thread().name == "first":
            first_inside.set()
            assert release.wait(30)
        return real_write(path, *args)

    def flock(fd, op):
        if threading.current_thread().name == "second" and op == fcntl.LOCK_EX:
            second_waiting.set()
        return real_flock(fd, op)

    monkeypatch.setattr(build_mod, "_write", slow_write)
    monkeypatch.setattr(fcntl, "flock", flock)
    reports, errors = {}, []

    def build(name: str) -> None:
        try:
            reports[name] = build_store(corpus_, db_path, file_states(data))
        except BaseException as exc:
            errors.append(exc)

    first = threading.Thread(target=build, args=("first",), name="first")
    second = threading.Thread(target=build, args=("second",), name="second")
    first.start()
    assert first_inside.wait(30)
    second.start()
    assert second_waiting.wait(30)
    # the first build is writing its temporary file; the second waits at the lock
    assert len([p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]) == 1
    release.set()
    first.join(60)
    second.join(60)
    assert not errors and set(reports) == {"first", "second"}
    assert count(db_path) == 19
    conn = sqlite3.connect(db_path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


def pivot_process(*args, **kwargs) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIVOT_")}
    return subprocess.Popen(
        [sys.executable, "-m", "tui", *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def test_two_pivot_build_processes_at_once(tmp_path: Path) -> None:
    data, db_path = small_store(tmp_path)
    procs = [pivot_process("build", "--full", "--data", data, "--db", db_path) for _ in range(3)]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], outs
    assert all(out.startswith(f"built {db_path}: 3 sources, 5 entities, 19 claims") for out, _ in outs)
    assert count(db_path) == 19
    assert store_info(db_path)["corpus_hash"]
    assert store_files(tmp_path) == {"store.db", "store.db.lock"}


def test_a_store_path_under_a_file_gives_a_clear_message(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file\n")
    result = cli("build", "--data", SMALL, "--db", blocker / "store.db", code=1)
    assert_clear_error(result.stderr, str(blocker))
    assert "not a directory" in result.stderr.lower()
    assert blocker.read_text() == "a file\n"


def test_a_store_path_that_is_a_directory_gives_a_clear_message(tmp_path: Path) -> None:
    folder = tmp_path / "store.db"
    folder.mkdir()
    result = cli("list", "--data", SMALL, code=1, env={"PIVOT_DB": str(folder)})
    assert_clear_error(result.stderr, str(folder))
    assert "is a directory" in result.stderr.lower()
    assert folder.is_dir() and list(folder.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


# --- file permissions: enforced in a child process even when the tests run as root ---------------


def _drop_permission_overrides() -> None:
    """preexec_fn: give up the capabilities that let root ignore file permissions
    (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID); harmless otherwise."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3, 4):
        libc.prctl(24, cap, 0, 0, 0)  # PR_CAPBSET_DROP, effective at exec


@pytest.fixture
def permissions(tmp_path: Path):
    """Run `pivot ...` in a child that obeys file permissions; restores modes afterwards."""
    probe = tmp_path / "probe"
    probe.write_text("x")
    probe.chmod(0o444)
    check = subprocess.run(
        [sys.executable, "-c", f"open({str(probe)!r}, 'a')"], preexec_fn=_drop_permission_overrides, capture_output=True
    )
    if check.returncode == 0:
        pytest.skip("file permissions cannot be enforced here (root with capabilities that cannot be dropped)")
    probe.unlink()
    changed: list[Path] = []

    def chmod(path: Path, mode: int) -> None:
        changed.append(path)
        path.chmod(mode)

    def run(*args) -> subprocess.CompletedProcess:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIVOT_")}
        env["COLUMNS"] = "240"
        return subprocess.run(
            [sys.executable, "-m", "tui", *map(str, args)],
            env=env,
            capture_output=True,
            text=True,
            preexec_fn=_drop_permission_overrides,
            timeout=120,
        )

    yield chmod, run
    for path in reversed(changed):
        path.chmod(0o755 if path.is_dir() else 0o644)


def test_a_read_only_store_is_used_as_it_is(tmp_path: Path, permissions) -> None:
    chmod, run = permissions
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    cache = tmp_path / "cache"
    db_path = cache / "store.db"
    ensure_store(data, db_path)
    before = db_path.read_bytes()
    chmod(db_path, 0o444)
    chmod(cache, 0o555)
    result = run("list", "company:meta", "--data", data, "--db", db_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("10 of 10 claims") and result.stderr == ""
    assert db_path.read_bytes() == before


def test_a_read_only_store_that_is_out_of_date(tmp_path: Path, permissions) -> None:
    """The corpus changed, but the store cannot be written: show the store as it is
    with a warning, or say clearly that its folder is read-only; never name a temporary file."""
    chmod, run = permissions
    data = tmp_path / "data"
    shutil.copytree(SMALL, data)
    cache = tmp_path / "cache"
    db_path = cache / "store.db"
    ensure_store(data, db_path)
    before = db_path.read_bytes()
    path = data / "sources" / "beta-blog.yaml"
    path.write_text(path.read_text().replace("Meta may cut 20 %", "Meta might cut 20 %"))
    chmod(db_path, 0o444)
    chmod(cache, 0o555)
    result = run("list", "company:meta", "--data", data, "--db", db_path)
    if result.returncode == 0:
        assert result.stdout.rstrip().endswith("10 of 10 claims")
        assert result.stderr.startswith("warning: ") and str(db_path) in result.stderr
    else:
        assert result.returncode == 1
        assert_clear_error(result.stderr, str(cache))
    assert db_path.read_bytes() == before
    assert store_files(cache) == {"store.db", "store.db.lock"}


def test_pivot_build_into_a_read_only_folder(tmp_path: Path, permissions) -> None:
    chmod, run = permissions
    cache = tmp_path / "cache"
    cache.mkdir()
    chmod(cache, 0o555)
    result = run("build", "--data", SMALL, "--db", cache / "store.db")
    assert result.returncode == 1
    assert_clear_error(result.stderr, str(cache))
    assert list(cache.iterdir()) == []


def test_export_into_a_read_only_folder(tmp_path: Path, permissions) -> None:
    chmod, run = permissions
    db_path = tmp_path / "store.db"
    ensure_store(SMALL, db_path)
    out = tmp_path / "out"
    out.mkdir()
    chmod(out, 0o555)
    result = run("export", "-o", out / "claims.md", "--data", SMALL, "--db", db_path)
    assert result.returncode == 1
    assert result.stderr == f"error: cannot write in {out}: Permission denied\n"
    assert list(out.iterdir()) == []


# =====================================================================================
# Export
# =====================================================================================


@pytest.fixture
def small_store_path(tmp_path: Path) -> Path:
    db_path = tmp_path / "store" / "store.db"
    ensure_store(SMALL, db_path)
    return db_path


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp") or p.name.startswith("."))


def test_export_to_a_path_under_a_file(tmp_path: Path, small_store_path: Path) -> None:
    blocker = tmp_path / "notes.txt"
    blocker.write_text("mine\n")
    result = cli("export", "-o", blocker / "claims.md", "--data", SMALL, "--db", small_store_path, code=1)
    assert result.stderr == f"error: {blocker} is not a directory\n"
    assert blocker.read_text() == "mine\n"


def test_export_to_a_directory_via_the_cli(tmp_path: Path, small_store_path: Path) -> None:
    result = cli("export", "-o", tmp_path, "--data", SMALL, "--db", small_store_path, code=1)
    assert result.stderr == f"error: {tmp_path} is a directory; give a file name\n"


def test_export_into_a_missing_folder_names_it(tmp_path: Path, small_store_path: Path) -> None:
    result = cli("export", "-o", tmp_path / "no" / "x.md", "--data", SMALL, "--db", small_store_path, code=1)
    assert result.stderr == f"error: {tmp_path / 'no'} does not exist\n"
    assert not (tmp_path / "no").exists()


class FullDisk:
    """A file object that writes `room` bytes, then fails as a full disk does."""

    def __init__(self, fd: int, room: int):
        self.fd, self.room = fd, room

    def write(self, data: bytes | str) -> int:
        raw = data.encode("utf-8") if isinstance(data, str) else data  # the streaming writer writes text
        os.write(self.fd, raw[: self.room])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        pass

    def fileno(self) -> int:
        return self.fd

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        os.close(self.fd)


def test_a_full_disk_mid_write_keeps_the_old_file_and_leaves_no_partial_file(
    tmp_path: Path, small_store_path: Path, monkeypatch
) -> None:
    out = tmp_path / "claims.md"
    out.write_text("the previous export\n")
    monkeypatch.setattr(export_mod.os, "fdopen", lambda fd, mode, **options: FullDisk(fd, 100))
    result = cli("export", "-o", out, "--force", "--data", SMALL, "--db", small_store_path, code=1)
    assert result.stderr == f"error: cannot write {out}: No space left on device\n"
    assert out.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == []


def test_a_full_disk_before_the_first_byte(tmp_path: Path, monkeypatch) -> None:
    def no_room(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(export_mod.tempfile, "mkstemp", no_room)
    with pytest.raises(ExportError) as info:
        write_atomic(tmp_path / "x.md", "text\n")
    assert str(info.value) == f"cannot write in {tmp_path}: No space left on device"
    assert list(tmp_path.iterdir()) == []


def test_a_real_file_size_limit_during_export(tmp_path: Path, small_store_path: Path) -> None:
    """RLIMIT_FSIZE makes the kernel refuse the write (EFBIG), as a full quota does."""
    out = tmp_path / "claims.md"
    out.write_text("the previous export\n")

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    proc = pivot_process("export", "-o", out, "--force", "--data", SMALL, "--db", small_store_path, preexec_fn=limit)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stderr
    assert stderr == f"error: cannot write {out}: File too large\n"
    assert out.read_text() == "the previous export\n"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("md", "# Claims: pods -pods\n\nQuery: `pods -pods` · exported DATE · corpus version HASH\n\n_No claims matched._\n"),
        ("json", "[]\n"),
        (
            "csv",
            "id,entity,entity_name,entity_kind,topic,summary,quote,metric,value_low,value_high,unit,bound,period,"
            "status,speaker,note,source,source_title,publisher,published,document,source_flags,draft,relation,quantity_sources,"
            "conflicts,conflicts_total,differs_from,differs_total,corroborated_by,corroborated_total,group_check\n",
        ),
    ],
)
def test_exporting_zero_claims_writes_a_valid_empty_file(tmp_path: Path, small_store_path: Path, fmt: str, expected: str) -> None:
    out = tmp_path / f"none.{fmt}"
    result = cli("export", "pods -pods", "--format", fmt, "-o", out, "--data", SMALL, "--db", small_store_path)
    assert result.stderr == f"wrote {out} (0 claims)\n"
    # the Markdown header's date and corpus version are the export's own
    written = re.sub(
        r"exported \d{4}-\d{2}-\d{2} · corpus version [0-9a-f]+",
        "exported DATE · corpus version HASH",
        out.read_text(encoding="utf-8"),
    )
    assert written == expected
    if fmt == "json":
        assert json.loads(out.read_text()) == []


def test_compare_does_not_overwrite_an_existing_file_without_force(tmp_path: Path, small_store_path: Path) -> None:
    out = tmp_path / "cmp.md"
    out.write_text("keep me\n")
    result = cli("compare", "meta", "microsoft", "--format", "md", "-o", out, "--data", SMALL, "--db", small_store_path, code=1)
    assert result.stderr == f"error: {out} already exists (use --force to overwrite)\n"
    assert out.read_text() == "keep me\n"
    assert leftovers(tmp_path) == []


# =====================================================================================
# Query bar and CLI queries
# =====================================================================================


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> tuple[Path, Path]:
    """A corpus whose every text field carries markup, escape sequences, bidi and
    zero-width characters, emoji and right-to-left text; and its store."""
    base = tmp_path_factory.mktemp("hostile")
    data = base / "data"
    files = {
        "entities.yaml": r"""
            entities:
              - id: acme
                name: "[bold red]Acme[/] \e[31mRED\e[0m \e]8;;http://evil.example\e\\link\e]8;;\e\\ \u202eevil \u061calm \u2060wj \u200bzw"
                kind: company
                aliases: ["[/]"]
              - id: other
                name: "Other \r\x07bell"
                kind: company
        """,
        "topics.yaml": r"""
            topics:
              - {id: job-cuts, label: "[link=file:///etc/passwd]Jobs[/link] \e[2J", order: 1}
        """,
        "sources/evil.yaml": r"""
            id: evil
            title: "[b]Evil[/b] *title* <script>alert(1)</script> \e[1;31mT\r"
            publisher: "[i]Pub[/i] | pipe \u202e"
            author: "`au` \u2066th"
            url: "https://evil.example/)[x](javascript:alert(1)"
            kind: blog
            claims:
              - id: evil-1
                entity: acme
                topic: job-cuts
                summary: "[bold]not bold[/bold] and \e[2Jcleared\r over | pipe"
                quote: "[/] a quote with \u202e reversed <b>x</b> \u061c"
                speaker: "[i]Someone[/i] \e[5mblink \e]0;title\a"
                metric: employees-cut
                value: 100
                unit: "[red]people\e[0m"
                period: "[u]2026[/u]"
                note: "**note** \e[8m"
                status: reported
              - id: evil-2
                entity: other
                topic: job-cuts
                summary: "plain 🚀 rocket عربي שלום 👩‍💻"
                quote: "right-to-left: مرحبا بالعالم"
                status: reported
        """,
    }
    for name, text in files.items():
        (data / name).parent.mkdir(parents=True, exist_ok=True)
        (data / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    db_path = base / "store.db"
    ensure_store(data, db_path)
    return data, db_path


HOSTILE_QUERIES = [
    "'; drop table claims; --",
    "x'); DROP TABLE claims; --",
    '" OR 1=1 --',
    "NEAR(",
    "^",
    "*",
    "AND OR",
    "a" * 10_000,
    "word " * 2_000,
    '"' + "word " * 2_000 + '"',
    "company:" + "x" * 10_000,
    "-" + "y" * 10_000,
    "speaker:" + "z" * 10_000,
    "value>=" + "9" * 10_000,
    '"' * 10_000,
    "-" * 10_000,
    "NEAR(" * 2_000,
    "\u200b" * 10_000,
    "🚀",
    "🚀" * 10_000,
    "👩‍💻",
    "عربي",
    "שלום",
    "ש" * 10_000,
    "\u202eevil",
    "\u061c",
    "[bold]x[/]",
    "\x1b[2J",
    "source:\x00",
    "company:🚀",
]


@pytest.mark.parametrize("text", HOSTILE_QUERIES, ids=[repr(q[:16]) + f"x{len(q)}" for q in HOSTILE_QUERIES])
def test_hostile_queries_give_rows_or_a_message(hostile, text: str) -> None:
    _, db_path = hostile
    conn = open_readonly(db_path)
    try:
        started = time.perf_counter()
        try:
            flt = build_filter(text, conn)
        except QueryError as exc:
            assert str(exc).strip()
        else:
            found = [r["id"] for r in db.all_claims(conn, flt.where, flt.params)]
            assert set(found) <= {"evil-1", "evil-2"}
            assert [r["id"] for r in db.page(conn, flt, 0, 100)] == found
            assert db.count_matches(conn, flt, None, 2.0) == (len(found), False)
            db.facets(conn, flt, ("source", "topic", "status", "period", "flag", "entity"))
        assert time.perf_counter() - started < 2
        assert conn.execute("SELECT count(*) FROM claims").fetchone()[0] == 2
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("שלום", ["evil-2"]),
        ("عربي", ["evil-2"]),
        ("مرحبا", ["evil-2"]),
        ("rocket 🚀", ["evil-2"]),
        ("speaker:someone", ["evil-1"]),
    ],
)
def test_right_to_left_and_emoji_text_is_searchable(hostile, text: str, expected: list[str]) -> None:
    conn = open_readonly(hostile[1])
    flt = build_filter(text, conn)
    assert [r["id"] for r in db.all_claims(conn, flt.where, flt.params)] == expected
    conn.close()


@pytest.mark.parametrize("text", ["'; drop table claims; --", "a" * 10_000, "company:" + "x" * 10_000, "🚀 שלום"])
def test_hostile_queries_on_the_command_line(hostile, text: str) -> None:
    data, db_path = hostile
    result = CliRunner().invoke(main, ["list", text, "--data", str(data), "--db", str(db_path)], env={"COLUMNS": "200"})
    assert result.exit_code in (0, 2), (result.output, result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert result.stderr.startswith("error: ") and result.stdout == ""
    else:
        assert re.search(r"\d+ of \d+ claims?\s*$", result.stdout)
    assert count(db_path) == 2


# a vocabulary that reaches every branch of the query language, plus long, emoji and
# right-to-left text, escape sequences and SQL
# the query language's own vocabulary (test_query.py), plus emoji, right-to-left text,
# invisible characters and an escape sequence
_PIECES = [*PIECES, "🚀", "👩\u200d💻", "שלום", "مرحبا", "\u200b", "\x1b[2J"]
hostile_query = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=500, max_size=10_000),
    st.lists(st.sampled_from(_PIECES), max_size=16).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=6)), max_size=12).map(" ".join),
)
FACET_NAMES = ("source", "topic", "status", "period", "flag", "entity")


def _rows_or_message(conn: sqlite3.Connection, text: str) -> None:
    try:
        flt = build_filter(text, conn)
    except QueryError as exc:
        assert str(exc).strip()
        return
    found = db.all_claims(conn, flt.where, flt.params)
    assert len(found) <= 19
    assert [r["id"] for r in db.page(conn, flt, 0, 100)] == [r["id"] for r in found]
    assert db.count_matches(conn, flt, None) == (len(found), False)
    db.facets(conn, flt, FACET_NAMES)


@settings(
    max_examples=int(os.environ.get("PIVOT_HOSTILE_EXAMPLES", "200")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_query)
def test_any_hostile_text_gives_rows_or_a_message(small_conn: sqlite3.Connection, text: str) -> None:
    _rows_or_message(small_conn, text)


@pytest.mark.slow
@settings(max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(text=hostile_query)
def test_any_hostile_text_gives_rows_or_a_message_10000_examples(small_conn: sqlite3.Connection, text: str) -> None:
    _rows_or_message(small_conn, text)


# =====================================================================================
# Display: Rich tables of the CLI and the Markdown export
# =====================================================================================

LITERAL_MARKUP = ["[bold red]Acme[/]", "[link=file:///etc/passwd]Jobs[/link]", "[bold]not bold[/bold]"]


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["list"], LITERAL_MARKUP + ["[red]people", "[u]2026[/u]", "␛[2Jcleared␍ over", "Other ␍␇bell"]),
        (["entities"], ["[bold red]Acme[/]", "␛]8;;http://evil.example␛\\link", "Other ␍␇bell"]),
        (["sources"], ["[b]Evil[/b] *title* <script>alert(1)</script> ␛[1;31mT", "[i]Pub[/i] | pipe"]),
        (
            ["compare", "acme", "other"],
            ["[link=file:///etc/passwd]Jobs[/link]", "[i]Pub[/i] | pipe", "[bold red]Acme[/] ␛[31mRED"],
        ),
        (["compare", "acme", "other", "--full"], LITERAL_MARKUP + ["[i]Pub[/i] | pipe", "[bold red]Acme[/] ␛[31mRED"]),
    ],
    ids=["list", "entities", "sources", "compare-table", "compare-full"],
)
def test_markup_and_escapes_in_cli_tables_are_shown_literally(hostile, args: list[str], shown: list[str]) -> None:
    data, db_path = hostile
    out = cli(*args, "--data", data, "--db", db_path).stdout
    for text in shown:
        assert text in out, text
    assert "\x1b" not in out and "\r" not in out and "\x07" not in out


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["entities"],
        ["sources"],
        ["compare", "acme", "other"],
        ["export", "--quotes"],
        ["compare", "acme", "other", "--format", "md"],
    ],
    ids=["list", "entities", "sources", "compare-table", "export-md", "compare-md"],
)
def test_no_invisible_or_bidi_character_reaches_the_output(hostile, args: list[str]) -> None:
    """Bidi controls (U+202E, U+2066, U+061C), zero-width characters (U+200B, U+2060)
    and controls are shown as visible escapes, not passed to the terminal or the file."""
    data, db_path = hostile
    out = cli(*args, "--data", data, "--db", db_path).stdout
    assert unsafe_in(out) == []


def _inline_children(text: str):
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    return tokens, [c for t in tokens if t.type == "inline" for c in (t.children or [])]


def test_markdown_export_of_hostile_text_renders_as_text(hostile) -> None:
    data, db_path = hostile
    out = cli("export", "--quotes", "--data", data, "--db", db_path).stdout
    tokens, children = _inline_children(out)
    kinds = {c.type for c in children}
    assert not kinds & {"html_inline", "image"}
    assert not any(t.type == "html_block" for t in tokens)
    links = [c.attrs.get("href") for c in children if c.type == "link_open"]
    assert links == ["https://evil.example/)%5Bx%5D(javascript:alert(1)"]  # the source's own URL, as an autolink
    # emphasis only where the export puts it: around the source title in the list
    ems = [i for i, c in enumerate(children) if c.type == "em_open"]
    assert len(ems) == 1 and not any(c.type == "strong_open" for c in children)
    text = "".join(c.content for c in children if c.type == "text")
    for literal in (
        "[bold red]Acme[/]",
        "[link=file:///etc/passwd]Jobs[/link]",
        "[bold]not bold[/bold]",
        "[/] a quote with <U+202E> reversed <b>x</b>",
        "[i]Someone[/i] ␛[5mblink ␛]0;title␇",
        "[b]Evil[/b] *title* <script>alert(1)</script> ␛[1;31mT",
        "[i]Pub[/i] | pipe",
    ):
        assert literal in text, literal
    table = [t for t in tokens if t.type == "tr_open"]
    assert len(table) == 3  # header and two claims: `|` in a summary stays in its cell


def test_markdown_compare_of_hostile_text_renders_as_text(hostile) -> None:
    data, db_path = hostile
    out = cli("compare", "acme", "other", "--format", "md", "--data", data, "--db", db_path).stdout
    tokens, children = _inline_children(out)
    assert not {c.type for c in children} & {"html_inline", "image"}
    headers = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "th_open"]
    assert len(headers) == 3
    text = "".join(c.content for c in children if c.type == "text")
    assert "[bold red]Acme[/] ␛[31mRED␛[0m" in text and "[link=file:///etc/passwd]Jobs[/link] ␛[2J" in text


# =====================================================================================
# Terminal: TERM=dumb, NO_COLOR, a 40-column terminal (the CLI in a real pseudo-terminal)
# =====================================================================================


def run_in_pty(args: list, env: dict, cols: int = 40, rows: int = 12) -> tuple[int, str]:
    """Run `pivot args` with a pseudo-terminal as stdin, stdout and stderr."""
    import fcntl
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("PIVOT_", "COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "TERM"))
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", *map(str, args)],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env={**base, **env},
        close_fds=True,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child has closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    code = proc.wait(timeout=120)
    return code, b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture(scope="module")
def small_db_for_pty(tmp_path_factory) -> Path:
    db_path = tmp_path_factory.mktemp("pty") / "store.db"
    ensure_store(SMALL, db_path)
    return db_path


COMMANDS = [["list"], ["compare", "meta", "microsoft"], ["sources"], ["entities"], ["check"]]
EXPECTED = {
    "list": "19 of 19 claims",
    "compare": "Microsoft",
    "sources": "Alpha",
    "entities": "meta",
    "check": "ok: 3 sources, 5 entities, 19 claims, 2 conflicts",
}


@pytest.mark.parametrize("args", COMMANDS, ids=[a[0] + ("-" + a[1] if len(a) > 1 else "") for a in COMMANDS])
def test_term_dumb_gets_plain_text(small_db_for_pty: Path, args: list[str]) -> None:
    extra = [] if args[0] == "check" else ["--db", small_db_for_pty]
    code, out = run_in_pty([*args, "--data", SMALL, *extra], {"TERM": "dumb"})
    assert code == 0, out
    assert "\x1b" not in out
    assert EXPECTED[args[0]] in out


@pytest.mark.parametrize("term", ["xterm-256color", "dumb"])
@pytest.mark.parametrize("args", COMMANDS[:4], ids=[a[0] for a in COMMANDS[:4]])
def test_tables_fit_a_40_column_terminal(small_db_for_pty: Path, args: list[str], term: str) -> None:
    """A table wider than the terminal wraps every row into a jumble: Rich must draw it
    at the terminal's width, whatever TERM says."""
    code, out = run_in_pty([*args, "--data", SMALL, "--db", small_db_for_pty], {"TERM": term}, cols=40, rows=12)
    assert code == 0, out
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    too_wide = [line for line in plain.splitlines() if cell_len(line) > 40]
    assert too_wide == [], f"{len(too_wide)} lines wider than 40 columns, e.g. {too_wide[0]!r}"
    if args[0] == "list":
        assert "19 of 19 claims" in plain
    if args[0] == "compare":  # both entities compared, not one of them cropped away
        # too narrow for columns: each row lists the entities one under the other
        lines = plain.splitlines()
        assert any(line.strip().startswith("Meta") for line in lines[1:]), plain
        assert any(line.strip().startswith("Micro") for line in lines[1:]), plain


SGR = re.compile(r"\x1b\[([0-9;]*)m")
ANY_ESCAPE = re.compile(r"\x1b(\[[0-9;?]*[A-Za-z]|\][^\x07\x1b]*(\x07|\x1b\\)|.)")


def _colour_codes(out: str) -> list[str]:
    found = []
    for params in SGR.findall(out):
        parts = [p for p in params.split(";") if p]
        for p in parts:
            n = int(p)
            if 30 <= n <= 49 or 90 <= n <= 107:
                found.append(p)
    return found


@pytest.mark.parametrize("args", COMMANDS[:2], ids=["list", "compare"])
def test_no_color_gets_no_colour(small_db_for_pty: Path, args: list[str]) -> None:
    code, out = run_in_pty(
        [*args, "--data", SMALL, "--db", small_db_for_pty], {"TERM": "xterm-256color", "NO_COLOR": "1"}, cols=120
    )
    assert code == 0, out
    assert _colour_codes(out) == []
    assert ("19 of 19 claims" if args[0] == "list" else "Microsoft") in out


def test_with_colour_the_only_escapes_are_rich_styles(hostile) -> None:
    """On a colour terminal the hostile corpus produces style codes (SGR) and nothing
    else: no screen clearing, no title change, no hyperlink, no cursor movement."""
    data, db_path = hostile
    for args in (["list"], ["compare", "acme", "other"], ["entities"], ["sources"]):
        code, out = run_in_pty([*args, "--data", data, "--db", db_path], {"TERM": "xterm-256color"}, cols=200)
        assert code == 0, out
        assert SGR.search(out), "expected some styling on a colour terminal"
        others = [m.group(0) for m in ANY_ESCAPE.finditer(out) if not SGR.fullmatch(m.group(0))]
        assert others == [], (args, others[:5])
        assert "\r" not in out.replace("\n", "") and "\x07" not in out
