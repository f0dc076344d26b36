"""The registry of quantities (data/metrics.yaml): read with the corpus, checked, kept in the
store, and what `pivot check` says about metrics it does not list. Corpora are tmp copies of
the small fixture with a registry of our own."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tui.cli import main
from tui.store import build_store, load_corpus
from tui.store.files import file_states
from tui.store.load import corpus_warnings
from tui.store.metrics import fallback_label, metric_labels, registry_of
from tui.store.model import CorpusError, with_hint

REPO = Path(__file__).resolve().parents[1]
SMALL = REPO / "tests" / "fixtures" / "small"
pytestmark = pytest.mark.usefixtures("clean_env")

REGISTRY = """\
metrics:
  - id: employees-cut
    label: Employees cut
    unit: employees
    counts: people whose jobs are cut
    words: [employees laid off, job cuts]
    not: [workforce-cut-pct]
    topic: job-cuts
  - id: workforce-cut-pct
    label: Share of the workforce cut
    unit: percent
    words: [share of the workforce cut]
    not: [employees-cut]
  - {id: ai-capex-usd, label: AI infrastructure investment (USD), unit: USD}
  - {id: ai-job-openings, label: AI job openings, unit: roles}
  - {id: voluntary-retirement, label: Voluntary retirement, unit: employees}
"""


@pytest.fixture
def data(tmp_path: Path) -> Path:
    out = tmp_path / "data"
    shutil.copytree(SMALL, out)
    (out / "metrics.yaml").write_text(REGISTRY, encoding="utf-8")
    return out


def problems(data: Path) -> list[str]:
    with pytest.raises(CorpusError) as info:
        load_corpus(data)
    return [with_hint(p) for p in info.value.problems]


def pivot(*args: object) -> subprocess.CompletedProcess[str]:
    """`pivot ARGS` in this process (click's CliRunner): these tests are about what `pivot
    check` says, not about the process (`pivot check` as a real process: test_nothing_lost.py)."""
    result = CliRunner().invoke(main, [str(a) for a in args])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def test_the_registry_is_read_with_the_corpus_and_kept_in_the_store(data: Path, tmp_path: Path) -> None:
    corpus = load_corpus(data)
    assert [m.id for m in corpus.metrics][:2] == ["employees-cut", "workforce-cut-pct"]
    cut = corpus.metrics[0]
    assert (cut.label, cut.unit, cut.counts, cut.words, cut.opposites, cut.topic) == (
        "Employees cut",
        "employees",
        "people whose jobs are cut",
        ["employees laid off", "job cuts"],
        ["workforce-cut-pct"],
        "job-cuts",
    )
    db = tmp_path / "store.db"
    build_store(corpus, db, file_states(data))
    conn = sqlite3.connect(db)
    assert metric_labels(conn)["employees-cut"] == "Employees cut"
    assert "severance-weeks" not in metric_labels(conn)  # not in the registry: the grid makes one from the id
    assert fallback_label("severance-weeks") == "Severance weeks"
    assert metric_labels(conn)["ai-capex-usd"] == "AI infrastructure investment (USD)"
    assert [m.id for m in registry_of(conn)] == [m.id for m in corpus.metrics]
    assert registry_of(conn)[0].opposites == ["workforce-cut-pct"]


def test_an_edited_registry_reaches_the_store(data: Path, tmp_path: Path) -> None:
    """metrics.yaml is a corpus file like entities.yaml: an edit is seen by the next build."""
    from tui.store.refresh import ensure_store

    db = tmp_path / "store.db"
    ensure_store(data, db)
    (data / "metrics.yaml").write_text(REGISTRY.replace("label: Employees cut", "label: Jobs eliminated"), encoding="utf-8")
    ready = ensure_store(data, db)
    assert ready.built is not None
    assert metric_labels(sqlite3.connect(db))["employees-cut"] == "Jobs eliminated"


def test_a_corpus_without_a_registry_is_as_it_was(tmp_path: Path) -> None:
    corpus = load_corpus(SMALL)
    assert corpus.metrics == []
    db = tmp_path / "store.db"
    build_store(corpus, db, file_states(SMALL))
    assert metric_labels(sqlite3.connect(db)) == {}
    assert corpus_warnings(corpus) == []


def test_labels_made_from_ids() -> None:
    assert fallback_label("ai-capex-usd") == "AI capex (USD)"
    assert fallback_label("workforce-cut-pct") == "Workforce cut (%)"
    assert fallback_label("usd") == "Usd"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (
            ("not: [employees-cut]", "not: [employees-cutt]"),
            "metrics.yaml:13: not: unknown metric 'employees-cutt' (did you mean 'employees-cut'?)",
        ),
        (("topic: job-cuts", "topic: job-cut"), "metrics.yaml:8: topic: unknown topic 'job-cut' (did you mean 'job-cuts'?)"),
        (("    unit: percent\n", ""), "metrics.yaml:9: unit: missing (required in a metric)"),
        (
            ("    counts: people", "    count: people"),
            "metrics.yaml:5: count: unknown field in a metric (did you mean 'counts'?)",
        ),
        (("id: ai-job-openings", "id: ai-capex-usd"), "duplicate metric id 'ai-capex-usd'"),
        (("not: [workforce-cut-pct]", "not: [employees-cut]"), "'employees-cut' cannot be its own opposite"),
    ],
)
def test_a_bad_registry_entry_is_one_line_naming_file_line_and_field(data: Path, edit: tuple[str, str], expected: str) -> None:
    path = data / "metrics.yaml"
    text = path.read_text(encoding="utf-8")
    assert edit[0] in text
    path.write_text(text.replace(edit[0], edit[1], 1), encoding="utf-8")
    found = problems(data)
    assert any(expected in p for p in found), found


def test_check_warns_on_a_metric_no_registry_entry_and_no_other_source_knows(data: Path) -> None:
    source = data / "sources" / "beta-blog.yaml"
    text = source.read_text(encoding="utf-8")
    assert "metric: employees-cut\n" in text
    source.write_text(text.replace("metric: employees-cut\n", "metric: contractors-cut\n", 1), encoding="utf-8")
    result = pivot("check", "--data", data)
    assert result.returncode == 0, result.stderr
    [warning] = [line for line in result.stderr.splitlines() if "contractors-cut" in line]
    assert "beta-blog.yaml:" in warning and ": metric: warning:" in warning
    assert "in no entry of metrics.yaml and no other source uses it" in warning
    assert '- {id: contractors-cut, label: "Contractors cut", unit: employees}' in warning  # the line to add
    # the registry knows a metric only one source uses: no warning for it
    (data / "metrics.yaml").write_text(REGISTRY + "  - {id: contractors-cut, label: Contractors cut, unit: employees}\n")
    assert "contractors-cut" not in pivot("check", "--data", data).stderr


def test_check_warns_on_a_figure_in_another_unit_than_its_metric(data: Path) -> None:
    (data / "metrics.yaml").write_text(REGISTRY.replace("unit: employees\n    counts", "unit: roles\n    counts"))
    warnings = [str(w) for w in corpus_warnings(load_corpus(data))]
    assert any("metric 'employees-cut' counts roles (metrics.yaml); this figure says employees" in w for w in warnings), warnings


def test_a_typo_of_a_registry_metric_gets_the_registry_id(data: Path) -> None:
    source = data / "sources" / "beta-blog.yaml"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("metric: employees-cut\n", "metric: employees-cutt\n", 1), encoding="utf-8")
    warnings = [str(w) for w in corpus_warnings(load_corpus(data))]
    assert any("'employees-cutt'" in w and "did you mean 'employees-cut'" in w for w in warnings), warnings


def test_the_bundled_registry_says_what_each_metric_counts_in_the_unit_its_claims_use() -> None:
    corpus = load_corpus(REPO / "data")
    assert corpus.metrics
    for m in corpus.metrics:
        assert m.words and m.counts, m.id
        units = {c.unit for c in corpus.claims if c.metric == m.id}
        assert units <= {m.unit}, (m.id, units)
