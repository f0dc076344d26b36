"""A change to entities.yaml, topics.yaml, metrics.yaml or propositions.yaml is applied from the
store's own rows (store/baseupdate.py), without parsing the source files again: the store it
gives equals, table by table, the one a build from scratch gives; a problem it finds is the
one a full load reports (file, line, field, words), and it leaves the store as it was.

On a copy of the bundled corpus (what it says is read from it: the tests hold when articles
are added to data/)."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from helpers import REPO, cli
from tui.store import CorpusError, build_store, ensure_store, load_corpus
from tui.store import load as load_mod
from tui.store.files import file_states


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the bundled corpus and its store, built."""
    data = tmp_path / "data"
    shutil.copytree(REPO / "data", data)
    db_path = tmp_path / "store.db"
    assert ensure_store(data, db_path).built is not None
    return data, db_path


def tables(db_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table of a store, every column, rows sorted: all but the claims' row ids (an
    update keeps each claim where it was), the build time, SQLite's planner statistics and
    the text index's own pages (compared by what it finds: its words, and per word its
    claims and their count)."""
    conn = sqlite3.connect(db_path)
    try:
        out: dict[str, list[tuple[Any, ...]]] = {}
        names = [
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL%'")
            if not r[0].startswith(("sqlite_", "claims_fts"))
        ]
        for name in sorted(names):
            columns = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])") if r[1] != "rowid"]
            where = " WHERE key != 'built_at'" if name == "pivot_meta" else ""
            rows = conn.execute(f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{name}]{where}").fetchall()
            out[name] = sorted(rows, key=repr)
        conn.execute("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, claims_fts, 'instance')")
        out["claims_fts"] = sorted(
            conn.execute("SELECT v.term, c.id, v.col, v.offset FROM temp.v v JOIN claims c ON c.rowid = v.doc").fetchall()
        )
        # entities, topics and propositions keep their files' order (what lists them unsorted shows)
        out["entity order"] = conn.execute("SELECT id FROM entities ORDER BY rowid").fetchall()
        out["topic order"] = conn.execute("SELECT id FROM topics ORDER BY rowid").fetchall()
        out["metric order"] = conn.execute("SELECT id FROM metrics ORDER BY rowid").fetchall()
        return out
    finally:
        conn.close()


def fresh(data: Path, tmp_path: Path) -> dict[str, list[tuple[Any, ...]]]:
    path = tmp_path / "fresh.db"
    path.unlink(missing_ok=True)
    build_store(load_corpus(data), path, file_states(data))
    return tables(path)


def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
    doc = yaml.safe_load(path.read_text())
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))


@pytest.fixture
def no_source_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The source files parsed (read_source_file; "<every file>" for the full load's parse)."""
    read: list[str] = []
    real, real_many = load_mod.read_source_file, load_mod._parse_many

    def counted(path: Path, label: str) -> Any:
        read.append(Path(path).name)
        return real(path, label)

    def whole(*args: Any, **kwargs: Any) -> Any:
        read.append("<every file>")
        return real_many(*args, **kwargs)

    monkeypatch.setattr(load_mod, "read_source_file", counted)
    monkeypatch.setattr(load_mod, "_parse_many", whole)
    return read


def stored(db_path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_an_entity_added_is_applied_without_reading_a_source_and_equals_a_fresh_build(
    corpus: tuple[Path, Path], tmp_path: Path, no_source_read: list[str]
) -> None:
    data, db_path = corpus
    (data / "entities.yaml").write_text(
        (data / "entities.yaml").read_text() + "  - {id: newco-ai, name: Newco AI, kind: company, aliases: [Newco]}\n"
    )
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.mode == "update" and ready.built.base_files == ["entities.yaml"]
    assert no_source_read == []
    assert stored(db_path, "SELECT claim_count FROM entities WHERE id = 'newco-ai'") == [(0,)]
    assert ("newco-ai", "newco") in stored(db_path, "SELECT entity, name FROM entity_names")
    assert tables(db_path) == fresh(data, tmp_path)
    assert ensure_store(data, db_path).built is None  # up to date


def test_renamed_regrouped_and_reparented_entities_equal_a_fresh_build(
    corpus: tuple[Path, Path], tmp_path: Path, no_source_read: list[str]
) -> None:
    """A member's new name (a group's reasons name its members), a group with one member
    fewer (its sums), a company become an event of another (its figures count as the
    other's): the families they touch are counted again, the rest kept."""
    data, db_path = corpus
    numeric = [
        e
        for (e,) in stored(
            db_path,
            "SELECT entity FROM claims WHERE value_low IS NOT NULL AND entity IN "
            "(SELECT id FROM entities WHERE kind = 'company') GROUP BY entity ORDER BY count(*) DESC",
        )
    ]
    groups = stored(db_path, "SELECT id, members FROM entities WHERE kind = 'group' AND members != '[]' ORDER BY id")
    assert len(numeric) >= 2 and groups
    group, members = groups[0][0], yaml.safe_load(groups[0][1])
    moved, onto = numeric[-1], numeric[0]

    def change(doc: dict[str, Any]) -> None:
        for e in doc["entities"]:
            if e["id"] == members[0]:
                e["name"] = e["name"] + " (renamed)"
            if e["id"] == group:
                e["members"] = members[1:]
            if e["id"] == moved:
                e["kind"], e["parent"] = "event", onto
                e.pop("ticker", None)

    edit(data / "entities.yaml", change)
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.base_files == ["entities.yaml"]
    assert no_source_read == []
    assert stored(db_path, f"SELECT DISTINCT qentity FROM claims WHERE entity = '{moved}'") == [(onto,)]
    assert tables(db_path) == fresh(data, tmp_path)


def test_topics_metrics_and_propositions_edited_equal_a_fresh_build(
    corpus: tuple[Path, Path], tmp_path: Path, no_source_read: list[str]
) -> None:
    data, db_path = corpus

    def topics(doc: dict[str, Any]) -> None:
        doc["topics"][0]["label"] += " (relabelled)"
        doc["topics"][0]["order"], doc["topics"][-1]["order"] = doc["topics"][-1]["order"], doc["topics"][0]["order"]
        doc["topics"].append({"id": "new-topic", "label": "New topic", "order": 99})

    def metrics(doc: dict[str, Any]) -> None:
        doc["metrics"][0]["label"] += " (relabelled)"
        doc["metrics"].append({"id": "new-metric", "label": "New metric", "unit": "widgets", "topic": "new-topic"})

    def propositions(doc: dict[str, Any]) -> None:
        doc["propositions"][0]["text"] += " (reworded)"
        doc["propositions"].append({"id": "new-proposition", "text": "Something new holds"})

    edit(data / "topics.yaml", topics)
    edit(data / "metrics.yaml", metrics)
    edit(data / "propositions.yaml", propositions)
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.base_files == ["metrics.yaml", "propositions.yaml", "topics.yaml"]
    assert no_source_read == []
    assert tables(db_path) == fresh(data, tmp_path)


def test_a_new_source_and_the_entity_it_names_are_applied_together(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    """`pivot add` wrote an article naming an entity the corpus does not have yet; the person
    adds the entity line: one build applies both (on a copy, renamed into place), reading the
    new file only."""
    data, db_path = corpus
    (data / "sources" / "zz-newco.yaml").write_text(
        "id: zz-newco\ntitle: Newco cuts\nkind: blog\npublished: '2026-03-01'\nclaims:\n"
        "  - {id: zz-newco-cut, entity: newco-ai, topic: job-cuts, summary: Newco cuts 40 jobs, quote: forty jobs,\n"
        "     metric: employees-cut, value: 40, unit: employees, period: '2026', status: reported}\n"
    )
    before = digest(db_path)
    assert ensure_store(data, db_path).warning is not None  # unknown entity: the store is kept
    assert digest(db_path) == before
    (data / "entities.yaml").write_text(
        (data / "entities.yaml").read_text() + "  - {id: newco-ai, name: Newco AI, kind: company}\n"
    )
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.base_files == ["entities.yaml"] and ready.built.added_claims == 1
    assert tables(db_path) == fresh(data, tmp_path)


def removed(db_path: Path, what: str) -> tuple[str, str]:
    """An entity, topic or proposition the store's claims name, and the file of one of them."""
    sql = {
        "entities": "SELECT entity, source FROM claims ORDER BY source DESC, id LIMIT 1",
        "topics": "SELECT topic, source FROM claims ORDER BY source, id LIMIT 1",
        "propositions": "SELECT proposition, claim FROM stances ORDER BY claim LIMIT 1",
    }[what]
    return stored(db_path, sql)[0]


@pytest.mark.parametrize("what", ["entities", "topics", "propositions"])
def test_a_removed_id_claims_name_fails_as_a_full_load_does(corpus: tuple[Path, Path], what: str) -> None:
    """A claim naming a removed entity, topic or proposition: the problems a full load of the
    corpus reports (file, line, field, words, in its order), and the store untouched."""
    data, db_path = corpus
    gone, _ = removed(db_path, what)
    entities = data / "entities.yaml"
    if what == "entities":  # whatever else names it goes too (groups, parents, propositions)
        edit(entities, lambda d: d.update(entities=[e for e in d["entities"] if e["id"] != gone]))
    else:
        edit(data / f"{what}.yaml", lambda d: d.update({what: [x for x in d[what] if x["id"] != gone]}))
    with pytest.raises(CorpusError) as full:
        load_corpus(data)
    before = digest(db_path)
    ready = ensure_store(data, db_path)
    assert ready.warning is not None and ready.built is None
    assert ready.problems is not None
    assert [str(p) for p in ready.problems] == [str(p) for p in full.value.problems]
    field = {"entities": "entity", "topics": "topic", "propositions": "stance"}[what]
    assert any(p.field == field and p.line > 0 and gone in p.message for p in ready.problems), ready.problems
    assert digest(db_path) == before
    # `pivot build` says them, as `pivot check` does, without a second load of the corpus
    result = cli("build", "--data", data, "--db", db_path, code=1)
    for p in full.value.problems:
        assert str(p) in result.output


def test_a_base_file_that_does_not_parse_is_left_to_the_full_load(corpus: tuple[Path, Path]) -> None:
    data, db_path = corpus
    before = digest(db_path)
    (data / "topics.yaml").write_text("topics: [unclosed\n")
    with pytest.raises(CorpusError) as full:
        load_corpus(data)
    ready = ensure_store(data, db_path)
    assert (
        ready.warning
        == f"the corpus has {len(full.value.problems)} problem(s); showing the last good store (run `pivot check` for details)"
    )
    assert digest(db_path) == before


@pytest.mark.parametrize("with_source", [False, True])
def test_a_base_update_that_fails_midway_leaves_the_store_untouched(
    corpus: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, with_source: bool
) -> None:
    """In place (one transaction, rolled back) or on a copy (thrown away): all or nothing."""
    from tui.store import baseupdate

    data, db_path = corpus
    (data / "entities.yaml").write_text(
        (data / "entities.yaml").read_text() + "  - {id: newco-ai, name: Newco AI, kind: company}\n"
    )
    if with_source:
        (data / "sources" / "zz-newco.yaml").write_text(
            "id: zz-newco\ntitle: Newco\nkind: blog\nclaims:\n"
            "  - {id: zz-newco-1, entity: newco-ai, topic: job-cuts, summary: Newco cuts jobs, quote: cuts, status: reported}\n"
        )
    before = digest(db_path)

    def broken(conn: sqlite3.Connection, metrics: Any) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(baseupdate, "insert_metrics", broken)
    with pytest.raises(sqlite3.OperationalError):
        baseupdate.base_update(db_path, data, _changes(data, db_path), _label(data))
    assert digest(db_path) == before
    assert [p.name for p in db_path.parent.iterdir() if p.name.endswith(".tmp")] == []


def _changes(data: Path, db_path: Path) -> Any:
    from tui.store.files import diff_corpus
    from tui.store.locate import open_readonly

    conn = open_readonly(db_path)
    try:
        return diff_corpus(conn, data)
    finally:
        conn.close()


def _label(data: Path) -> Callable[[Path], str]:
    from tui.store.files import file_label

    return file_label(data)


def test_pivot_build_full_reads_every_file_again(corpus: tuple[Path, Path], tmp_path: Path) -> None:
    """The escape hatch: --full re-reads every file from YAML and sorts every row anew."""
    data, db_path = corpus
    (data / "entities.yaml").write_text(
        (data / "entities.yaml").read_text() + "  - {id: newco-ai, name: Newco AI, kind: company}\n"
    )
    assert ensure_store(data, db_path, force=True).built.mode == "full"
    assert tables(db_path) == fresh(data, tmp_path)


GROUP_ENTITIES = """entities:
  - {id: acme, name: Acme, kind: company}
  - {id: bolt, name: Bolt, kind: company}
  - {id: crux, name: Crux, kind: company}
  - {id: trio, name: Acme and Bolt, kind: group, members: [acme, bolt]}
"""


def _figure(cid: str, entity: str, value: int) -> str:
    return (
        f"  - {{id: {cid}, entity: {entity}, topic: ai-capex, summary: {entity} spends {value}, quote: spends {value},\n"
        f"     metric: ai-capex-usd, value: {value}, unit: USD, period: '2026', status: reported}}\n"
    )


@pytest.fixture
def grouped(tmp_path: Path) -> tuple[Path, Path]:
    """A group's figure beside its members' (its check against their sum names them)."""
    data = tmp_path / "data"
    (data / "sources").mkdir(parents=True)
    (data / "entities.yaml").write_text(GROUP_ENTITIES)
    (data / "topics.yaml").write_text("topics:\n  - {id: ai-capex, label: AI capex, order: 10}\n")
    head = "id: {0}\ntitle: {0}\nkind: news\npublished: '2026-02-01'\nclaims:\n"
    (data / "sources" / "one.yaml").write_text(head.format("one") + _figure("one-trio", "trio", 100))
    (data / "sources" / "two.yaml").write_text(
        head.format("two") + _figure("two-acme", "acme", 40) + _figure("two-bolt", "bolt", 20) + _figure("two-crux", "crux", 40)
    )
    db_path = tmp_path / "store.db"
    ensure_store(data, db_path)
    assert stored(db_path, "SELECT group_relation FROM claims WHERE id = 'one-trio'") != [(None,)]
    return data, db_path


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda t: t.replace("name: Acme,", "name: Acme Renamed,"), id="a member renamed"),
        pytest.param(lambda t: t.replace("members: [acme, bolt]", "members: [acme, bolt, crux]"), id="a member added"),
        pytest.param(
            lambda t: t.replace("{id: crux, name: Crux, kind: company}", "{id: crux, name: Crux, kind: event, parent: bolt}"),
            id="a figure moved onto a member",
        ),
        pytest.param(lambda t: t.replace("kind: group, members: [acme, bolt]", "kind: industry"), id="no longer a group"),
    ],
)
def test_a_group_follows_its_members_as_a_fresh_build_does(
    grouped: tuple[Path, Path], tmp_path: Path, change: Callable[[str], str]
) -> None:
    data, db_path = grouped
    before = stored(db_path, "SELECT group_relation, group_reason, group_low, group_high FROM claims WHERE id = 'one-trio'")
    path = data / "entities.yaml"
    path.write_text(change(path.read_text()))
    ready = ensure_store(data, db_path)
    assert ready.built is not None and ready.built.base_files == ["entities.yaml"]
    after = stored(db_path, "SELECT group_relation, group_reason, group_low, group_high FROM claims WHERE id = 'one-trio'")
    assert after != before  # the change shows
    assert tables(db_path) == fresh(data, tmp_path)


def test_a_reader_holding_the_store_never_stalls_a_base_update(
    corpus: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader in the middle of a read (a pager left open): the base update waits at most
    UPDATE_WAIT, then applies the change to a copy renamed into place; the reader keeps its rows."""
    from tui.store import baseupdate
    from tui.store.locate import open_readonly
    from tui.store.lock import waits_said

    monkeypatch.setattr(baseupdate, "UPDATE_WAIT", 0.2)
    data, db_path = corpus
    reader = open_readonly(db_path)
    try:
        reader.execute("BEGIN")
        entities = reader.execute("SELECT count(*) FROM entities").fetchone()[0]
        (data / "entities.yaml").write_text(
            (data / "entities.yaml").read_text() + "  - {id: newco-ai, name: Newco AI, kind: company}\n"
        )
        said: list[str] = []
        with waits_said(said.append):
            ready = ensure_store(data, db_path)
        assert ready.built is not None and ready.built.base_files == ["entities.yaml"]
        assert any("updating a copy of it" in s for s in said), said
        assert reader.execute("SELECT count(*) FROM entities").fetchone()[0] == entities
    finally:
        reader.close()
    assert stored(db_path, "SELECT count(*) FROM entities") == [(entities + 1,)]
    assert tables(db_path) == fresh(data, tmp_path)
