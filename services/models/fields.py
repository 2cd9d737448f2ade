"""Field helpers and bounds shared by the models of ``services``."""

from __future__ import annotations

from decimal import Decimal

from django.db import models

from accounts.validation import (
    LONG_TEXT_HELP,
    LONG_TEXT_MAX_LENGTH,
    PlausibleDate,
    long_text_validators,
    reject_control_characters,
)

MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 10, "decimal_places": 2}
# Bounds the database keeps whatever the settings say (the form's ceilings are lower).
HOURS_ABSOLUTE_LIMIT = Decimal("100000")
MAX_PEOPLE_SERVED = 100_000
MAX_HOURLY_RATE = Decimal("1000")
NO_CONTROLS = [reject_control_characters]
BUSINESS_DATE = [PlausibleDate("business")]
CONTRACT_DATE = [PlausibleDate("contract")]
DATETIME = [PlausibleDate("datetime")]


def long_text(verbose_name, **options) -> models.TextField:
    """A long text with the documented maximum length (form, model and database)."""
    return models.TextField(
        verbose_name,
        max_length=LONG_TEXT_MAX_LENGTH,
        validators=long_text_validators(),
        help_text=options.pop("help_text", LONG_TEXT_HELP),
        **options,
    )
