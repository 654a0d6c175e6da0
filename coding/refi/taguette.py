"""Taguette's own project file (.sqlite3) read into `qde.RefiProject`, placed exactly.

Taguette stores each document as sanitised HTML and each highlight as UTF-8 *byte*
offsets over the text nodes of that HTML (tags not counted, entities decoded); tags are
flat paths ("leadership.visible"), which become nested themes. The file is opened from
memory (`sqlite3.deserialize`), never written to disk.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from html.parser import HTMLParser

from coding.refi import positions
from coding.refi.importer import PlacedQuote, PlacedSource, Report, store_read
from coding.refi.qde import Code, RefiError, RefiProject, Source

SQLITE_MAGIC = b"SQLite format 3\x00"
TAGUETTE_NS = uuid.UUID("51b2b2b7-4f1c-4b0a-9a6e-2c7a6f3e1d55")
TABLES = {"projects", "documents", "tags", "highlights", "highlight_tags"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def html_text(html: str) -> str:
    """The text nodes of Taguette's HTML, in order, entities decoded (what it counts)."""
    parser = _Text()
    parser.feed(html or "")
    parser.close()
    return "".join(parser.parts)


def _open(data: bytes, label: str) -> sqlite3.Connection:
    if not data.startswith(SQLITE_MAGIC):
        raise RefiError(f"{label} is not a Taguette project file (not an SQLite database)")
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(data)
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    except sqlite3.DatabaseError:
        raise RefiError(f"{label} is a damaged SQLite database") from None
    if not TABLES <= tables:
        missing = ", ".join(sorted(TABLES - tables))
        raise RefiError(f"{label} is not a Taguette project file (no table {missing})")
    return connection


def _tag_codes(rows: list[tuple[int, str, str]]) -> tuple[list[Code], dict[int, str]]:
    """Nested codes from dotted tag paths; each tag id -> its code's GUID."""
    roots: list[Code] = []
    by_path: dict[str, Code] = {}
    tag_guid: dict[int, str] = {}
    for tag_id, path, description in sorted(rows, key=lambda r: r[1]):
        parts = [part.strip() for part in (path or "").split(".") if part.strip()] or ["tag"]
        parent = None
        for depth in range(1, len(parts) + 1):
            prefix = ".".join(parts[:depth])
            code = by_path.get(prefix)
            if code is None:
                guid = str(uuid.uuid5(TAGUETTE_NS, prefix)).upper()
                code = Code(guid=guid, name=parts[depth - 1])
                by_path[prefix] = code
                (parent.children if parent else roots).append(code)
            parent = code
        parent.description = description or parent.description
        tag_guid[tag_id] = parent.guid
    return roots, tag_guid


def _coders(connection: sqlite3.Connection) -> dict[int, str]:
    """Who made each highlight, from Taguette's command log (its only record of it)."""
    found: dict[int, str] = {}
    try:
        rows = connection.execute("SELECT user_login, payload FROM commands").fetchall()
    except sqlite3.DatabaseError:
        return found
    for login, payload in rows:
        try:
            data = json.loads(payload or "{}")
        except (TypeError, ValueError):
            continue
        if isinstance(data, dict) and str(data.get("type", "")).startswith("highlight_add"):
            if isinstance(data.get("highlight_id"), int) and login:
                found.setdefault(data["highlight_id"], str(login))
    return found


def read_taguette(
    data: bytes, label: str, report: Report, project_id: int | None = None
) -> tuple[RefiProject, list[PlacedSource]]:
    connection = _open(data, label)
    with connection:
        projects = connection.execute("SELECT id, name, description FROM projects").fetchall()
        if project_id is not None:
            projects = [row for row in projects if row[0] == project_id]
        if len(projects) != 1:
            raise RefiError(
                f"{label} holds {len(projects)} matching Taguette projects: choose one by id"
            )
        pid, name, description = projects[0]
        tags = connection.execute(
            "SELECT id, path, description FROM tags WHERE project_id = ?", (pid,)
        ).fetchall()
        codes, tag_guid = _tag_codes(tags)
        logins = _coders(connection)
        refi = RefiProject(name=name or "Taguette project", origin="Taguette",
                           description=description or "", codes=codes)  # fmt: skip
        for login in set(logins.values()):
            refi.users[_user_guid(login)] = login
        placed = []
        documents = connection.execute(
            "SELECT id, name, contents FROM documents WHERE project_id = ? ORDER BY id", (pid,)
        ).fetchall()
        for doc_id, doc_name, contents in documents:
            placed.append(
                _document(connection, doc_id, doc_name, contents, tag_guid, logins, report)
            )
    report.add("highlights", sum(len(p.quotes) for p in placed))
    return refi, [p for p in placed if p.text.strip()]


def _user_guid(login: str) -> str:
    return str(uuid.uuid5(TAGUETTE_NS, "user:" + login)).upper()


def _document(connection, doc_id, doc_name, contents, tag_guid, logins, report: Report):
    import hashlib

    raw = html_text(contents or "")
    source = Source(guid=str(uuid.uuid5(TAGUETTE_NS, f"document:{doc_id}")).upper(),
                    name=doc_name or f"Document {doc_id}")  # fmt: skip
    label = f"“{source.name}”"
    table = positions.utf8_offsets(raw)
    clean = positions.normalise(raw)
    rows = connection.execute(
        "SELECT id, start_offset, end_offset, snippet FROM highlights WHERE document_id = ?"
        " ORDER BY start_offset, id",
        (doc_id,),
    ).fetchall()
    links: dict[int, list[str]] = {}
    for highlight_id, tag_id in connection.execute(
        "SELECT highlight_id, tag_id FROM highlight_tags"
    ):
        if tag_id in tag_guid:
            links.setdefault(highlight_id, []).append(tag_guid[tag_id])
    quotes: dict[tuple[int, int, str], PlacedQuote] = {}
    for highlight_id, start, end, snippet in rows:
        where = f"{label}: highlight {highlight_id}"
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end:
            raise RefiError(f"{where} has invalid offsets ({start}–{end}); nothing was imported")
        if end > table[-1]:
            raise RefiError(
                f"{where} ({start}–{end}) is out of range (the text has {table[-1]} bytes); "
                "nothing was imported"
            )
        # Taguette rounds an offset inside a character forward (split_utf8): so do we.
        first = positions.from_units(table, start)
        last = positions.from_units(table, end)
        if first is None or last is None:
            report.notes.append(f"{where}: an offset fell inside a character; rounded forward")
            first = first if first is not None else _forward(table, start)
            last = last if last is not None else _forward(table, end)
        mapped = clean.place(first, last)
        if mapped is None or mapped[0] >= mapped[1]:
            report.skipped.append(f"{where} cannot be placed exactly; not imported")
            continue
        if snippet and html_text(snippet).strip() != raw[first:last].strip():
            report.notes.append(f"{where}: its stored snippet differs from the text it marks")
        coder = _user_guid(logins[highlight_id]) if highlight_id in logins else ""
        key = (*mapped, coder)
        codes = links.get(highlight_id, [])
        if key in quotes:
            quotes[key].codes += [c for c in codes if c not in quotes[key].codes]
        else:
            quotes[key] = PlacedQuote(f"{highlight_id}", *mapped, coder, codes, "")
    digest = hashlib.sha256(clean.text.encode("utf-8")).hexdigest()
    return PlacedSource(source, clean.text, digest, list(quotes.values()))


def _forward(table: list[int], offset: int) -> int:
    import bisect

    return bisect.bisect_left(table, offset)


def import_taguette(
    *, data: bytes, label: str, project=None, project_name: str = "", user=None,
    preview: bool = False, taguette_project: int | None = None,
) -> Report:  # fmt: skip
    """A Taguette project into aefront: documents, highlights (exactly), tags as themes."""

    report = Report(label=label, preview=preview)
    refi, placed = read_taguette(data, label, report, taguette_project)
    return store_read(refi, placed, report, project=project,
                      project_name=project_name or refi.name, user=user,
                      codebook_only=False)  # fmt: skip
