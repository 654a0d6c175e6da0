"""The gate for .qdpx archives: checked before anything in them is decompressed in full.

It reuses the checks `interviews.uploads` makes of .docx packages: entry count, declared
sizes and compression ratios, unsafe names (zip-slip), encryption, links. Nothing is ever
extracted to disk: entries are read into memory, within the limits.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from coding.refi.qde import RefiError
from interviews.parsing import ImportRejected
from interviews.parsing.core import Limits
from interviews.uploads import ZIP_READ_ERRORS, _check_entry, format_size, limits_from_settings


@dataclass
class Archive:
    """A checked .qdpx: its project XML and a case-insensitive index of source files."""

    label: str
    qde_name: str
    qde: bytes
    zipped: zipfile.ZipFile
    files: dict[str, zipfile.ZipInfo]  # lower-case file name -> entry

    def read_source(self, path: str) -> tuple[str, bytes | None]:
        """(entry name, bytes) for an `internal://` path, or (name, None) when missing."""
        name = path.split("://", 1)[1] if "://" in path else path
        name = name.replace("\\", "/").rsplit("/", 1)[-1]
        entry = self.files.get(name.lower())
        if entry is None:
            return name, None
        try:
            with self.zipped.open(entry) as member:
                data = member.read(entry.file_size + 1)
        except ZIP_READ_ERRORS:
            raise RefiError(f"{self.label}: the entry {entry.filename!r} is damaged") from None
        if len(data) != entry.file_size:
            raise RefiError(f"{self.label}: the entry {entry.filename!r} is not the declared size")
        return entry.filename, data


def open_archive(data: bytes, label: str, limits: Limits | None = None) -> Archive:
    """Check a .qdpx and read its .qde. Raises RefiError naming the file or the entry."""
    limits = limits or limits_from_settings()
    if len(data) > limits.max_upload_bytes:
        raise RefiError(
            f"{label} is too large ({format_size(len(data))}; the limit is "
            f"{format_size(limits.max_upload_bytes)})"
        )
    if not data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        raise RefiError(f"{label} is not a .qdpx file (it is not a ZIP archive)")
    try:
        zipped = zipfile.ZipFile(io.BytesIO(data))
        entries = zipped.infolist()
    except (zipfile.LargeZipFile, *ZIP_READ_ERRORS):
        raise RefiError(f"{label} is damaged or truncated (not a readable ZIP archive)") from None
    if len(entries) > limits.zip_max_entries:
        raise RefiError(f"{label} has too many entries ({len(entries):,})")
    names: set[str] = set()
    total = 0
    for entry in entries:
        try:
            _check_entry(entry, names, limits)
        except ImportRejected as refused:
            raise RefiError(f"{label}: entry {entry.filename[:120]!r} {refused.reason}") from None
        total += entry.file_size  # declared sizes, before anything is decompressed
        if total > limits.zip_max_total_bytes:
            raise RefiError(
                f"{label} expands too large: more than "
                f"{format_size(limits.zip_max_total_bytes)} uncompressed (entry "
                f"{entry.filename[:120]!r})"
            )
    qdes = [e for e in entries if "/" not in e.filename and e.filename.lower().endswith(".qde")]
    if len(qdes) != 1:
        found = "no" if not qdes else "more than one"
        raise RefiError(f"{label} has {found} project file (.qde) at its root")
    qde = qdes[0]
    try:
        with zipped.open(qde) as member:
            xml = member.read(qde.file_size + 1)
    except ZIP_READ_ERRORS:
        raise RefiError(f"{label}: the entry {qde.filename!r} is damaged") from None
    if len(xml) != qde.file_size:
        raise RefiError(f"{label}: the entry {qde.filename!r} is not the declared size")
    files = {}
    for entry in entries:
        parts = PurePosixPath(entry.filename).parts
        if len(parts) == 2 and parts[0].lower() == "sources" and not entry.is_dir():
            files[parts[1].lower()] = entry
        elif len(parts) == 1 and entry is not qde and not entry.is_dir():
            files.setdefault(parts[0].lower(), entry)  # a bare name (tolerated on read)
    return Archive(label=label, qde_name=qde.filename, qde=xml, zipped=zipped, files=files)
