"""Document classes and their retention rules (Prot. 10 §6)."""

from __future__ import annotations

import datetime

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.validation import (
    LONG_TEXT_HELP,
    LONG_TEXT_MAX_LENGTH,
    choices_check,
    long_text_validators,
    reject_control_characters,
    text_checks,
)

# Prot. 10 §6: "at least 10 years, unless the law says otherwise".
DEFAULT_RETENTION_YEARS = 10
DEFAULT_LEGAL_BASIS = (
    "Prot. 10 §6: la documentazione prodotta è conservata da ciascun settore per almeno "
    "10 anni, salvo diversa disposizione di legge."
)
MAX_RETENTION_YEARS = 100
# The class of the disposal certificates: the proof of what was disposed of is itself never
# disposable in practice, nor can the class be switched off (disposals would stop).
CERTIFICATE_CLASS = "verbali-di-scarto"
CERTIFICATE_RETENTION_YEARS = MAX_RETENTION_YEARS


class RetentionFrom(models.TextChoices):
    """What the retention years count from."""

    REFERENCE_DATE = "data_riferimento", _("Data di riferimento del documento")
    CONTRACT_END = "fine_contratto", _("Fine del contratto")
    END_OF_YEAR = "fine_anno", _("Fine dell'anno della data di riferimento")


def add_years(day: datetime.date, years: int) -> datetime.date:
    """``day`` moved ``years`` later (29 February becomes 28 February in a common year)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@audited()
class DocumentClass(models.Model):
    """A class of documents (verbali, rendiconti, contratti, ...) and how long it is kept."""

    code = models.SlugField(_("codice"), max_length=40, unique=True)
    name = models.CharField(_("nome"), max_length=200, validators=[reject_control_characters])
    retention_years = models.PositiveSmallIntegerField(
        _("anni di conservazione"),
        default=DEFAULT_RETENTION_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_YEARS)],
    )
    retention_from = models.CharField(
        _("decorrenza"),
        max_length=20,
        choices=RetentionFrom.choices,
        default=RetentionFrom.REFERENCE_DATE,
    )
    legal_basis = models.TextField(
        _("fondamento normativo"),
        default=DEFAULT_LEGAL_BASIS,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        help_text=LONG_TEXT_HELP,
    )
    active = models.BooleanField(_("attiva"), default=True)

    class Meta:
        verbose_name = _("classe documentale")
        verbose_name_plural = _("classi documentali")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(retention_years__gte=1) & Q(retention_years__lte=MAX_RETENTION_YEARS),
                name="documentclass_years_plausible",
                violation_error_message=_("Gli anni di conservazione vanno da 1 a 100."),
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis=""), name="documentclass_legal_basis_given"
            ),
            models.CheckConstraint(
                condition=~Q(code=CERTIFICATE_CLASS)
                | Q(active=True, retention_years=CERTIFICATE_RETENTION_YEARS),
                name="documentclass_certificates_kept",
                violation_error_message=_(
                    "I verbali di scarto si conservano %(years)s anni e la loro classe resta "
                    "attiva: sono la prova dello scarto."
                )
                % {"years": CERTIFICATE_RETENTION_YEARS},
            ),
            choices_check("documentclass", "retention_from", RetentionFrom),
            *text_checks("documentclass", short=("name",), long=("legal_basis",)),
        ]

    def __str__(self) -> str:
        return self.name

    def keep_until(
        self, reference_date: datetime.date, contract_end: datetime.date | None = None
    ) -> datetime.date:
        """The last day a document of this class dated ``reference_date`` must be kept."""
        if self.retention_from == RetentionFrom.CONTRACT_END:
            start = contract_end or reference_date
        elif self.retention_from == RetentionFrom.END_OF_YEAR:
            start = datetime.date(reference_date.year, 12, 31)
        else:
            start = reference_date
        return add_years(start, self.retention_years)
