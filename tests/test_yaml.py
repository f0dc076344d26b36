"""The YAML reader (store/yamlread.py) on hostile and broken files: encodings, tabs,
control characters, tags, alias bombs, absurd nesting and sizes. Each case gives its
exact message `FILE:LINE: YAML: ...` (or loads), never a traceback or a hang.

The corpus texts are test_load.py's, broken one line at a time; files are written
byte for byte (no dedent), so that a BOM, a tab or a 50 MB file is what the reader sees.
What the fields may hold (numbers, dates, lengths) is in test_load.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from test_load import ENTITIES, GOOD, TOPICS
from tui.store import CorpusError, build_store, load_corpus
from tui.store.files import file_states

SRC = Path(__file__).resolve().parents[1] / "src"


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


def test_a_complex_key_is_reported(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("kind: news\n", "kind: news\n? [a, b]\n: x\n")})
    assert one_problem(data) == "data/sources/one.yaml:4: YAML: a key must be text, not a list"


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
import json, resource, sys, tracemalloc
resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))  # a regression fails, it does not swap
from tui.store import CorpusError, load_corpus
tracemalloc.start()
try:
    load_corpus(sys.argv[1])
    found = []
except CorpusError as exc:
    found = [str(p) for p in exc.problems]
peak = tracemalloc.get_traced_memory()[1]
print(json.dumps({"problems": found, "peak": peak}))
"""


def load_in_child(data: Path, timeout: float = 60) -> dict:
    """load_corpus in a child process with 2 GiB of address space and a time limit, so
    that a regression fails this test instead of exhausting or hanging the machine;
    reports the problems and the peak of traced memory (tracemalloc). How fast the
    bomb and the nesting fail is a benchmark's business, not an assert here."""
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


def test_a_few_honest_aliases_still_work(tmp_path: Path) -> None:
    text = GOOD.replace("    topic: job-cuts\n", "    topic: &t job-cuts\n").replace("    topic: ai-capex\n", "    topic: *t\n")
    c = load_corpus(corpus(tmp_path, {"one": text}))
    assert [cl.topic for cl in c.sources[0].claims] == ["job-cuts", "job-cuts"]


@pytest.mark.parametrize("anchor", ["", "&x "], ids=["fast-path", "full-loader"])
def test_absurd_nesting_fails_fast(tmp_path: Path, anchor: str) -> None:
    """libyaml slows down with the square of the depth: 100,000 brackets took 48 s. The
    child's 30 s limit is a hang guard (the check itself takes well under a second)."""
    depth = 100_000
    text = f"id: one\ntitle: {anchor}t\nkind: news\nclaims: []\nnotes: " + "[" * depth + "]" * depth + "\n"
    result = load_in_child(corpus(tmp_path, {"one": text}), timeout=30)
    assert result["problems"] == ["data/sources/one.yaml:5: YAML: nests deeper than 100 levels"]


def test_a_50_mb_file_is_handled(tmp_path: Path) -> None:
    """50 MB of YAML (a long comment block, e.g. an article pasted in by mistake) loads."""
    filler = ("# " + "pasted article text " * 4 + "\n") * (50_000_000 // 83)
    data = corpus(tmp_path, {"one": GOOD + filler})
    assert (data / "sources" / "one.yaml").stat().st_size > 50_000_000
    c = load_corpus(data)
    assert [cl.id for cl in c.sources[0].claims] == ["c1", "c2"]


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
