"""The archive's forms survive hostile input (issue 6, item 6, through the same machinery as
tests/project/test_hostile_input.py): every field of the upload and new-version forms, in
turn, gets an extreme date, 100,000 characters, a right-to-left override or a huge number,
with a valid file attached. Each answer is the form again with an Italian error and nothing
saved (no row, no new file), or a success that stored only plausible values; never a 500.
The new-version form has only its file, whose refusals tests/archive/test_bad_input.py
covers."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from archive.models import Document, DocumentVersion
from tests.archive.permission_table import text_upload
from tests.project.test_hostile_input import ERROR_MARKERS, _forms_of, _hostile_values, _mutable

pytestmark = pytest.mark.django_db


def _stored_files(storage_root) -> set[str]:
    return {str(path) for path in storage_root.rglob("*") if path.is_file()}


def _rows():
    return (
        list(Document.objects.order_by("pk").values_list("pk", "title", "reference_date")),
        DocumentVersion.objects.count(),
    )


BASELINES = {
    "archive:document_create": lambda docs, ctx: {
        "title": "Verbale ostile",
        "document_class": str(docs["classes"]["verbali"].pk),
        "sector": str(ctx["services"]["simf"].pk),
        "reference_date": "2025-04-10",
        "formation": "b",
    },
}


@pytest.mark.parametrize("name", sorted(BASELINES))
def test_every_archive_form_survives_hostile_input(name, client, docs, ctx, archive_root):
    client.force_login(ctx["users"][Role.DIRETTORE])
    url = reverse(name)
    [form] = [
        form
        for form in _forms_of(client.get(url).content.decode())
        if form["method"] == "post" and form["action"] in ("", url)
    ]
    baseline = {field["name"]: field["value"] for field in form["fields"]}
    baseline.update(BASELINES[name](docs, ctx))
    tried = 0
    for field in filter(_mutable, form["fields"]):
        for value in _hostile_values(field):
            before, files = _rows(), _stored_files(archive_root)
            data = {
                **baseline,
                field["name"]: value,
                "upload": text_upload("ostile.txt", f"x{tried}"),
            }
            response = client.post(url, data)
            tried += 1
            assert response.status_code in (200, 302), f"{field['name']}={value[:20]!r}"
            if response.status_code == 200:
                html = response.content.decode()
                assert any(marker in html for marker in ERROR_MARKERS), field["name"]
                assert _rows() == before, f"{field['name']}: a refused form saved something"
                assert _stored_files(archive_root) == files, f"{field['name']}: a file was stored"
    assert tried > 0
    # The baseline itself is accepted: every refusal above was the hostile value's.
    response = client.post(url, {**baseline, "upload": text_upload("buono.txt", "valido")})
    assert response.status_code == 302
