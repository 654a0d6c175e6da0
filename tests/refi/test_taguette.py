"""Taguette's .sqlite3 project file: highlights (UTF-8 bytes over the HTML's text)
placed exactly, tags by path as nested themes."""

from __future__ import annotations

import json
import sqlite3

import pytest

from coding.models import Quote, Theme
from coding.refi.qde import RefiError
from coding.refi.taguette import html_text, import_taguette
from interviews.models import Project

HTML = (
    "<p>What does “visible leadership” mean to you?</p>\n"
    "<p>Renée, one of our nurses, got a wall of 😩 and 🚑 emojis by midnight &amp; more.</p>"
)


def taguette_file(highlights, html=HTML) -> bytes:
    db = sqlite3.connect(":memory:")
    db.executescript(
        """
        CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT, description TEXT, created TEXT);
        CREATE TABLE documents (id INTEGER PRIMARY KEY, project_id INT, name TEXT,
            description TEXT, filename TEXT, created TEXT, text_direction TEXT, contents TEXT);
        CREATE TABLE tags (id INTEGER PRIMARY KEY, project_id INT, path TEXT, description TEXT);
        CREATE TABLE highlights (id INTEGER PRIMARY KEY, document_id INT, start_offset INT,
            end_offset INT, snippet TEXT);
        CREATE TABLE highlight_tags (highlight_id INT, tag_id INT);
        CREATE TABLE commands (id INTEGER PRIMARY KEY, date TEXT, user_login TEXT,
            project_id INT, document_id INT, payload TEXT);
        """
    )
    db.execute("INSERT INTO projects VALUES (1, 'Wellbeing', 'Staff study', '')")
    db.execute("INSERT INTO documents VALUES (1, 1, 'Nurse interview', '', 'n.html', '', 'LTR', ?)",
               (html,))  # fmt: skip
    db.execute("INSERT INTO tags VALUES (1, 1, 'leadership.visible', 'Seen on the ward')")
    db.execute("INSERT INTO tags VALUES (2, 1, 'wellbeing', '')")
    text = html_text(html)
    for number, (phrase, tags) in enumerate(highlights, start=1):
        start = len(text[: text.index(phrase)].encode())
        end = start + len(phrase.encode())
        db.execute("INSERT INTO highlights VALUES (?, 1, ?, ?, ?)", (number, start, end, phrase))
        for tag in tags:
            db.execute("INSERT INTO highlight_tags VALUES (?, ?)", (number, tag))
        payload = json.dumps({"type": "highlight_add", "highlight_id": number})
        db.execute("INSERT INTO commands VALUES (NULL, '', 'remi', 1, 1, ?)", (payload,))
    db.commit()
    return db.serialize()


def test_highlights_are_placed_exactly(db, project_admin):
    phrases = [
        ("“visible leadership”", [1]),
        ("a wall of 😩 and 🚑 emojis", [2, 1]),
        ("Renée, one of our nurses", [2]),
        ("midnight & more", []),
    ]
    report = import_taguette(data=taguette_file(phrases), label="t.sqlite3",
                             project_name="From Taguette", user=project_admin)  # fmt: skip
    project = Project.objects.get(name="From Taguette")
    quotes = {q.text: q for q in Quote.objects.filter(transcript__project=project)}
    assert set(quotes) == {phrase for phrase, _tags in phrases}
    assert set(quotes["a wall of 😩 and 🚑 emojis"].themes.names()) == {"visible", "wellbeing"}
    assert quotes["midnight & more"].coder.first_name == "remi"
    visible = Theme.objects.get(project=project, name="visible")
    assert visible.parent.name == "leadership" and visible.description == "Seen on the ward"
    assert report.counts["quotes"] == 4 and not report.skipped


def test_out_of_range_highlight_is_refused(db):
    data = taguette_file([("nurses", [1])])
    connection = sqlite3.connect(":memory:")
    connection.deserialize(data)
    connection.execute("UPDATE highlights SET end_offset = 99999")
    connection.commit()
    with pytest.raises(RefiError) as refused:
        import_taguette(data=connection.serialize(), label="t.sqlite3", project_name="X")
    assert "out of range" in refused.value.reason
    assert not Project.objects.filter(name="X").exists()


@pytest.mark.parametrize("data", [b"not sqlite", b"SQLite format 3\x00" + b"\x00" * 200])
def test_not_a_taguette_file(db, data):
    with pytest.raises(RefiError) as refused:
        import_taguette(data=data, label="t.sqlite3", project_name="X")
    assert "t.sqlite3" in refused.value.reason
    assert not Project.objects.filter(name="X").exists()
