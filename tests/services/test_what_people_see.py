"""What a person sees of a statement: its gap-free number (a draft: its period), an Italian seal.

Issue 7: page titles and PDF file names use the number a person knows, never the database id;
the seal's reason is Italian whatever language the pages are read in.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from reporting.verify import verify_pdf
from services import actions, exports
from services.models import ContractRate, DeliveryRecord
from tests.factories.services import ContractFactory, ServiceFactory

JAN = datetime.date(2025, 1, 1)
JAN_END = datetime.date(2025, 1, 31)


@pytest.fixture
def draft(director, qualifications):
    """A January draft of a SAD contract, with two earlier drafts so ids and numbers differ."""
    contract = ContractFactory(service=ServiceFactory(code="sad", kind="sad"))
    educatore = qualifications["educatore"]
    ContractRate.objects.create(
        contract=contract, qualification=educatore, hourly_rate=Decimal("24.50")
    )
    actions.delivery_record_save(
        record=DeliveryRecord(
            contract=contract, month=JAN, qualification=educatore, hours=Decimal("10.00")
        ),
        actor=director,
    )
    for _ in range(2):  # burn two ids
        thrown_away = actions.statement_draft_create(
            contract=contract, period_start=JAN, period_end=JAN_END, actor=director
        )
        actions.statement_draft_delete(statement=thrown_away, actor=director)
    return actions.statement_draft_create(
        contract=contract, period_start=JAN, period_end=JAN_END, actor=director
    )


@pytest.mark.django_db
def test_a_draft_is_named_by_its_period(client, draft, director):
    """The draft's page title names January 2025, not the database id."""
    client.force_login(director)
    html = client.get(reverse("services:statement_detail", kwargs={"pk": draft.pk})).content
    title = html.decode().split("<title>")[1].split("</title>")[0]
    assert "gennaio 2025" in title.lower()
    assert str(draft.pk) not in title
    assert exports.statement_filename(draft) == "rendiconto-bozza-2025-01-2025-01.pdf"


@pytest.mark.django_db
def test_an_issued_statement_is_named_by_its_number(client, draft, director, org_key, plain_static):
    """Title and downloaded file name carry the gap-free number (1), not the id."""
    statement = actions.statement_issue(statement=draft, actor=director)
    assert statement.number == 1 and statement.pk != 1
    client.force_login(director)
    html = client.get(reverse("services:statement_detail", kwargs={"pk": statement.pk}))
    title = html.content.decode().split("<title>")[1].split("</title>")[0]
    assert "Rendiconto n. 1" in title
    download = client.get(reverse("services:statement_pdf", kwargs={"pk": statement.pk}))
    assert download["Content-Disposition"] == 'attachment; filename="rendiconto-1.pdf"'
    assert statement.pdf.name.endswith("rendiconto-1.pdf")


@pytest.mark.django_db
def test_the_seal_reason_is_italian_with_the_pages_in_english(
    draft, director, org_key, plain_static
):
    """Issued with the UI in English: the PDF's seal still gives its reason in Italian."""
    reason = "Rendiconto all'Ente affidante"
    with translation.override("en"):
        # The catalogue has an English text for it, so the test can fail.
        assert translation.gettext(reason) != reason
        statement = actions.statement_issue(statement=draft, actor=director)
    with statement.pdf.open("rb") as handle:
        (signature,) = verify_pdf(handle.read()).signatures
    assert signature.reason == reason
