"""Where the archive's files live: write-once, content-addressed blobs behind Django's storage API.

Every stored file is named after its SHA-256 (``sha256/ab/cd/<64 hex>``), written once and never
rewritten. The storage is ``STORAGES["archive"]``: local files under ``ARCHIVE_ROOT`` by default,
an S3-compatible bucket with ``ARCHIVE_STORAGE=s3`` (settings and README). Both backends below
refuse to save under a name that exists: no suffixed alternative name, no overwrite.

The functions of this module are the only way the archive touches its files: :func:`store`
(the only write), :func:`open_blob`, :func:`check_blob` (integrity) and :func:`blob_dispose` (the
only delete, for the disposal action). Each streams in chunks of :data:`CHUNK_SIZE`, so memory
stays bounded whatever the size of the file.
"""

from __future__ import annotations

import enum
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from boto3.s3.transfer import TransferConfig  # type: ignore[import-untyped]  # no stubs
from django.core.exceptions import ImproperlyConfigured, SuspiciousFileOperation
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.db import connection
from storages.backends.s3 import S3Storage  # type: ignore[import-untyped]  # no stubs

#: Bytes read, hashed and written at a time.
CHUNK_SIZE = 1024 * 1024
#: Read-only for the owner and the group once written (local files).
BLOB_FILE_MODE = 0o440
_NAME_RE = re.compile(r"sha256/([0-9a-f]{2})/([0-9a-f]{2})/([0-9a-f]{64})")


class BlobConflictError(Exception):
    """A blob's name exists with other content than the bytes being stored."""


@dataclass(frozen=True)
class StoredBlob:
    """A stored file: its storage name (content-addressed), SHA-256 (lowercase hex), size."""

    name: str
    sha256: str
    size: int


class BlobState(enum.StrEnum):
    OK = "ok"
    MISSING = "missing"
    CHANGED = "changed"


@dataclass(frozen=True)
class BlobCheck:
    """Result of re-hashing one blob; ``actual_*`` are None when the file is missing."""

    name: str
    state: BlobState
    actual_sha256: str | None
    actual_size: int | None


def blob_name(sha256: str) -> str:
    """The storage name of the content whose SHA-256 is ``sha256``."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"Not a lowercase hex SHA-256: {sha256!r}")
    return f"sha256/{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _check_name(name: str) -> str:
    match = _NAME_RE.fullmatch(name)
    if not match or match[3][:2] != match[1] or match[3][2:4] != match[2]:
        raise SuspiciousFileOperation(f"Not an archive blob name: {name!r}")
    return name


class WriteOnceMixin:
    """``save`` refuses a name that exists instead of choosing another one or overwriting."""

    if TYPE_CHECKING:

        def exists(self, name: str) -> bool: ...

    def get_available_name(self, name: str, max_length: int | None = None) -> str:
        if max_length is not None and len(name) > max_length:
            raise SuspiciousFileOperation(f"Storage name longer than {max_length}: {name!r}")
        if self.exists(name):
            raise FileExistsError(f"Archive blob exists, refusing to write it again: {name}")
        return name


class WriteOnceFileSystemStorage(WriteOnceMixin, FileSystemStorage):
    """Local files, written once: the bytes go to a temporary file beside the target, made
    read-only (``BLOB_FILE_MODE``), then hard-linked to the final name, which fails when the
    name exists. So a name never shows half a file and is never overwritten, even by two
    writers at once. The directory is created on the first write."""

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.pop("allow_overwrite", False):
            raise ImproperlyConfigured("The archive storage never overwrites a file.")
        kwargs.setdefault("file_permissions_mode", BLOB_FILE_MODE)
        super().__init__(allow_overwrite=False, **kwargs)

    def _save(self, name: str, content: File[Any]) -> str:
        full_path = self.path(name)
        directory = os.path.dirname(full_path)
        os.makedirs(directory, exist_ok=True)
        fd, tmp_path = tempfile.mkstemp(prefix=".incoming-", dir=directory)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in content.chunks(CHUNK_SIZE):
                    out.write(chunk if isinstance(chunk, bytes) else chunk.encode())
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp_path, self.file_permissions_mode or BLOB_FILE_MODE)
            # Atomic, and raises FileExistsError when the name exists (never replaces it).
            os.link(tmp_path, full_path)
        finally:
            os.unlink(tmp_path)
        # Same group as the root, like FileSystemStorage (a private helper the stubs lack).
        ensure_group = getattr(self, "_ensure_location_group_id", None)
        if ensure_group is not None:
            ensure_group(full_path)
        return os.path.relpath(full_path, self.location).replace("\\", "/")


class WriteOnceS3Storage(WriteOnceMixin, S3Storage):
    """An S3-compatible bucket, written once: ``file_overwrite`` is forced off and ``save``
    checks that the key does not exist before uploading. Names are content-addressed, so two
    writers racing past the check upload the same bytes. Reads spill to a temporary file past
    ``CHUNK_SIZE`` and uploads run two parts at a time, so memory stays bounded."""

    def __init__(self, **kwargs: Any) -> None:
        if kwargs.pop("file_overwrite", False):
            raise ImproperlyConfigured("The archive storage never overwrites a file.")
        kwargs.setdefault("max_memory_size", CHUNK_SIZE)
        kwargs.setdefault(
            "transfer_config",
            TransferConfig(multipart_chunksize=8 * CHUNK_SIZE, max_concurrency=2),
        )
        super().__init__(file_overwrite=False, **kwargs)

    def _save(self, name: str, content: File[Any]) -> str:
        # Checked again here: S3Storage.save is not the only caller of _save in django-storages.
        if self.exists(name):
            raise FileExistsError(f"Archive blob exists, refusing to write it again: {name}")
        saved: str = super()._save(name, content)
        return saved


def archive_storage() -> Storage:
    """The archive's storage, ``STORAGES["archive"]``."""
    return storages["archive"]


def _chunks(source: IO[bytes]) -> Iterator[bytes]:
    while chunk := source.read(CHUNK_SIZE):
        if not isinstance(chunk, bytes):
            raise TypeError("The archive stores bytes: open the file in binary mode.")
        yield chunk


# The namespace of the blobs' advisory locks (the second key is the name's hash).
BLOB_LOCK_NAMESPACE = 72061


def lock_blob(name: str, *, exclusive: bool) -> None:
    """Lock the blob ``name`` until the end of the transaction: shared while a version that
    names it is being stored, exclusive while its file is being disposed of, so that a
    disposal never removes the file of a version not yet committed."""
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {function}(%s, hashtext(%s))", [BLOB_LOCK_NAMESPACE, name])


def store(content: IO[bytes] | bytes) -> StoredBlob:
    """Store ``content`` once under its content-addressed name; return the blob.

    The bytes are hashed while they are copied, in chunks, to a private temporary file, and
    that file (whose bytes cannot change under us) is what is written. When the name exists
    already, nothing is written: the existing file must have the same size, otherwise
    :class:`BlobConflictError` is raised (the integrity check tells whether it was altered).
    """
    storage = archive_storage()
    with tempfile.TemporaryFile() as spool:
        digest = hashlib.sha256()
        size = 0
        if isinstance(content, bytes | bytearray | memoryview):
            data = bytes(content)
            digest.update(data)
            spool.write(data)
            size = len(data)
        else:
            for chunk in _chunks(content):
                digest.update(chunk)
                spool.write(chunk)
                size += len(chunk)
        blob = StoredBlob(name=blob_name(digest.hexdigest()), sha256=digest.hexdigest(), size=size)
        if connection.in_atomic_block:
            # Until the version naming it commits, no disposal removes this file; one that
            # is removing it now finishes first, and the file is then written again below.
            lock_blob(blob.name, exclusive=False)
        if not storage.exists(blob.name):
            spool.seek(0)
            try:
                saved = storage.save(blob.name, File(spool, name=blob.name))
            except FileExistsError:
                pass  # written meanwhile by another process: compared below
            else:
                if saved != blob.name:
                    raise BlobConflictError(f"Storage saved {blob.name} as {saved}")
                return blob
    existing = storage.size(blob.name)
    if existing != blob.size:
        raise BlobConflictError(
            f"{blob.name} exists with {existing} bytes instead of {blob.size}: not rewritten."
        )
    # Same size is not same bytes: a file altered in place must not be named by a new version.
    digest = hashlib.sha256()
    with storage.open(blob.name, "rb") as source:
        for chunk in _chunks(source):
            digest.update(chunk)
    if digest.hexdigest() != blob.sha256:
        raise BlobConflictError(
            f"{blob.name} exists with other bytes (SHA-256 {digest.hexdigest()}): not rewritten."
        )
    return blob


def open_blob(name: str) -> IO[bytes]:
    """The stored file ``name``, opened read-only in binary mode (the caller closes it).
    Raises FileNotFoundError when it is missing."""
    storage = archive_storage()
    _check_name(name)
    if not storage.exists(name):
        raise FileNotFoundError(f"Archive blob missing: {name}")
    file: IO[bytes] = storage.open(name, "rb")
    return file


def check_blob(name: str, *, sha256: str, size: int) -> BlobCheck:
    """Re-hash the stored file ``name`` in chunks and compare it with the recorded hash and
    size: OK, CHANGED (other bytes) or MISSING (no file)."""
    storage = archive_storage()
    _check_name(name)
    try:
        if not storage.exists(name):
            raise FileNotFoundError(name)
        digest = hashlib.sha256()
        actual_size = 0
        with storage.open(name, "rb") as source:
            for chunk in _chunks(source):
                digest.update(chunk)
                actual_size += len(chunk)
    except FileNotFoundError:
        return BlobCheck(name=name, state=BlobState.MISSING, actual_sha256=None, actual_size=None)
    actual = digest.hexdigest()
    state = BlobState.OK if (actual, actual_size) == (sha256.lower(), size) else BlobState.CHANGED
    return BlobCheck(name=name, state=state, actual_sha256=actual, actual_size=actual_size)


def blob_exists(name: str) -> bool:
    """Whether the stored file ``name`` is in the storage (the integrity check asks it of the
    files of disposed documents, which must be gone)."""
    return archive_storage().exists(_check_name(name))


def blob_dispose(name: str) -> None:
    """Remove the stored file ``name``: the only delete of the archive.

    Called only by the disposal action (``archive.actions.disposal``), after the commit of an
    approved disposal, and only for a name that no version of a kept document names (names
    are content-addressed: another document may hold the same bytes). The document's record,
    its hashes and the disposal record stay. A file already missing is not an error (the
    disposal may be run again). Nothing else removes a stored file.
    """
    archive_storage().delete(_check_name(name))
