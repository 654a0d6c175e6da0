"""Backups that can be restored: the database and the uploaded files, with a manifest.

A backup is one folder:
- `database.dump` (PostgreSQL: `pg_dump --format=custom`) or `database.sqlite3`
  (SQLite: the online backup API, consistent while coders keep saving);
- `media/`: every file under MEDIA_ROOT (originals and recordings);
- `objects/`: with an object store (AWS_STORAGE_BUCKET_NAME), every object in it, under
  its key;
- `manifest.json`: the sha256 and size of every file above, and per table its row count
  and a checksum of its rows, taken inside the dump's snapshot on PostgreSQL.

`restore` checks every sha256 before it touches anything, refuses a database that already
holds data, loads the dump, copies the files back, and then compares every table's count
and checksum with the manifest. The commands (`manage.py backup`, `manage.py restore`)
are thin wrappers; a refusal is a `BackupError` with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.utils import timezone

FORMAT = 1
MANIFEST = "manifest.json"
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why."""


@dataclass(frozen=True)
class TableState:
    rows: int
    checksum: str


# --- what the database holds ---------------------------------------------------------------


def table_states() -> dict[str, TableState]:
    """Every Django table's row count and a sha256 of its rows in primary-key order."""
    states = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.django_table_names(only_existing=True)):
            name = connection.ops.quote_name(table)
            key = connection.introspection.get_primary_key_column(cursor, table)
            order = connection.ops.quote_name(key) if key else "1"
            cursor.execute(f"SELECT * FROM {name} ORDER BY {order}")  # noqa: S608
            digest, rows = hashlib.sha256(), 0
            while batch := cursor.fetchmany(2000):
                for row in batch:
                    digest.update(repr(tuple(_plain(value) for value in row)).encode())
                rows += len(batch)
            states[table] = TableState(rows, digest.hexdigest())
    return states


def _plain(value):
    """The same value whichever driver type holds it (memoryview and bytes alike)."""
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def holds_data() -> bool:
    """Whether any Django table other than the migration log has a row."""
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone():
                return True
    return False


# --- files -----------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entries(root: Path, under: Path) -> dict[str, dict]:
    return {
        str(path.relative_to(under)): {"sha256": sha256_of(path), "bytes": path.stat().st_size}
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


# --- backup ----------------------------------------------------------------------------


def backup(destination: Path) -> Path:
    """Write a new backup folder under `destination`; returns its path."""
    destination = Path(destination)
    folder = destination / f"aefront-{timezone.now():%Y%m%d-%H%M%S}"
    if folder.exists():
        raise BackupError(f"{folder}: exists already; wait a second and try again.")
    folder.mkdir(parents=True)
    try:
        if connection.vendor == "postgresql":
            tables = _dump_postgres(folder / "database.dump")
        else:
            tables = _copy_sqlite(folder / "database.sqlite3")
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir():
            shutil.copytree(media, folder / "media", symlinks=False)
        if uses_object_store():
            _copy_objects(folder / OBJECTS)
        files = _file_entries(folder, folder)
        manifest = {
            "format": FORMAT,
            "created": timezone.now().isoformat(),
            "database": connection.vendor,
            "tables": {name: vars(state) for name, state in tables.items()},
            "files": files,
        }
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return folder


def _dump_postgres(target: Path) -> dict[str, TableState]:
    """pg_dump of the snapshot that the table states are read in, so the two agree."""
    with connection.cursor() as cursor:  # a transaction whose snapshot pg_dump shares
        connection.set_autocommit(False)
        try:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", "--file", str(target)])
            tables = table_states()
        finally:
            connection.rollback()
            connection.set_autocommit(True)
    return tables


def _copy_sqlite(target: Path) -> dict[str, TableState]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    return table_states()


# --- the object store ----------------------------------------------------------------------

OBJECTS = "objects"


def uses_object_store() -> bool:
    return not isinstance(_store(), FileSystemStorage)


def _store():
    from django.core.files.storage import storages

    return storages["default"]


def object_keys(prefix: str = "") -> list[str]:
    """Every key in the store, through the storage's own listing (folders walked)."""
    store = _store()
    folders, files = store.listdir(prefix)
    keys = [f"{prefix}{name}" for name in files]
    for folder in folders:
        keys += object_keys(f"{prefix}{folder}/")
    return sorted(keys)


def _copy_objects(target: Path) -> None:
    store = _store()
    for key in object_keys():
        path = target / key
        if ".." in Path(key).parts or not path.resolve().is_relative_to(target.resolve()):
            raise BackupError(f"object {key!r}: a key outside the backup folder; not copied.")
        path.parent.mkdir(parents=True, exist_ok=True)
        with store.open(key, "rb") as source, path.open("wb") as out:
            shutil.copyfileobj(source, out, CHUNK)


def _restore_objects(folder: Path, names: list[str]) -> None:
    from django.core.files import File

    store = _store()
    for name in names:
        key = name[len(OBJECTS) + 1 :]
        with (folder / name).open("rb") as handle:
            saved = store.save(key, File(handle))
        if saved != key:
            raise BackupError(f"object {key!r}: the store saved it as {saved!r}.")


# --- restore ---------------------------------------------------------------------------


def newest_backup(directory: Path) -> Path:
    """The most recent backup folder under `directory` (their names sort by time)."""
    found = sorted(directory.glob("aefront-*/" + MANIFEST)) if directory.is_dir() else []
    if not found:
        raise BackupError(f"{directory}: holds no backup; name the folder to restore.")
    return found[-1].parent


def read_manifest(folder: Path) -> dict:
    """The manifest, once every file it names matches its sha256."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupError(f"{path}: no manifest: this is not an aefront backup.") from None
    except (ValueError, UnicodeDecodeError):
        raise BackupError(f"{path}: the manifest is damaged (not JSON).") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}.")
    for name, entry in manifest["files"].items():
        file = Path(folder) / name
        if not file.is_file():
            raise BackupError(f"{file}: missing from the backup.")
        if sha256_of(file) != entry["sha256"]:
            raise BackupError(f"{file}: its sha256 does not match the manifest (damaged).")
    return manifest


def restore(folder: Path) -> dict[str, TableState]:
    """Load a checked backup into the configured, empty database and MEDIA_ROOT."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    if manifest["database"] != connection.vendor:
        raise BackupError(
            f"{folder}: a {manifest['database']} backup cannot be restored into "
            f"{connection.vendor}."
        )
    objects = [n for n in manifest["files"] if n.startswith(OBJECTS + "/")]
    if objects and not uses_object_store():
        raise BackupError(
            f"{folder}: holds {len(objects)} object(s) of an object store; set "
            "AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL) to restore them into one."
        )
    if holds_data():
        raise BackupError("The database already holds data: restore into a new, empty database.")
    media = Path(settings.MEDIA_ROOT)
    clashes = [n for n in manifest["files"] if n.startswith("media/") and (media / n[6:]).exists()]
    if clashes:
        raise BackupError(f"{media / clashes[0][6:]}: exists already in MEDIA_ROOT.")
    taken = [n for n in objects if _store().exists(n[len(OBJECTS) + 1 :])]
    if taken:
        raise BackupError(f"object {taken[0][len(OBJECTS) + 1 :]!r}: exists already in the store.")
    if connection.vendor == "postgresql":
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--exit-on-error",
              "--single-transaction", "--dbname", _dbname(), str(folder / "database.dump")])  # fmt: skip
    else:
        _load_sqlite(folder / "database.sqlite3")
    for name in manifest["files"]:
        if name.startswith("media/"):
            target = media / name[len("media/") :]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(folder / name, target)
    _restore_objects(folder, objects)
    return _verified(manifest)


def _load_sqlite(source: Path) -> None:
    connection.close()
    copy = sqlite3.connect(source)
    try:
        connection.ensure_connection()
        copy.backup(connection.connection)
    finally:
        copy.close()


def _verified(manifest: dict) -> dict[str, TableState]:
    states = table_states()
    for table, expected in manifest["tables"].items():
        found = states.get(table)
        if found is None or vars(found) != expected:
            raise BackupError(
                f"{table}: after the restore it holds {found.rows if found else 0} rows, "
                f"the backup {expected['rows']} (or their checksums differ)."
            )
    return states


# --- PostgreSQL client tools -----------------------------------------------------------------


def _dbname() -> str:
    return connection.settings_dict["NAME"]


def _run(command: list[str]) -> None:
    """pg_dump or pg_restore against the configured database; the password goes through
    the environment, never the command line."""
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    env |= {"PGHOST": db.get("HOST") or "", "PGPORT": str(db.get("PORT") or "5432")}
    env |= {"PGUSER": db.get("USER") or "", "PGDATABASE": db["NAME"]}
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed (Debian: postgresql-client).") from None
    if done.returncode:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{command[0]} failed: {last}")
