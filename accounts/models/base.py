"""Abstract models and database rules shared by the apps above the ground floor."""

from __future__ import annotations

import datetime

from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import DateRangeField, RangeBoundary, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _


class DateRange(Func):
    function = "DATERANGE"
    output_field = DateRangeField()


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
                (
                    DateRange(
                        "valid_from",
                        "valid_to",
                        RangeBoundary(inclusive_lower=True, inclusive_upper=True),
                    ),
                    RangeOperators.OVERLAPS,
                ),
            ],
            condition=overlap_condition,
            violation_error_message=overlap_message,
        ),
    ]


class ValidityPeriod:
    """``is_valid_on`` for models with ``valid_from`` and an optional ``valid_to``."""

    valid_from: datetime.date
    valid_to: datetime.date | None

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)
