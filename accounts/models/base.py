"""Abstract models and database rules shared by the apps above the ground floor.

- ``ManagedList``: a list the administrators keep (qualifications, cost categories, and the
  complaint categories to come): a stable code, a unique name people read, an active flag.
- ``ValidityPeriod``: something in force from ``valid_from`` to ``valid_to`` (both inclusive,
  open end), with its queryset (``current``, ``overlapping``) and ``period_constraints`` for
  the database rules (end not before start, no overlapping periods for the same keys).
"""

from __future__ import annotations

import datetime

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from accounts.validation import PlausibleDate, reject_control_characters, text_checks

# -- Managed lists ------------------------------------------------------------------------------


class ManagedListQuerySet(models.QuerySet):
    def active(self) -> ManagedListQuerySet:
        """The entries that may be chosen for new records."""
        return self.filter(active=True)


class ManagedList(models.Model):
    """An entry of a list the administrators manage.

    ``code`` is the stable key (demo data and imports refer to it), ``name`` what people read;
    an inactive entry stays on the records that use it but is no longer offered. A concrete
    list inherits ``Meta`` (``class Meta(ManagedList.Meta)``) to keep the ordering and the
    checks; the constraint names start with the model's name.
    """

    code = models.SlugField(_("codice"), max_length=32, unique=True)
    name = models.CharField(
        _("nome"), max_length=100, unique=True, validators=[reject_control_characters]
    )
    active = models.BooleanField(_("attiva"), default=True)

    objects = ManagedListQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["name"]
        constraints = [*text_checks("%(class)s", short=("name",))]

    def __str__(self) -> str:
        return self.name


# -- Validity periods ---------------------------------------------------------------------------


def date_range(start: str, end: str) -> Func:
    """``daterange(start, end, '[]')``: both days included, an empty end open.

    A plain ``Func`` rather than a subclass, so that the migrations that record a constraint
    built on it need nothing from the app (tests/project/test_migrations.py).
    """
    return Func(
        start,
        end,
        RangeBoundary(inclusive_lower=True, inclusive_upper=True),
        function="DATERANGE",
        output_field=DateRangeField(),
    )


def period_constraints(
    prefix: str, *, keys: tuple[str, ...], overlap_message, overlap_condition: Q | None = None
) -> list:
    """Database rules of a validity period ``valid_from``–``valid_to`` (inclusive, open end):
    the end does not precede the start, and periods with the same ``keys`` never overlap
    (among the rows matching ``overlap_condition``, when given)."""
    return [
        models.CheckConstraint(
            condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
            name=f"{prefix}_dates_ordered",
            violation_error_message=_("La data di fine precede quella di inizio."),
        ),
        ExclusionConstraint(
            name=f"{prefix}_no_overlap",
            expressions=[
                *[(key, RangeOperators.EQUAL) for key in keys],
                (date_range("valid_from", "valid_to"), RangeOperators.OVERLAPS),
            ],
            condition=overlap_condition,
            violation_error_message=overlap_message,
        ),
    ]


class ValidityPeriodQuerySet(models.QuerySet):
    def current(self, day: datetime.date):
        """The rows in force on ``day`` (``day`` within their period)."""
        return self.filter(Q(valid_from__lte=day), Q(valid_to__isnull=True) | Q(valid_to__gte=day))

    def overlapping(self, valid_from: datetime.date, valid_to: datetime.date | None):
        """The rows whose period shares at least a day with ``valid_from``–``valid_to``."""
        queryset = self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=valid_from))
        if valid_to is not None:
            queryset = queryset.filter(valid_from__lte=valid_to)
        return queryset


class ValidityPeriod(models.Model):
    """In force from ``valid_from`` to ``valid_to``, both days included (no end: open).

    A model may redeclare the two fields for labels of its own; the columns stay the same.
    """

    valid_from = models.DateField(_("valido dal"), validators=[PlausibleDate()])
    valid_to = models.DateField(
        _("valido fino al"), null=True, blank=True, validators=[PlausibleDate()]
    )

    objects = ValidityPeriodQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)
