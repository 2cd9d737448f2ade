"""archive.storage against local files (a temporary ARCHIVE_ROOT): content-addressed names,
write-once, integrity check, bounded memory. No database."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tracemalloc

import pytest

from archive.storage import (
    BLOB_FILE_MODE,
    BlobConflictError,
    BlobState,
    archive_storage,
    blob_dispose,
    blob_name,
    check_blob,
    open_blob,
    store,
)


@pytest.fixture
def archive_root(settings, tmp_path):
    root = tmp_path / "archive"
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "archive.storage.WriteOnceFileSystemStorage",
            "OPTIONS": {"location": root},
        },
    }
    return root


def test_same_bytes_same_name_different_bytes_different_name(archive_root):
    assert not archive_root.exists()  # created on the first write, not before
    first = store(b"verbale della riunione")
    again = store(io.BytesIO(b"verbale della riunione"))
    other = store(b"verbale della riunione.")
    digest = hashlib.sha256(b"verbale della riunione").hexdigest()
    assert first == again
    assert first.sha256 == digest and first.size == 22
    assert first.name == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}" == blob_name(digest)
    assert other.name != first.name
    path = archive_root / first.name
    assert path.read_bytes() == b"verbale della riunione"
    assert stat.S_IMODE(path.stat().st_mode) == BLOB_FILE_MODE
    assert [p.name for p in path.parent.iterdir()] == [digest]  # no temporary file left
    with open_blob(first.name) as blob:
        assert blob.read() == b"verbale della riunione"
    assert check_blob(first.name, sha256=first.sha256, size=first.size).state == BlobState.OK


def test_second_store_does_not_rewrite(archive_root):
    blob = store(b"x" * 5000)
    before = os.stat(archive_root / blob.name)
    assert store(io.BytesIO(b"x" * 5000)) == blob
    after = os.stat(archive_root / blob.name)
    assert (after.st_ino, after.st_mtime_ns, after.st_ctime_ns) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_ctime_ns,
    )


def test_existing_name_with_other_size_is_refused_and_kept(archive_root):
    blob = store(b"contenuto originale")
    path = archive_root / blob.name
    os.chmod(path, 0o640)
    path.write_bytes(b"troncato")
    with pytest.raises(BlobConflictError):
        store(b"contenuto originale")
    assert path.read_bytes() == b"troncato"  # not rewritten


def test_save_refuses_an_existing_name(archive_root):
    blob = store(b"una volta sola")
    storage = archive_storage()
    with pytest.raises(FileExistsError):
        storage.save(blob.name, io.BytesIO(b"altro"))
    assert (archive_root / blob.name).read_bytes() == b"una volta sola"
    assert sorted(p.name for p in (archive_root / blob.name).parent.iterdir()) == [blob.sha256]


def test_changed_and_missing(archive_root):
    blob = store(b"rendiconto 2025")
    path = archive_root / blob.name
    os.chmod(path, 0o640)
    path.write_bytes(b"rendiconto 2026")  # same size, other bytes
    changed = check_blob(blob.name, sha256=blob.sha256, size=blob.size)
    assert changed.state == BlobState.CHANGED
    assert changed.actual_sha256 == hashlib.sha256(b"rendiconto 2026").hexdigest()
    assert changed.actual_size == blob.size
    path.unlink()
    missing = check_blob(blob.name, sha256=blob.sha256, size=blob.size)
    assert (missing.state, missing.actual_sha256, missing.actual_size) == (
        BlobState.MISSING,
        None,
        None,
    )
    with pytest.raises(FileNotFoundError):
        open_blob(blob.name)


def test_blob_dispose(archive_root):
    blob = store(b"da scartare")
    blob_dispose(blob.name)
    assert not (archive_root / blob.name).exists()
    assert check_blob(blob.name, sha256=blob.sha256, size=blob.size).state == BlobState.MISSING


def test_names_outside_the_scheme_are_refused(archive_root):
    from django.core.exceptions import SuspiciousFileOperation

    for name in ("../etc/passwd", "sha256/00/00/" + "1" * 64, "sha256/ab/cd/ABCD"):
        with pytest.raises(SuspiciousFileOperation):
            check_blob(name, sha256="0" * 64, size=0)
        with pytest.raises(SuspiciousFileOperation):
            blob_dispose(name)


class _Generated(io.RawIOBase):
    """``size`` pseudo-random bytes produced on demand, never held whole in memory."""

    def __init__(self, size: int) -> None:
        self.left = size
        self.counter = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.left, 64 * 1024)
        block = b"".join(
            hashlib.sha256(f"{self.counter}-{i}".encode()).digest() for i in range(n // 32 + 1)
        )[:n]
        self.counter += 1
        buffer[:n] = block
        self.left -= n
        return n


def test_large_input_is_streamed_in_bounded_memory(archive_root):
    size = 20 * 1024 * 1024
    expected = hashlib.sha256()
    source = _Generated(size)
    while chunk := source.read(1024 * 1024):
        expected.update(chunk)
    tracemalloc.start()
    try:
        blob = store(_Generated(size))
        check = check_blob(blob.name, sha256=blob.sha256, size=blob.size)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert blob.size == size and blob.sha256 == expected.hexdigest()
    assert check.state == BlobState.OK
    assert (archive_root / blob.name).stat().st_size == size
    assert peak < 4 * 1024 * 1024, f"peak {peak} bytes"
