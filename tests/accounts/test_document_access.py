"""Every download of a PDF or XLSX is recorded (who, when, which document, which format).

The record is append-only: the database refuses to change or remove it, as for audit events.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError, IntegrityError
from django.urls import reverse
from django.utils import timezone
from pghistory.models import Events

from accounts.actions import document_access_record
from accounts.models import DocumentAccess
from accounts.roles import Role
from tests.factories.budgets import cost_categories, draft_budget

pytestmark = pytest.mark.django_db

# Refused by the trigger, or before it by the application role's missing privilege when the
# tests connect as that role.
APPEND_ONLY = r"Cannot update or delete rows|permission denied"
TRUNCATE_REFUSED = r"TRUNCATE non consentito|permission denied"


def downloaded_filename(response) -> str:
    (name,) = re.findall(r'filename="([^"]+)"', response["Content-Disposition"])
    return name


def only_access() -> DocumentAccess:
    (access,) = DocumentAccess.objects.all()
    return access


@pytest.fixture
def budget(services, qualifications):
    cost_categories()
    return draft_budget(
        service=services["simf"],
        year=timezone.localdate().year,
        actor=services["coord_simf"],
        qualification=qualifications["educatore"],
    )


@pytest.fixture
def statement(services, role_users):
    """An issued statement of SIMF (its PDF stored), by the Direttore."""
    from tests.services.permission_table import build_service_objects

    return build_service_objects(services, role_users[Role.DIRETTORE])["simf"]["issued"]


@pytest.mark.parametrize(
    ("route", "kind"), [("budgets:version_pdf", "pdf"), ("budgets:version_xlsx", "xlsx")]
)
def test_a_budget_download_is_recorded(client, budget, services, route, kind):
    """The budget PDF and XLSX record the user, the version, the format and the file name."""
    coordinator = services["coord_simf"]
    client.force_login(coordinator)

    response = client.get(reverse(route, args=[budget.pk]))

    assert response.status_code == 200
    access = only_access()
    assert access.user == coordinator
    assert access.document == budget
    assert access.content_type == ContentType.objects.get_for_model(budget)
    assert access.kind == kind
    assert access.filename == downloaded_filename(response)
    assert access.filename.endswith(f".{kind}")
    assert access.accessed_at is not None
    assert abs(access.accessed_at - timezone.now()) < datetime.timedelta(minutes=5)


def test_a_statement_download_is_recorded(client, statement, role_users):
    """The sealed statement PDF records who downloaded which statement."""
    au = role_users[Role.AMMINISTRATORE_UNICO]
    client.force_login(au)

    response = client.get(reverse("services:statement_pdf", kwargs={"pk": statement.pk}))

    assert response.status_code == 200
    b"".join(response.streaming_content)
    access = only_access()
    assert (access.user, access.document, access.kind) == (au, statement, "pdf")
    assert access.filename == f"rendiconto-{statement.number}.pdf"  # the number people know
    assert access.filename in response["Content-Disposition"]


def test_the_download_appears_in_the_registro_with_its_user(client, budget, services):
    """The access row is itself audited: an insert whose context names the user."""
    coordinator = services["coord_simf"]
    client.force_login(coordinator)
    client.get(reverse("budgets:version_pdf", args=[budget.pk]))
    access = only_access()

    (event,) = Events.objects.filter(pgh_obj_model="accounts.DocumentAccess")
    assert event.pgh_label == "insert"
    assert event.pgh_obj_id == str(access.pk)
    assert event.pgh_data["filename"] == access.filename
    assert event.pgh_context["user"] == coordinator.pk
    assert event.pgh_context["username"] == coordinator.username


def test_the_registro_shows_the_download_in_italian(client, budget, services, role_users):
    """The Registro reads 'Documento scaricato', with the file name and the user."""
    coordinator = services["coord_simf"]
    client.force_login(coordinator)
    client.get(reverse("budgets:version_xlsx", args=[budget.pk]))
    filename = only_access().filename
    client.force_login(role_users[Role.ODV])

    response = client.get(
        reverse("accounts:audit_event_list"), {"model": "accounts.DocumentAccess"}
    )

    (row,) = response.context["rows"]
    assert row.operation == "Documento scaricato"
    assert row.who == coordinator.username
    assert filename in row.record
    assert ("utente", coordinator.username) in row.values
    assert ("formato", "xlsx") in row.values


def test_a_refused_download_records_nothing(client, budget, services):
    """A user who may not see the document gets 404 and leaves no access row."""
    client.force_login(services["coord_sad"])

    for route in ("budgets:version_pdf", "budgets:version_xlsx"):
        assert client.get(reverse(route, args=[budget.pk])).status_code == 404
    assert not DocumentAccess.objects.exists()


def test_a_statement_that_is_not_issued_records_nothing(client, services, role_users):
    """A draft has no PDF (404), so no access is recorded."""
    from tests.services.permission_table import build_service_objects

    draft = build_service_objects(services, role_users[Role.DIRETTORE])["simf"]["draft"]
    client.force_login(role_users[Role.DIRETTORE])

    response = client.get(reverse("services:statement_pdf", kwargs={"pk": draft.pk}))

    assert response.status_code == 404
    assert not DocumentAccess.objects.exists()


def test_an_unknown_format_is_refused_and_nothing_is_saved(budget, services):
    """The action validates the format; the database check backs it."""
    with pytest.raises(ValidationError):
        document_access_record(
            actor=services["coord_simf"], obj=budget, kind="docx", filename="budget.docx"
        )
    assert not DocumentAccess.objects.exists()

    with pytest.raises(IntegrityError, match="documentaccess_kind_known"), transaction.atomic():
        DocumentAccess.objects.create(
            user=services["coord_simf"],
            content_type=ContentType.objects.get_for_model(budget),
            object_id=str(budget.pk),
            kind="docx",
            filename="budget.docx",
        )
    assert not DocumentAccess.objects.exists()


# -- Append-only --------------------------------------------------------------------------------


@pytest.fixture
def access(budget, services):
    return document_access_record(
        actor=services["coord_simf"], obj=budget, kind="pdf", filename="budget.pdf"
    )


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _rows() -> list[dict]:
    return list(DocumentAccess.objects.order_by("pk").values())


def test_an_access_cannot_be_updated(access, role_users):
    """ORM save, QuerySet.update() and raw SQL UPDATE are refused; the row stays as it was."""
    before = _rows()
    access.user = role_users[Role.ODV]
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        access.save()
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        DocumentAccess.objects.filter(pk=access.pk).update(filename="altro.pdf")
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        sql(
            "UPDATE accounts_documentaccess SET accessed_at = %s",
            [timezone.now() - datetime.timedelta(days=365)],
        )
    assert _rows() == before


def test_an_access_cannot_be_deleted(access):
    """Model.delete(), QuerySet.delete() and raw DELETE are refused; the row stays."""
    before = _rows()
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        access.delete()
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        DocumentAccess.objects.all().delete()
    with pytest.raises(DatabaseError, match=APPEND_ONLY), transaction.atomic():
        sql("DELETE FROM accounts_documentaccess")
    assert _rows() == before


def test_the_access_table_cannot_be_truncated(access):
    """TRUNCATE is refused unless the test-only session flag is on."""
    with pytest.raises(DatabaseError, match=TRUNCATE_REFUSED), transaction.atomic():
        # The insert's foreign-key checks are deferred; PostgreSQL will not TRUNCATE a table
        # with pending checks, so run them first and let the append-only trigger answer.
        sql("SET CONSTRAINTS ALL IMMEDIATE")
        sql("SET LOCAL segrate.allow_truncate = 'off'")
        sql("TRUNCATE accounts_documentaccess")
    assert _rows() != []
