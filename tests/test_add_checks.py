"""The mistakes a person makes writing a claim by hand, each caught where it is made, with what to write.

Corpora are tmp copies of the small fixture; messages are ours (no library wording asserted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.store import load_corpus
from tui.store.fields import with_hint
from tui.store.load import corpus_warnings
from tui.store.model import CorpusError
from tui.store.quotes import check_quotes

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "small"
TEXTS = REPO / "tests" / "fixtures" / "texts"
pytestmark = pytest.mark.usefixtures("clean_env")


@pytest.fixture
def data(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(SMALL, out)
    return out


def edit(data: Path, old: str, new: str, name: str = "beta-blog") -> None:
    path = data / "sources" / f"{name}.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(data: Path) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(data)
    return [with_hint(p) for p in info.value.problems]


def first_value(data: Path) -> str:
    text = (data / "sources" / "beta-blog.yaml").read_text(encoding="utf-8")
    return next(line.strip() for line in text.splitlines() if line.strip().startswith("value:"))


@pytest.mark.parametrize(
    ("typed", "write"),
    [
        ("125B", "write 125000000000"),
        ('"$125 billion"', "write 125000000000 with unit: USD"),
        ("1.25e11", "write 125000000000"),
        ('"$125-$145 billion"', "write [125000000000, 145000000000] with unit: USD"),
        ('"10%"', "write 10 with unit: percent"),
        ('"8,000"', "write 8000"),
    ],
)
def test_a_value_typed_as_text_gets_the_number_to_write(data: Path, typed: str, write: str) -> None:
    edit(data, first_value(data), f"value: {typed}")
    [message] = [m for m in messages(data) if ": value: " in m]
    assert write in message
    assert typed.strip('"') in message  # the value repeated


def test_an_unknown_entity_gets_a_ready_line_and_a_name_gets_its_id(data: Path) -> None:
    edit(data, "entity: meta\n", "entity: cloudflare\n")
    [message] = messages(data)
    assert "unknown entity 'cloudflare'" in message
    assert "data/entities.yaml:" in message and "- {id: cloudflare, name: Cloudflare, kind: company}" in message
    shutil.rmtree(data)
    shutil.copytree(SMALL, data)
    edit(data, "entity: meta\n", "entity: Meta\n")
    [message] = messages(data)
    assert "did you mean 'meta'?" in message


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("up to", "at-most"),
        ("as many as", "at-most"),
        ("more than", "at-least"),
        ("or more", "at-least"),
        ("roughly", "approx"),
        ("~", "approx"),
    ],
)
def test_a_bound_in_the_article_s_words_suggests_the_value(data: Path, typed: str, meant: str) -> None:
    edit(data, "bound: at-least\n", f'bound: "{typed}"\n')
    [message] = [m for m in messages(data) if ": bound: " in m]
    assert meant in message


def test_a_unit_in_another_case_is_no_slip(data: Path) -> None:
    """`usd` is USD (the agreement model compares units case-insensitively): no warning for it."""
    before = [c for c in load_corpus(data).claims if c.unit == "USD"]
    assert before, "the fixture has a claim in USD"
    path = data / "sources" / f"{before[0].source}.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("unit: USD", "unit: usd", 1), encoding="utf-8")
    assert [w for w in corpus_warnings(load_corpus(data)) if w.field == "unit"] == []
    path.write_text(path.read_text(encoding="utf-8").replace("unit: usd", "unit: USDD", 1), encoding="utf-8")
    assert any("did you mean 'USD'" in str(w) for w in corpus_warnings(load_corpus(data)))


def test_a_metric_or_period_no_other_source_uses_is_a_warning_with_a_suggestion(data: Path) -> None:
    corpus = load_corpus(data)
    shared = [c for c in corpus.claims if c.metric and sum(o.metric == c.metric and o.source != c.source for o in corpus.claims)]
    target = shared[0]
    typo = target.metric[:-2] + target.metric[-1]  # one letter dropped
    path = data / "sources" / f"{target.source}.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(f"metric: {target.metric}\n", f"metric: {typo}\n", 1), encoding="utf-8")
    warnings = [str(w) for w in corpus_warnings(load_corpus(data))]
    assert any(f"'{typo}'" in w and f"did you mean '{target.metric}'" in w for w in warnings), warnings
    assert corpus_warnings(load_corpus(SMALL)) == []


def test_fiscal_year_suggests_the_calendar_year(data: Path) -> None:
    corpus = load_corpus(data)
    dated = next(c for c in corpus.claims if c.period and c.period.isdigit())
    path = data / "sources" / f"{dated.source}.yaml"
    text = path.read_text(encoding="utf-8")
    for old in (f'period: "{dated.period}"', f"period: '{dated.period}'", f"period: {dated.period}"):
        if old in text:
            path.write_text(text.replace(old, f"period: FY{dated.period}", 1), encoding="utf-8")
            break
    warnings = [str(w) for w in corpus_warnings(load_corpus(data))]
    assert any(f"'FY{dated.period}'" in w and f"did you mean '{dated.period}'" in w for w in warnings), warnings


def test_a_quote_not_quite_verbatim_shows_where_it_stops_matching(data: Path) -> None:
    (data / "texts").mkdir()
    shutil.copy(TEXTS / "alpha.txt", data / "texts" / "alpha.txt")
    corpus = load_corpus(data)
    assert check_quotes(corpus, data).problems == []
    alpha = next(s for s in corpus.sources if s.document == "alpha.txt")
    quote = next(c.quote for c in alpha.claims if len(c.quote) > 30)
    text = (data / "texts" / "alpha.txt").read_text(encoding="utf-8")
    i = quote.index(" ", 15)
    (data / "texts" / "alpha.txt").write_text(text.replace(quote, quote[:i] + "-" + quote[i + 1 :]), encoding="utf-8")
    [problem] = check_quotes(load_corpus(data), data).problems
    shown = with_hint(problem)
    assert quote[i - 8 : i] in shown and "U+002D" in shown  # where it stops, the hyphen named
    result = CliRunner().invoke(main, ["check", "--data", str(data)])
    assert result.exit_code == 1 and "U+002D" in result.stderr


def test_sources_without_their_text_are_counted_never_verified(data: Path) -> None:
    (data / "texts").mkdir()
    shutil.copy(TEXTS / "alpha.txt", data / "texts" / "alpha.txt")
    result = CliRunner().invoke(main, ["check", "--data", str(data)])
    assert result.exit_code == 0, result.output
    corpus = load_corpus(data)
    verified = sum(len(s.claims) for s in corpus.sources if s.document == "alpha.txt")
    assert f"quotes verified: {verified} claims" in result.stdout
    assert f"not verified: no text: {len(corpus.claims) - verified} claims" in result.stdout


def test_draft_must_be_true_or_false(data: Path) -> None:
    edit(data, first_value(data), first_value(data) + "\n    draft: yes please")
    assert any(": draft: expected true or false" in m for m in messages(data))
