"""archive.storage against an S3-compatible endpoint started here (moto's server mode): store,
read, integrity check (OK, CHANGED, MISSING) and write-once. Not skipped: moto is a dev
requirement. No database."""

from __future__ import annotations

import hashlib
import io

import boto3
import pytest
from moto.server import ThreadedMotoServer

from archive.storage import (
    BlobConflictError,
    BlobState,
    WriteOnceS3Storage,
    archive_storage,
    blob_dispose,
    check_blob,
    open_blob,
    store,
)

BUCKET = "segrate-archivio-test"
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(settings, s3_endpoint):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="eu-south-1", **CREDENTIALS)
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-south-1"}
    )
    # Same options the settings build for ARCHIVE_STORAGE=s3; the setting_changed signal of
    # the settings fixture empties django.core.files.storage.storages' cache.
    settings.STORAGES = {
        **settings.STORAGES,
        "archive": {
            "BACKEND": "archive.storage.WriteOnceS3Storage",
            "OPTIONS": {
                "bucket_name": BUCKET,
                "endpoint_url": s3_endpoint,
                "region_name": "eu-south-1",
                "access_key": CREDENTIALS["aws_access_key_id"],
                "secret_key": CREDENTIALS["aws_secret_access_key"],
            },
        },
    }
    assert isinstance(archive_storage(), WriteOnceS3Storage)
    yield client
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for obj in page.get("Contents", ()):
            client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    client.delete_bucket(Bucket=BUCKET)


def _body(client, name: str) -> bytes:
    return client.get_object(Bucket=BUCKET, Key=name)["Body"].read()


def test_store_read_check_on_s3(s3):
    data = b"%PDF-1.7 verbale SAD " * 1000
    blob = store(io.BytesIO(data))
    digest = hashlib.sha256(data).hexdigest()
    assert (blob.sha256, blob.size) == (digest, len(data))
    assert blob.name == f"sha256/{digest[:2]}/{digest[2:4]}/{digest}"
    assert _body(s3, blob.name) == data  # really in the bucket, under that key
    with open_blob(blob.name) as f:
        assert f.read() == data
    assert check_blob(blob.name, sha256=blob.sha256, size=blob.size).state == BlobState.OK
    assert store(data) == blob
    assert store(b"altro documento").name != blob.name


def test_write_once_on_s3(s3):
    blob = store(b"scritto una volta")
    modified = s3.head_object(Bucket=BUCKET, Key=blob.name)["LastModified"]
    etag = s3.head_object(Bucket=BUCKET, Key=blob.name)["ETag"]
    assert store(b"scritto una volta") == blob  # not uploaded again
    head = s3.head_object(Bucket=BUCKET, Key=blob.name)
    assert (head["LastModified"], head["ETag"]) == (modified, etag)
    with pytest.raises(FileExistsError):
        archive_storage().save(blob.name, io.BytesIO(b"sovrascritto?"))
    assert _body(s3, blob.name) == b"scritto una volta"
    # An object altered to another size under the blob's name: refused, not rewritten.
    s3.put_object(Bucket=BUCKET, Key=blob.name, Body=b"corto")
    with pytest.raises(BlobConflictError):
        store(b"scritto una volta")
    assert _body(s3, blob.name) == b"corto"


def test_changed_and_missing_on_s3(s3):
    blob = store(b"rendiconto 2025")
    s3.put_object(Bucket=BUCKET, Key=blob.name, Body=b"rendiconto 2026")
    changed = check_blob(blob.name, sha256=blob.sha256, size=blob.size)
    assert changed.state == BlobState.CHANGED
    assert changed.actual_sha256 == hashlib.sha256(b"rendiconto 2026").hexdigest()
    s3.delete_object(Bucket=BUCKET, Key=blob.name)
    missing = check_blob(blob.name, sha256=blob.sha256, size=blob.size)
    assert (missing.state, missing.actual_sha256, missing.actual_size) == (
        BlobState.MISSING,
        None,
        None,
    )
    with pytest.raises(FileNotFoundError):
        open_blob(blob.name)


def test_blob_dispose_on_s3(s3):
    blob = store(b"da scartare")
    blob_dispose(blob.name)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0) == 0
    assert check_blob(blob.name, sha256=blob.sha256, size=blob.size).state == BlobState.MISSING


def test_large_blob_multipart_on_s3(s3):
    data = hashlib.sha256(b"seed").digest() * (12 * 1024 * 1024 // 32)  # 12 MiB: multipart
    blob = store(io.BytesIO(data))
    assert s3.head_object(Bucket=BUCKET, Key=blob.name)["ContentLength"] == len(data)
    assert check_blob(blob.name, sha256=blob.sha256, size=blob.size).state == BlobState.OK
