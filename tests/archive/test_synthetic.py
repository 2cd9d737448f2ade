"""``generate_synthetic`` fills the archive through the real database rules (issue 9)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from archive.models import Document, DocumentLink, DocumentVersion
from archive.storage import check_blob
from archive.synthetic import EXPIRED_PER_SERVICE, PER_SERVICE_YEAR

pytestmark = pytest.mark.django_db


def test_synthetic_documents_pass_the_triggers_and_name_real_files(roles):
    """At a tiny scale: the promised number of documents, versions numbered 1..n by the
    version_numbered trigger, every file present with its hash, minutes linked to meetings,
    some documents past retention, and the triggers still refuse a wrong version number."""
    out = StringIO()
    call_command("generate_synthetic", years=1, services=2, prefix="a", stdout=out)
    assert "documenti archiviati" in out.getvalue()
    documents = Document.objects.filter(service__code__startswith="a-")
    assert documents.count() == 2 * (PER_SERVICE_YEAR + EXPIRED_PER_SERVICE)
    numbers = DocumentVersion.objects.filter(document__in=documents).values("document")
    numbers = numbers.annotate(n=Count("pk"), low=Min("number"), high=Max("number"))
    assert all(row["low"] == 1 and row["high"] == row["n"] for row in numbers)
    assert any(row["n"] == 2 for row in numbers)
    versions = DocumentVersion.objects.filter(document__in=documents)
    blobs = set(versions.values_list("blob_name", "sha256", "size"))
    assert len(blobs) < 50  # shared by content address
    assert all(check_blob(name, sha256=sha, size=size).state == "ok" for name, sha, size in blobs)
    assert DocumentLink.objects.filter(document__in=documents).exists()
    today = timezone.localdate()
    assert documents.filter(keep_until__lt=today).count() >= 2 * EXPIRED_PER_SERVICE
    version = versions.filter(number=1).select_related("document").first()
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentVersion.objects.create(
            **{
                field: getattr(version, field)
                for field in (
                    "document",
                    "blob_name",
                    "sha256",
                    "size",
                    "content_type",
                    "kind",
                    "original_name",
                    "stored_by",
                    "metadata",
                )
            },
            number=7,
        )
