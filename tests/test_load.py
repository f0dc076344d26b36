"""The loader: one broken corpus per kind of error, each with its exact message.

Every message is `FILE:LINE: field: message`; FILE is relative to the corpus
directory's parent (here always `data/...`), LINE is where the field is written
(or where the record starts when the field is missing).

The last section holds hostile values (NaN, 5,000-digit numbers, impossible dates,
50 MB quotes) and what a message shows of them; what the YAML reader itself refuses
(encodings, tabs, tags, alias bombs, nesting) is in test_yaml.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import unsafe_in
from tui.cli import main
from tui.store import CorpusError, load_corpus, verify_quotes
from tui.store.model import Problem

ENTITIES = """\
entities:
  - id: meta
    name: Meta Platforms
    kind: company
    aliases: [Meta, Facebook]
  - id: microsoft
    name: Microsoft
    kind: company
"""

TOPICS = """\
topics:
  - {id: job-cuts, label: Job reductions, order: 10}
  - {id: ai-capex, label: AI infrastructure investment, order: 20}
"""

# A valid source; tests replace lines in it to break one thing at a time.
GOOD = """\
id: one
title: One article
kind: news
published: 2026-04-25
flags: [ai-assisted]
claims:
  - id: c1
    entity: meta
    topic: job-cuts
    summary: Meta cuts 8,000 jobs
    quote: cut approximately 8,000 employees
    metric: employees-cut
    value: 8000
    unit: employees
    bound: approx
    period: 2026
    status: reported
  - id: c2
    entity: microsoft
    topic: ai-capex
    summary: Microsoft invests in AI
    quote: committed over $80 billion
    status: confirmed
"""


def corpus(
    tmp_path: Path, sources: dict[str, str | bytes], entities: str | bytes = ENTITIES, topics: str | bytes = TOPICS
) -> Path:
    """A corpus in tmp_path/data: text is dedented, bytes are written as they are."""
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    files = {"entities.yaml": entities, "topics.yaml": topics, **{f"sources/{k}.yaml": v for k, v in sources.items()}}
    for name, text in files.items():
        (data / name).write_bytes(text if isinstance(text, bytes) else textwrap.dedent(text).encode("utf-8"))
    return data


def problems(data: Path) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(data)
    messages = [str(p) for p in info.value.problems]
    # the error's text is every problem, one a line, with the advice a problem carries
    shown = str(info.value).split("\n")
    assert len(shown) == len(messages) and all(line.startswith(m) for line, m in zip(shown, messages))
    return messages


def one_problem(data: Path) -> str:
    found = problems(data)
    assert len(found) == 1, found
    return found[0]


def test_the_valid_fixture_loads(tmp_path: Path) -> None:
    c = load_corpus(corpus(tmp_path, {"one": GOOD}))
    assert [s.id for s in c.sources] == ["one"]
    c1, c2 = c.sources[0].claims
    assert (c1.value_low, c1.value_high, c1.unit, c1.bound, c1.period) == (8000, 8000, "employees", "approx", "2026")
    assert c1.file == "data/sources/one.yaml" and c1.line == 7 and c1.at("value") == 13
    assert c2.numeric is False and c2.bound == "exact" and c2.value is None
    assert c.sources[0].published == "2026-04-25"  # a string, not a YAML date
    assert [t.id for t in c.topics] == ["job-cuts", "ai-capex"]
    assert len(c.digest) == 64


def test_unknown_entity_id(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("entity: meta", "entity: metaa")})
    assert one_problem(data) == "data/sources/one.yaml:8: entity: unknown entity 'metaa' (did you mean 'meta'?)"


def test_unknown_topic_id(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("topic: ai-capex", "topic: weather")})
    assert one_problem(data) == "data/sources/one.yaml:20: topic: unknown topic 'weather'"
    data = corpus(tmp_path / "b", {"one": GOOD.replace("topic: ai-capex", "topic: ai-capx")})
    assert one_problem(data) == "data/sources/one.yaml:20: topic: unknown topic 'ai-capx' (did you mean 'ai-capex'?)"


def test_duplicate_claim_id_across_two_files(tmp_path: Path) -> None:
    two = GOOD.replace("id: one", "id: two").replace("id: c2", "id: c3")
    data = corpus(tmp_path, {"one": GOOD, "two": two})
    assert one_problem(data) == "data/sources/two.yaml:7: id: duplicate claim id 'c1' (first at data/sources/one.yaml:7)"


def test_duplicate_claim_id_in_one_file(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("id: c2", "id: c1")})
    assert one_problem(data) == "data/sources/one.yaml:18: id: duplicate claim id 'c1' (first at data/sources/one.yaml:7)"


def test_duplicate_source_and_entity_ids(tmp_path: Path) -> None:
    entities = ENTITIES + "  - {id: meta, name: Meta again, kind: company}\n"
    data = corpus(tmp_path, {"one": GOOD}, entities=entities)
    assert one_problem(data) == "data/entities.yaml:9: id: duplicate entity id 'meta' (first defined at data/entities.yaml:2)"


def test_value_without_unit(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("    unit: employees\n", "")})
    assert one_problem(data) == "data/sources/one.yaml:13: value: value without unit (add unit: USD, employees, percent, ...)"


def test_value_without_metric(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("    metric: employees-cut\n", "")})
    assert one_problem(data) == (
        "data/sources/one.yaml:12: value: value without metric (add metric: a slug such as employees-cut)"
    )


def test_unit_metric_and_bound_without_value(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("    value: 8000\n", "")})
    assert problems(data) == [
        "data/sources/one.yaml:13: unit: unit without value",
        "data/sources/one.yaml:12: metric: metric without value (qualitative claims have neither)",
        "data/sources/one.yaml:14: bound: bound without value",
    ]


def test_low_greater_than_high(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("value: 8000", "value: [135000000000, 115000000000]")})
    assert one_problem(data) == ("data/sources/one.yaml:13: value: low 135,000,000,000 is greater than high 115,000,000,000")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("[1, 2, 3]", "a range is [low, high]; got 3 items"),
        ("[1, x]", "expected a number, got text"),
        ('"8000"', "expected a number, got text"),
        ("115B", "expected a number, got text"),
        ("true", "expected a number, got true/false"),
        (".nan", "nan is not a finite number"),
        ("1.0e+20", "1e+20 is implausibly large (limit 1e+16); write plain units, e.g. dollars"),
    ],
)
def test_bad_values(tmp_path: Path, value: str, message: str) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("value: 8000", f"value: {value}")})
    assert one_problem(data) == f"data/sources/one.yaml:13: value: {message}"


@pytest.mark.parametrize(
    ("published", "message"),
    [
        ("2026-02-30", "'2026-02-30' is not a real date (day is out of range for month)"),
        ("2026-13", "'2026-13' is not a real date (month must be in 1..12)"),
        ("April 25, 2026", "'April 25, 2026' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
        ("26-04-25", "'26-04-25' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"),
    ],
)
def test_bad_date(tmp_path: Path, published: str, message: str) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("published: 2026-04-25", f"published: {published}")})
    assert one_problem(data) == f"data/sources/one.yaml:4: published: {message}"


@pytest.mark.parametrize("published", ["2026", "2026-03", "2024-02-29"])
def test_partial_and_leap_dates_are_accepted(tmp_path: Path, published: str) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("published: 2026-04-25", f"published: {published}")})
    assert load_corpus(data).sources[0].published == published


def test_unknown_status(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("status: reported", "status: reportd")})
    assert one_problem(data) == (
        "data/sources/one.yaml:17: status: unknown value 'reportd'; expected one of confirmed, reported, "
        "estimated, projected, planned, possible, opinion, illustrative (did you mean 'reported'?)"
    )


def test_unknown_bound(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("bound: approx", "bound: about")})
    assert one_problem(data) == (
        "data/sources/one.yaml:15: bound: unknown value 'about'; expected one of exact, approx, at-least, at-most"
    )


def test_unknown_source_kind(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("kind: news", "kind: newz")})
    assert one_problem(data) == (
        "data/sources/one.yaml:3: kind: unknown value 'newz'; expected one of news, analysis, blog, "
        "press-release, filing (did you mean 'news'?)"
    )


def test_unknown_entity_kind(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD}, entities=ENTITIES.replace("kind: company", "kind: firm", 1))
    assert one_problem(data) == (
        "data/entities.yaml:4: kind: unknown value 'firm'; expected one of company, group, industry, event, division"
    )


def test_unknown_flag(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("flags: [ai-assisted]", "flags: [ai-assisted, ai-asisted]")})
    assert one_problem(data) == (
        "data/sources/one.yaml:5: flags: unknown flag 'ai-asisted'; expected one of ai-assisted, "
        "anonymous-sourcing, composite-examples, no-byline, secondary-reporting, unverified-figures "
        "(did you mean 'ai-assisted'?)"
    )


@pytest.mark.parametrize(
    ("remove", "line", "field", "what"),
    [
        ("    summary: Meta cuts 8,000 jobs\n", 7, "summary", "a claim"),
        ("    quote: committed over $80 billion\n", 18, "quote", "a claim"),
        ("    status: confirmed\n", 18, "status", "a claim"),
        ("    entity: meta\n", 7, "entity", "a claim"),
        ("title: One article\n", 1, "title", "a source"),
        ("kind: news\n", 1, "kind", "a source"),
    ],
)
def test_missing_required_field(tmp_path: Path, remove: str, line: int, field: str, what: str) -> None:
    assert remove in GOOD
    data = corpus(tmp_path, {"one": GOOD.replace(remove, "")})
    assert one_problem(data) == f"data/sources/one.yaml:{line}: {field}: missing (required in {what})"


def test_required_field_left_empty(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("    quote: committed over $80 billion", "    quote:")})
    assert one_problem(data) == "data/sources/one.yaml:22: quote: is empty (required in a claim)"


def test_missing_claims_list(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.split("claims:")[0]})
    assert one_problem(data) == "data/sources/one.yaml:1: claims: missing (required in a source)"


def test_missing_entity_name(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD}, entities=ENTITIES.replace("    name: Microsoft\n", ""))
    assert one_problem(data) == "data/entities.yaml:6: name: missing (required in an entity)"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("summary: Meta cuts 8,000 jobs", "summary: [Meta, cuts]", "10: summary: expected text, got a list"),
        ("summary: Meta cuts 8,000 jobs", "summary: {a: b}", "10: summary: expected text, got a mapping"),
        ("flags: [ai-assisted]", "flags: ai-assisted", "5: flags: expected a list, got text"),
        ("id: c1", "id: C_1", "7: id: 'C_1' is not a valid id (lowercase letters, digits, single dashes)"),
        ("id: c1", "id: 17", "7: id: expected an id (lowercase letters, digits, dashes), got int"),
        ("summary: Microsoft invests in AI", "summary: '  '", "21: summary: is empty"),
    ],
)
def test_wrong_type(tmp_path: Path, old: str, new: str, message: str) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace(old, new)})
    assert one_problem(data) == f"data/sources/one.yaml:{message}"


def test_wrong_type_in_topics(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD}, topics=TOPICS.replace("order: 10", "order: ten"))
    assert one_problem(data) == "data/topics.yaml:2: order: expected a whole number, got text"


def test_unknown_field_suggests_the_known_one(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("    summary: Microsoft", "    summay: Microsoft")})
    assert problems(data) == [
        "data/sources/one.yaml:21: summay: unknown field in a claim (did you mean 'summary'?); probably a typo",
        "data/sources/one.yaml:18: summary: missing (required in a claim)",
    ]


def test_unknown_field_on_a_source_and_a_topic(tmp_path: Path) -> None:
    source = GOOD.replace("published: 2026-04-25", "publised: 2026-04-25")
    topics = TOPICS.replace("order: 20}", "order: 20, descripton: x}")
    assert problems(corpus(tmp_path, {"one": source}, topics=topics)) == [
        "data/topics.yaml:3: descripton: unknown field in a topic (did you mean 'description'?); probably a typo",
        "data/sources/one.yaml:4: publised: unknown field in a source (did you mean 'published'?); probably a typo",
    ]


def test_unknown_field_without_a_close_match_lists_the_fields(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("    status: confirmed", "    status: confirmed\n    colour: red")})
    assert one_problem(data) == (
        "data/sources/one.yaml:24: colour: unknown field in a claim; expected one of id, entity, topic, "
        "summary, quote, metric, value, unit, bound, period, status, speaker, note"
    )


def test_all_problems_of_a_file_are_reported_at_once(tmp_path: Path) -> None:
    broken = (
        GOOD.replace("entity: meta", "entity: metaa")
        .replace("    unit: employees\n", "")
        .replace("published: 2026-04-25", "published: 2026-02-30")
    )
    assert sorted(problems(corpus(tmp_path, {"one": broken}))) == [
        "data/sources/one.yaml:13: value: value without unit (add unit: USD, employees, percent, ...)",
        "data/sources/one.yaml:4: published: '2026-02-30' is not a real date (day is out of range for month)",
        "data/sources/one.yaml:8: entity: unknown entity 'metaa' (did you mean 'meta'?)",
    ]


def test_problems_of_every_file_are_reported_together(tmp_path: Path) -> None:
    two = GOOD.replace("id: one", "id: two").replace("id: c1", "id: d1").replace("id: c2", "id: d2")
    data = corpus(
        tmp_path,
        {"one": GOOD.replace("status: reported", "status: rumoured"), "two": two.replace("topic: ai-capex", "topic: nope")},
        topics=TOPICS.replace("label: Job reductions, ", ""),
    )
    found = problems(data)
    assert len(found) == 3
    assert {f.split(":")[0] for f in found} == {"data/topics.yaml", "data/sources/one.yaml", "data/sources/two.yaml"}


def test_source_id_must_match_the_file_name(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"other": GOOD})
    assert one_problem(data) == (
        "data/sources/other.yaml:1: id: source id 'one' does not match the file name 'other.yaml' (name the file after the id)"
    )


def test_group_members_and_event_parent_must_exist(tmp_path: Path) -> None:
    entities = ENTITIES + (
        "  - {id: g, name: G, kind: group, members: [meta, amazon]}\n"
        "  - {id: e, name: E, kind: event, parent: metta}\n"
        "  - {id: c, name: C, kind: company, members: [meta]}\n"
    )
    assert problems(corpus(tmp_path, {"one": GOOD}, entities=entities)) == [
        "data/entities.yaml:9: members: unknown entity 'amazon'",
        "data/entities.yaml:10: parent: unknown entity 'metta' (did you mean 'meta'?)",
        "data/entities.yaml:11: members: only a group has members (this entity is a company)",
    ]


def test_yaml_syntax_error_and_duplicate_key_give_a_line(tmp_path: Path) -> None:
    data = corpus(
        tmp_path,
        {
            "one": GOOD.replace("title: One article", "title: [unclosed"),
            "two": GOOD.replace("id: one", "id: two").replace("    quote: committed", "    summary: again\n    quote: committed"),
        },
    )
    found = problems(data)
    # the syntax error's wording is the YAML library's: only our part (file, line, "YAML:") is asserted
    assert len(found) == 2 and found[0].startswith("data/sources/one.yaml:3: YAML: ")
    assert found[1] == "data/sources/two.yaml:22: YAML: found duplicate key 'summary' (first on line 21)"


def test_yaml_tags_that_build_objects_are_refused(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD.replace("title: One article", "title: !!python/object:os.system x")})
    message = one_problem(data)
    assert message.startswith("data/sources/one.yaml:2: YAML: ")
    assert "tags that build objects are not allowed" in message


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": GOOD, "empty": "", "list": "- a\n- b\n"})
    assert problems(data) == [
        "data/sources/empty.yaml: file is empty; expected a source mapping with id, title, kind and claims",
        "data/sources/list.yaml:1: expected a source mapping, got a list",
    ]


def test_missing_entities_file_gives_one_message(tmp_path: Path) -> None:
    data = corpus(tmp_path, {})
    (data / "entities.yaml").unlink()
    assert problems(data) == ["data/entities.yaml: cannot read: No such file or directory"]


def test_missing_corpus_directory(tmp_path: Path) -> None:
    assert problems(tmp_path / "nowhere") == [f"{tmp_path / 'nowhere'}: no such corpus directory"]


def test_not_utf8(tmp_path: Path) -> None:
    data = corpus(tmp_path, {})
    (data / "sources" / "one.yaml").write_bytes(GOOD.replace("One article", "One \xe9 article").encode("latin-1"))
    assert problems(data) == ["data/sources/one.yaml:2: not UTF-8 (byte 0xe9 at offset 19)"]


def test_bare_lists_and_unquoted_periods_are_accepted(tmp_path: Path) -> None:
    entities = "\n".join(ENTITIES.splitlines()[1:]).replace("  - ", "- ").replace("    ", "  ")
    data = corpus(tmp_path, {"one": GOOD}, entities=entities)
    c = load_corpus(data)
    assert [e.id for e in c.entities] == ["meta", "microsoft"]
    assert c.sources[0].claims[0].period == "2026"


def test_problem_format() -> None:
    assert str(Problem("data/x.yaml", 14, "entity", "unknown")) == "data/x.yaml:14: entity: unknown"
    assert str(Problem("data/x.yaml", 0, "", "file is empty")) == "data/x.yaml: file is empty"


def test_verify_quotes_whitespace_aside_otherwise_exactly(tmp_path: Path) -> None:
    source = GOOD.replace("flags: [ai-assisted]", "document: one.txt")
    c = load_corpus(corpus(tmp_path, {"one": source}))
    texts = tmp_path / "texts"
    texts.mkdir()
    (texts / "one.txt").write_text("They  cut approximately\n8,000   employees. It committed over $80 billion.\n")
    assert verify_quotes(c, texts) == []
    (texts / "one.txt").write_text("They cut approximately 8.000 employees. It committed over $80 billion.\n")
    assert [str(p) for p in verify_quotes(c, texts)] == [
        "data/sources/one.yaml:11: quote: not found in one.txt: 'cut approximately 8,000 employees'"
    ]
    (texts / "one.txt").unlink()
    [missing] = verify_quotes(c, texts)
    assert missing.file == "data/sources/one.yaml" and missing.field == "document"
    assert "cannot read" in missing.message and "one.txt" in missing.message


# --- hostile values: numbers, dates and lengths, and what a message shows of them ---------------


def source_with(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


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


def test_a_1_mb_quote_is_refused_with_a_message(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": source_with("quote: committed over $80 billion", "quote: " + "word " * 200_000)})
    assert one_problem(data) == "data/sources/one.yaml:22: quote: is 999,999 characters long; the limit is 20,000"


def test_a_50_mb_quote_is_refused_with_a_message(tmp_path: Path) -> None:
    data = corpus(tmp_path, {"one": source_with("quote: committed over $80 billion", "quote: " + "q" * 50_000_000)})
    assert one_problem(data) == "data/sources/one.yaml:22: quote: is 50,000,000 characters long; the limit is 20,000"


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
        "projected, planned, possible, opinion, illustrative",
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
        "estimated, projected, planned, possible, opinion, illustrative",
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


def test_a_scope_is_the_quotes_own_words(tmp_path: Path) -> None:
    """`scope` keeps the article's qualifier of a figure ("of its US workforce"): its words
    must be in the quote (case and spacing aside), on a figure, with no comma."""
    ok = corpus(
        tmp_path / "ok", {"one": GOOD.replace("    unit: employees\n", "    unit: employees\n    scope: APPROXIMATELY  8\n")}
    )
    assert next(c.scope for c in load_corpus(ok).claims) == "APPROXIMATELY  8"
    data = corpus(
        tmp_path / "bad", {"one": GOOD.replace("    unit: employees\n", "    unit: employees\n    scope: of its US workforce\n")}
    )
    assert one_problem(data) == (
        "data/sources/one.yaml:15: scope: 'of its US workforce' is not in the quote: a figure's scope is the article's own words"
    )
    comma = corpus(
        tmp_path / "comma", {"one": GOOD.replace("    unit: employees\n", "    unit: employees\n    scope: cut, approximately\n")}
    )
    assert "scope: a scope is a short phrase with no comma" in one_problem(comma)
    words = GOOD.replace(
        "    metric: employees-cut\n    value: 8000\n    unit: employees\n    bound: approx\n", "    scope: approximately\n"
    )
    assert one_problem(corpus(tmp_path / "words", {"one": words})).endswith(
        "scope: only a figure has a scope (this claim has no value)"
    )
