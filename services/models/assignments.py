"""Who works in a service, in which role, for which period."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.models import ValidityPeriod, period_constraints
from accounts.validation import (
    choices_check,
    date_range_check,
)
from services.models.contracts import Service
from services.models.fields import BUSINESS_DATE


class AssignmentRole(models.TextChoices):
    COORDINATORE = "coordinatore", _("Coordinatore")
    OPERATORE = "operatore", _("Operatore")


@audited()
class ServiceAssignment(ValidityPeriod):
    """A Coordinatore or Operatore assigned to a service for a period.

    Starting or ending one grants or revokes the object permissions on the service
    (``services.actions``), in the same transaction.
    """

    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("servizio")
    )
    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="service_assignments",
        verbose_name=_("persona"),
    )
    role = models.CharField(_("ruolo nel servizio"), max_length=20, choices=AssignmentRole.choices)
    # ValidityPeriod's fields, with the labels this model always had.
    valid_from = models.DateField(_("dal"), validators=BUSINESS_DATE)
    valid_to = models.DateField(_("al"), null=True, blank=True, validators=BUSINESS_DATE)

    class Meta:
        verbose_name = _("assegnazione al servizio")
        verbose_name_plural = _("assegnazioni ai servizi")
        ordering = ["service", "role", "-valid_from"]
        constraints = [
            *period_constraints(
                "serviceassignment",
                keys=("service", "user"),
                overlap_message=_(
                    "La persona è già assegnata al servizio in un periodo che si sovrappone."
                ),
            ),
            choices_check("serviceassignment", "role", AssignmentRole),
            date_range_check("serviceassignment", "valid_from"),
            date_range_check("serviceassignment", "valid_to"),
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.service} ({self.get_role_display()})"
