"""`pivot add` end to end through the real CLI, always into a tmp copy of the corpus (never data/)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from tui.cli import main
from tui.store import load_corpus
from tui.store.quotes import normalise_ws

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
PAGE = REPO / "tests" / "fixtures" / "pages" / "ledger-meta-capex.html"
SEEDS = REPO / ".." / "shared" / "seeds"
pytestmark = pytest.mark.usefixtures("clean_env")


def run(*args, code: int = 0, input: bytes | None = None):
    result = CliRunner().invoke(main, [str(a) for a in args], input=input)
    assert result.exit_code == code, (result.output, result.exception)
    return result


@pytest.fixture
def data(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(DATA, out, ignore=shutil.ignore_patterns("texts"))
    return out


def drafted(data: Path, source_id: str) -> dict:
    return yaml.safe_load((data / "sources" / f"{source_id}.yaml").read_text(encoding="utf-8"))


def by_value(claims: list[dict], value) -> dict:
    found = [c for c in claims if c.get("value") == value]
    assert found, f"no drafted claim with value {value}: {[c.get('value') for c in claims]}"
    return found[0]


def test_a_saved_html_page_is_drafted_checked_and_never_overwritten(data: Path) -> None:
    result = run("add", PAGE, "--id", "ledger-meta", "--data", data)
    assert f"{data}/sources/ledger-meta.yaml" in result.stdout  # the path as typed
    source = drafted(data, "ledger-meta")
    # the metadata the page carries, and nothing else
    assert source["title"] == "Meta raises its AI spending plan, cuts more jobs"
    assert source["publisher"] == "The Ledger Daily"
    assert source["author"] == "Dana Whitfield"
    assert source["published"] == "2026-05-12"
    assert source["url"] == "https://ledger.example.com/2026/05/12/meta-ai-spending-plan"
    assert source["document"] == "ledger-meta.txt"
    text = (data / "texts" / "ledger-meta.txt").read_text(encoding="utf-8")
    assert "Most read" not in text and "All rights reserved" not in text  # page furniture left out
    claims = source["claims"]
    assert claims and all(c["draft"] is True for c in claims)
    flat = normalise_ws(text)
    assert all(normalise_ws(c["quote"]) in flat for c in claims)
    capex = by_value(claims, [125000000000, 145000000000])
    assert (capex["unit"], capex["bound"], capex["period"], capex["entity"], capex["status"]) == (
        "USD",
        "exact",
        "2026",
        "meta",
        "projected",
    )
    assert (by_value(claims, 10)["unit"], by_value(claims, 10)["bound"]) == ("percent", "approx")
    assert (by_value(claims, 8000)["unit"], by_value(claims, 8000)["bound"]) == ("employees", "at-least")
    assert (by_value(claims, 16)["unit"], by_value(claims, 16)["bound"]) == ("weeks", "at-most")
    assert (by_value(claims, 600)["bound"], by_value(claims, 600)["status"]) == ("approx", "reported")  # "roughly six hundred"
    assert by_value(claims, 1200000000)["unit"] == "USD"
    # the organisations the drafts are about and the corpus lacks come with their entities.yaml lines
    assert by_value(claims, 1100)["entity"] == "cloudflare"
    add_printed_entity_lines(result.stdout, data)
    # the corpus loads with the draft in it; check counts the drafts, --strict fails on them
    corpus = load_corpus(data)
    assert sum(c.draft for c in corpus.claims) == len(claims)
    ok = run("check", "--data", data)
    assert ok.stdout.startswith("ok: ")
    assert f"{len(claims)} drafts" in ok.stdout and f"quotes verified: {len(claims)} claims" in ok.stdout
    assert "not verified: no text" in ok.stdout  # the bundled articles' texts are not under data/texts
    run("check", "--data", data, "--strict", code=1)
    # a second add never overwrites the source or its text
    before = (data / "sources" / "ledger-meta.yaml").read_bytes()
    again = run("add", PAGE, "--id", "ledger-meta", "--data", data, code=1)
    assert "ledger-meta.yaml" in again.stderr
    assert (data / "sources" / "ledger-meta.yaml").read_bytes() == before


def add_printed_entity_lines(stdout: str, data: Path) -> None:
    lines = [x for x in stdout.splitlines() if x.startswith("  - {id: ") and "kind: " in x]
    entities = data / "entities.yaml"
    entities.write_text(entities.read_text(encoding="utf-8").rstrip("\n") + "\n" + "\n".join(lines) + "\n", encoding="utf-8")


def test_reviewed_drafts_pass_strict_and_new_entities_come_with_a_line(data: Path) -> None:
    result = run("add", PAGE, "--id", "ledger-meta", "--data", data)
    assert any("id: cloudflare" in x for x in result.stdout.splitlines())
    refused = run("check", "--data", data, code=1).stderr  # until the line is added, check says which and what to write
    assert "unknown entity 'cloudflare'" in refused and "{id: cloudflare, name: Cloudflare, kind: company}" in refused
    add_printed_entity_lines(result.stdout, data)
    path = data / "sources" / "ledger-meta.yaml"
    text = path.read_text(encoding="utf-8").replace("    draft: true\n", "")
    path.write_text(text, encoding="utf-8")
    assert "cloudflare" in {e.id for e in load_corpus(data).entities}
    assert run("check", "--data", data, "--strict").stdout.startswith("ok: ")


def test_standard_input_and_a_text_file(data: Path, tmp_path: Path) -> None:
    page = tmp_path / "note.txt"
    page.write_text(
        "Meta Cuts Jobs Again\n\nMeta plans to cut about 3,600 employees, roughly 5% of its staff.\n", encoding="utf-8"
    )
    run("add", page, "--data", data)
    source = drafted(data, "meta-cuts-jobs-again")
    assert source["title"] == "Meta Cuts Jobs Again" and source["url"] is None and source["published"] is None
    assert by_value(source["claims"], 3600)["bound"] == "approx"
    run("add", "-", "--id", "from-stdin", "--data", data, input=page.read_bytes())
    assert by_value(drafted(data, "from-stdin")["claims"], 5)["unit"] == "percent"


def test_a_url_without_network_gives_one_clear_line(data: Path) -> None:
    result = run("add", "http://127.0.0.1:9/article", "--data", data, code=1)
    assert result.stderr.count("\n") == 1 and "http://127.0.0.1:9/article" in result.stderr
    assert "pivot add page.html" in result.stderr
    assert not (data / "texts").exists()


def test_a_missing_page_and_a_bad_id(data: Path, tmp_path: Path) -> None:
    assert "no such file" in run("add", tmp_path / "nope.html", "--data", data, code=1).stderr
    assert "not a valid id" in run("add", PAGE, "--id", "Bad Id", "--data", data, code=1).stderr


def _seeds() -> Path:
    if not SEEDS.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the source articles are missing: {SEEDS.resolve()} does not exist")
        pytest.skip("the source articles (../shared/seeds) are not beside this checkout (skipped outside CI only)")
    return SEEDS


BUNDLED = {  # source id -> figures the curated file holds: (value, unit, bound)
    "synapnews-ai-pivot": [
        ([115000000000, 135000000000], "USD", "exact"),
        (8000, "employees", "approx"),
        (10, "percent", "approx"),
        (80000000000, "USD", "at-least"),
    ],
    "meta-ai-spending-analysis": [(600000000000, "USD", "exact"), (100000000, "USD", "at-least")],
    "ai-rebalancing-meta-layoffs": [(20, "percent", "at-least"), ([13, 15], "percent", "approx")],
    "0xmetalabs-compute-shift": [(725000000000, "USD", "approx")],
    "meta-600-ai-layoffs": [
        (600, "employees", "approx"),
        (16, "weeks", "exact"),
        (2, "weeks", "exact"),
        (16000000000, "USD", "at-least"),
        (1000, "roles", "at-least"),
        (200000000000, "USD", "at-least"),
    ],
}


@pytest.mark.parametrize("source_id", sorted(BUNDLED))
def test_each_bundled_article_is_drafted_as_its_curator_read_it(data: Path, source_id: str) -> None:
    """The article's curated file is taken out of the copy: the drafter sees the corpus a user had before adding it."""
    document = yaml.safe_load((DATA / "sources" / f"{source_id}.yaml").read_text(encoding="utf-8"))["document"]
    (data / "sources" / f"{source_id}.yaml").unlink()
    result = run("add", _seeds() / document, "--id", f"{source_id}-draft", "--data", data)
    add_printed_entity_lines(result.stdout, data)
    claims = drafted(data, f"{source_id}-draft")["claims"]
    text = normalise_ws((data / "texts" / f"{source_id}-draft.txt").read_text(encoding="utf-8"))
    assert all(normalise_ws(c["quote"]) in text for c in claims)
    for value, unit, bound in BUNDLED[source_id]:
        matches = [c for c in claims if c["value"] == value and c["unit"] == unit]
        assert matches, f"{value} {unit} not drafted"
        assert bound in {c["bound"] for c in matches}, (value, [c["bound"] for c in matches])
    assert run("check", "--data", data).stdout.startswith("ok: ")


def test_a_dated_lead_is_written_as_as_of_and_the_draft_loads(data: Path, tmp_path: Path) -> None:
    page = tmp_path / "lead.txt"
    page.write_text(
        "Meta Weighs Deeper Cuts\n\nAs of mid-March 2026, reports say Meta could cut 5% of its staff this year.\n",
        encoding="utf-8",
    )
    run("add", page, "--id", "lead", "--data", data)
    source = drafted(data, "lead")
    assert source["published"] is None and source["as_of"] == "2026-03"
    claim = by_value(source["claims"], 5)
    assert (claim["period"], claim["status"]) == ("2026", "possible")  # "this year" of the lead's date
    assert {s.id: s.as_of for s in load_corpus(data).sources}["lead"] == "2026-03"
