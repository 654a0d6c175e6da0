"""Shared helpers of the REFI-QDA tests: the real samples, the schemas, small archives.

The samples and schemas live in `../shared/refi` beside the repository (CI lays a copy
there too); REFI_SAMPLES points elsewhere. Outside CI, tests that need them skip when
the folder is missing; under CI=true a skip fails (tests/conftest.py).
"""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("REFI_SAMPLES") or ROOT.parent / "shared" / "refi")
NVIVO = "samples/nvivo-win-12.6_oltas0517.qdpx"
ATLAS = "samples/atlasti-8.4-mac_spec-example-2.qdpx"


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} is not here (set REFI_SAMPLES to the shared/refi folder)")
    return path


def schema(name: str):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(shared(name))))


def assert_valid(xml: bytes, name: str = "Project.xsd") -> None:
    from lxml import etree

    checker = schema(name)
    document = etree.fromstring(xml)
    assert checker.validate(document), checker.error_log


def qdpx(qde: bytes | str, files: dict[str, bytes] | None = None, qde_name="project.qde"):
    """A .qdpx archive built in memory."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(qde_name, qde.encode() if isinstance(qde, str) else qde)
        for name, data in (files or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}
