"""Budget documents: the sealed PDF (checked with poppler) and the XLSX workbook."""

import subprocess
from decimal import Decimal
from io import BytesIO
from unittest.mock import patch

from django.urls import reverse
from openpyxl import load_workbook

from budgets import actions, exports
from tests.factories.budgets import add_other_cost
from tests.reporting.pdfa_checks import assert_sealed_pdfa

# simf_draft's hour plan: 2 educatori × 30 h/week × 46 weeks = 2.760 h × 24,50 €/h
HOUR_PLAN = Decimal("67620.00")
TOTAL = Decimal("69120.50")  # 67.620,00 + 1.500,50 of other costs


def _approved(simf_draft, users, categories):
    version = add_other_cost(
        version=simf_draft,
        category=categories["materiali"],
        amount="1500.50",
        actor=users["direttore"],
    )
    version = actions.version_submit(version=version, actor=users["direttore"])
    return actions.version_approve(version=version, actor=users["au"])


def test_the_pdf_is_sealed_and_shows_the_totals(simf_draft, users, categories, client, tmp_path):
    """pdfsig validates the seal; the text has the service, the total and the approver step."""
    version = _approved(simf_draft, users, categories)
    client.force_login(users["sindaco"])
    response = client.get(reverse("budgets:version_pdf", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = tmp_path / "budget.pdf"
    path.write_bytes(response.content)
    signatures = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    assert signatures.count("Signature is Valid") == 1
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "SIMF" in text
    assert "69.120,50" in text  # TOTAL, as the PDF writes it
    assert "Approvato" in text
    assert "NON APPROVATO" not in text


def test_the_budget_pdf_is_pdfa_sealed_incrementally(simf_draft, users, categories, tmp_path):
    """The approved budget is rendered PDF/A-2u and its seal, an incremental update, keeps it
    so (Prot. 10 §6: readable for the whole retention period)."""
    version = _approved(simf_draft, users, categories)
    with patch.object(exports, "seal_pdf", wraps=exports.seal_pdf) as seal:
        sealed = exports.budget_pdf(version)
    (unsealed,) = seal.call_args.args
    assert_sealed_pdfa(unsealed, sealed, tmp_path)


def test_a_draft_pdf_says_it_is_not_approved(simf_draft, users, client, tmp_path):
    client.force_login(users["coord_simf"])
    response = client.get(reverse("budgets:version_pdf", args=[simf_draft.pk]))
    path = tmp_path / "draft.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "DOCUMENTO NON APPROVATO" in text


def test_the_xlsx_has_the_lines_and_totals_as_numbers(simf_draft, users, categories, client):
    version = _approved(simf_draft, users, categories)
    client.force_login(users["direttore"])
    response = client.get(reverse("budgets:version_xlsx", args=[version.pk]))
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    assert workbook.sheetnames == ["Piano ore", "Altre spese", "Totali"]
    totals = {row[0]: row[1] for row in workbook["Totali"].iter_rows(values_only=True)}
    assert Decimal(str(totals["Piano ore (€)"])) == HOUR_PLAN
    assert Decimal(str(totals["Altre spese (€)"])) == Decimal("1500.50")
    assert Decimal(str(totals["Totale budget (€)"])) == TOTAL


def test_the_seal_reason_is_italian_with_the_pages_in_english(simf_draft):
    """Downloaded with the UI in English: the budget's seal gives its reason in Italian."""
    from django.utils import translation

    from budgets import exports
    from reporting.verify import verify_pdf

    with translation.override("en"):
        pdf = exports.budget_pdf(simf_draft)
    (signature,) = verify_pdf(pdf).signatures
    assert signature.reason == "Budget di servizio – Protocollo 10 §5.2"
