"""Complaints for tests, built through the real actions (shared by tests and the permission
table; the project's factories live in tests/factories, which this app does not edit yet)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from complaints import actions
from complaints.models import Category, Complaint

# The categories of the data migration (complaints/0003), re-created if a transactional test
# flushed them.
CATEGORIES = [
    ("qualita-servizio", "Qualità del servizio", False),
    ("comportamento-operatore", "Comportamento di un operatore", True),
    ("tempi", "Tempi", False),
    ("aspetti-amministrativi", "Aspetti amministrativi", False),
    ("altro", "Altro", False),
]


def categories() -> dict[str, Category]:
    return {
        code: Category.objects.get_or_create(
            code=code, defaults={"name": name, "is_conduct": conduct, "due_days": 30}
        )[0]
        for code, name, conduct in CATEGORIES
    }


def category(code: str = "qualita-servizio") -> Category:
    return categories()[code]


def register(
    *,
    service,
    actor,
    received_at: datetime.datetime | None = None,
    category_code: str = "qualita-servizio",
    **fields,
) -> Complaint:
    """A complaint registered by ``actor`` (fields as the form gives them)."""
    values = {
        "channel": "telefono",
        "complainant_kind": "familiare",
        "complainant_name": "Maria Bianchi",
        "complainant_phone": "02 1234567",
        "person_served_name": "Luca Bianchi",
        "description": "L'operatrice è arrivata in ritardo tre volte questo mese.",
        "severity": "media",
        **fields,
    }
    complaint = Complaint(
        service=service,
        category=category(category_code),
        received_at=received_at or timezone.now() - datetime.timedelta(hours=2),
        **values,
    )
    return actions.complaint_register(complaint=complaint, actor=actor)


def assigned(complaint: Complaint, *, actor, assignee, due_date=None) -> Complaint:
    return actions.complaint_assign(
        complaint=complaint,
        assignee=assignee,
        due_date=due_date or complaint.due_date,
        actor=actor,
    )


def answered(complaint: Complaint, *, actor) -> Complaint:
    return actions.complaint_respond(
        complaint=complaint,
        response_text="Abbiamo riorganizzato i turni: non succederà più.",
        response_date=timezone.localdate(),
        response_method="email",
        actor=actor,
    )


def closed(complaint: Complaint, *, actor) -> Complaint:
    return actions.complaint_close(
        complaint=complaint,
        root_cause="Turni sovrapposti.",
        corrective_action="Nuovo calendario dei turni.",
        complainant_satisfied=True,
        actor=actor,
    )


def in_state(state: str, *, service, coordinator, actor=None) -> Complaint:
    """A complaint of ``service`` in ``state``, handled by ``coordinator``."""
    complaint = register(service=service, actor=actor or coordinator)
    if state == "ricevuto":
        return complaint
    complaint = assigned(complaint, actor=coordinator, assignee=coordinator)
    if state == "in_istruttoria":
        return complaint
    complaint = answered(complaint, actor=coordinator)
    if state == "risposto":
        return complaint
    return closed(complaint, actor=coordinator)
