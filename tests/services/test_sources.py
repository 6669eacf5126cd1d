"""The sources service: atomic imports, the audit trail, concurrent writers."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from cen_themes.db import open_project
from cen_themes.errors import InputError
from cen_themes.models import Event, Source
from cen_themes.nlp import SegmentSpan
from cen_themes.services import sources

from ..benchmarks.generate import write_corpus
from ..conftest import dump_database, who


def test_import_writes_one_event_with_what_undo_needs(project, tmp_path: Path) -> None:
    path = tmp_path / "int01.txt"
    path.write_text("Q: Hello?\nA: Hi.\n", encoding="utf-8")
    sources.import_files(project, [path], coder=who(project, "ann"), attributes={"group": "staff"})
    with project.read() as session:
        (event,) = session.scalars(select(Event)).all()
        source = session.scalars(select(Source)).one()
    assert event.kind == "source.import" and event.coder == who(project, "ann")
    assert event.payload["source_id"] == source.id
    assert event.payload["content_hash"] == source.content_hash
    assert event.payload["attributes"] == {"group": "staff"}
    assert "int01" in event.summary


def test_failure_while_writing_leaves_no_trace(project, tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "int01.txt"
    path.write_text("Q: Hello?\nA: Hi.\n", encoding="utf-8")
    before = dump_database(project)

    def broken(documents):  # a segment that violates the span check constraint
        return [[SegmentSpan(start=5, end=2, speaker=None, turn=0)] for _d in documents]

    monkeypatch.setattr(sources.nlp, "segment_many", broken)
    with pytest.raises(Exception, match=r"(?i)check constraint"):
        sources.import_files(project, [path], coder=who(project, "ann"))
    assert dump_database(project) == before


def test_two_writers_on_one_project_both_succeed(db_path: Path, tmp_path: Path) -> None:
    left = write_corpus(tmp_path / "left", files=8, words=800, seed=1)
    right = write_corpus(tmp_path / "right", files=8, words=800, seed=2)
    right = [p.rename(p.with_name(f"r_{p.name}")) for p in right]
    open_project(db_path).close()
    reports = {}

    def run(label: str, paths: list[Path]) -> None:
        project = open_project(db_path)
        try:
            reports[label] = sources.import_files(project, paths, coder=label)
        finally:
            project.close()

    threads = [threading.Thread(target=run, args=a) for a in (("l", left), ("r", right))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(len(r.imported) == 8 for r in reports.values())
    project = open_project(db_path)
    assert len(sources.list_sources(project)) == 16
    project.close()


def test_kind_follows_the_speakers(project, tmp_path: Path) -> None:
    texts = {
        "solo": "Only prose here. Nothing else.",
        "pair": "Q: One?\nA: Two.\n",
        "group": "[Facilitator] Hi.\n[Nurse 1] Hello.\n[Psychologist] Hey.\n",
    }
    for name, text in texts.items():
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    sources.import_files(project, [tmp_path / f"{n}.txt" for n in texts], coder=who(project, "ann"))
    kinds = {s.name: s.kind for s in sources.list_sources(project)}
    assert kinds == {"solo": "document", "pair": "interview", "group": "focus group"}


def test_overlong_or_empty_name_is_refused(project, tmp_path: Path) -> None:
    path = tmp_path / "int.txt"
    path.write_text("Some text.", encoding="utf-8")
    with pytest.raises(InputError, match="longer than 255 characters"):
        sources.import_files(project, [path], coder=who(project, "ann"), name="x" * 300)
    with pytest.raises(InputError, match="cannot be empty"):
        sources.import_files(project, [path], coder=who(project, "ann"), name="  ")
    assert sources.list_sources(project) == []
