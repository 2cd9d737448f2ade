"""Emergencies in a service, handled by the Direttore with the AU (Prot. 10 §5.1)."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.validation import (
    datetime_range_check,
    text_checks,
)
from services.models.contracts import Service
from services.models.fields import DATETIME, long_text

CLOSED_EMERGENCY_FINAL_SQL = """
RAISE EXCEPTION USING
    ERRCODE = 'check_violation',
    CONSTRAINT = 'emergency_closed_final',
    MESSAGE = 'Un''emergenza chiusa è definitiva: non si modifica, non si riapre e non si '
        'cancella.';
"""


@audited()
class Emergency(models.Model):
    """An emergency in a service, handled by the Direttore with the AU (Prot. 10 §5.1)."""

    audit_personal_fields = frozenset({"description", "actions_taken", "closure_note"})

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="emergencies", verbose_name=_("servizio")
    )
    occurred_at = models.DateTimeField(_("avvenuta il"), validators=DATETIME)
    description = long_text(_("cosa è successo"))
    actions_taken = long_text(_("azioni intraprese"), blank=True)
    au_informed_at = models.DateTimeField(
        _("Amministratore Unico informato il"), null=True, blank=True, validators=DATETIME
    )
    closed_at = models.DateTimeField(_("chiusa il"), null=True, blank=True, validators=DATETIME)
    closure_note = long_text(_("esito della chiusura"), blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("registrata da")
    )

    class Meta:
        verbose_name = _("emergenza")
        verbose_name_plural = _("emergenze")
        ordering = ["-occurred_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(closed_at__gte=F("occurred_at")),
                name="emergency_closed_after_occurred",
                violation_error_message=_("La chiusura precede l'evento."),
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(closure_note=""),
                name="emergency_closure_explained",
                violation_error_message=_("Per chiudere l'emergenza indica l'esito."),
            ),
            models.CheckConstraint(
                condition=Q(au_informed_at__isnull=True) | Q(au_informed_at__gte=F("occurred_at")),
                name="emergency_au_informed_after_occurred",
                violation_error_message=_("L'Amministratore Unico non può essere informato prima."),
            ),
            # Prot. 10 §5.1: the Direttore handles an emergency with the AU; it is closed only
            # once the AU has been informed.
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | Q(au_informed_at__isnull=False),
                name="emergency_closed_au_informed",
                violation_error_message=_(
                    "Prima di chiudere l'emergenza registra quando è stato informato l'AU."
                ),
            ),
            datetime_range_check("emergency", "occurred_at"),
            datetime_range_check("emergency", "au_informed_at"),
            datetime_range_check("emergency", "closed_at"),
            *text_checks("emergency", long=("description", "actions_taken", "closure_note")),
        ]
        triggers = [
            # A closed emergency is final: not changed, not reopened, not deleted.
            pgtrigger.Trigger(
                name="closed_emergency_final",
                operation=pgtrigger.Update | pgtrigger.Delete,
                when=pgtrigger.Before,
                condition=pgtrigger.Q(old__closed_at__isnull=False),
                func=CLOSED_EMERGENCY_FINAL_SQL,
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} – {self.occurred_at:%d/%m/%Y %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
