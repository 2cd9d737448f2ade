"""What the app accepts as plausible input, defined once for forms, actions and the database.

Ground floor (imports no business app): every model of ``services``, ``budgets`` and the apps
above takes its bounds, validators and CHECK constraints from here, so a form, an action's
``full_clean`` and the database refuse the same values.

Decisions (issue 6, item 6):

- **Business dates** (meetings, delivery months, indicators, statements, assignments, actual
  costs, budget years) lie in 2000–2099: the company's records start long after 2000 and
  nothing is planned beyond the century. Contracts may be older (a long-running convention
  signed in the nineties is still in force), so **contract dates** may start in 1990.
- **Date-times** (emergencies, issue and creation times) lie in 2000–2099 as well; the
  database check compares UTC instants, so a value like year 1 (which the Europe/Rome shift
  would store as a date BC) can never be saved.
- Times that record something that already happened (an emergency occurred, the AU was
  informed, an emergency was closed) may not be in the future; ``FUTURE_LEEWAY`` absorbs the
  clock difference between a tablet and the server.
- **Long texts** (descriptions, minutes, notes, comments) hold at most
  ``LONG_TEXT_MAX_LENGTH`` = 10,000 characters, about four typed pages: said in the field's
  help text, enforced by the form and by a ``char_length`` check.
- **Names and texts** contain no Unicode direction controls (U+200E/U+200F, U+202A–U+202E,
  U+2066–U+2069: they make a name read differently from what is stored, "Trojan source"
  style) and no C0 control characters other than tab and line breaks (invisible, and they
  break the XLSX export).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

LONG_TEXT_MAX_LENGTH = 10_000
LONG_TEXT_HELP = _("Al massimo 10.000 caratteri.")
FUTURE_LEEWAY = datetime.timedelta(minutes=5)

# Written with escapes, never as the characters themselves (they would hide in this file too).
# Both Python's ``re`` and PostgreSQL's regular expressions read ``\uXXXX``.
CONTROL_CHARACTERS_PATTERN = (
    r"[\u0001-\u0008\u000b\u000c\u000e-\u001f\u007f"  # C0 controls but tab, LF, CR; DEL
    r"\u200e\u200f\u202a-\u202e\u2066-\u2069]"  # bidi marks, embeddings, overrides, isolates
)
_CONTROL_CHARACTERS = re.compile(CONTROL_CHARACTERS_PATTERN)


@dataclass(frozen=True)
class DateBounds:
    """An inclusive range of plausible dates."""

    first: datetime.date
    last: datetime.date


BUSINESS_DATES = DateBounds(datetime.date(2000, 1, 1), datetime.date(2099, 12, 31))
CONTRACT_DATES = DateBounds(datetime.date(1990, 1, 1), datetime.date(2099, 12, 31))
BOUNDS = {"business": BUSINESS_DATES, "contract": CONTRACT_DATES}
# Date-times: from the first instant of 2000 to the last of 2099, in UTC.
DATETIME_FIRST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
DATETIME_END = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)  # exclusive


# -- Validators (model fields and form fields) ------------------------------------------------


@deconstructible
class PlausibleDate:
    """A date within ``BOUNDS[kind]`` (a ``datetime`` is checked as an instant in 2000–2099).

    Takes the kind's name, not the dates, so migrations keep a stable reference.
    """

    def __init__(self, kind: str = "business"):
        if kind not in (*BOUNDS, "datetime"):
            raise ValueError(f"unknown date kind {kind!r}")
        self.kind = kind

    def __call__(self, value) -> None:
        if value is None:
            return
        if self.kind == "datetime":
            if not DATETIME_FIRST <= value < DATETIME_END:
                raise ValidationError(
                    _("Indica una data e un'ora plausibili, tra il 2000 e il 2099."),
                    code="implausible_date",
                )
            return
        bounds = BOUNDS[self.kind]
        if isinstance(value, datetime.datetime):
            value = value.date()
        if not bounds.first <= value <= bounds.last:
            raise ValidationError(
                _("Indica una data plausibile, tra il %(first)s e il %(last)s."),
                code="implausible_date",
                params={
                    "first": date_format(bounds.first, "SHORT_DATE_FORMAT"),
                    "last": date_format(bounds.last, "SHORT_DATE_FORMAT"),
                },
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, PlausibleDate) and other.kind == self.kind


def reject_control_characters(value) -> None:
    """Refuse direction controls and invisible control characters (see the module's notes)."""
    if isinstance(value, str) and _CONTROL_CHARACTERS.search(value):
        raise ValidationError(
            _(
                "Il testo contiene caratteri di controllo invisibili (per esempio quelli che "
                "invertono la direzione della scrittura): toglili e riprova."
            ),
            code="control_characters",
        )


def long_text_validators() -> list:
    """Validators of a long text: the documented maximum length and no control characters."""
    return [MaxLengthValidator(LONG_TEXT_MAX_LENGTH), reject_control_characters]


def refuse_future(value: datetime.datetime | None, message) -> None:
    """Raise ``message`` if ``value`` (something that already happened) is in the future."""
    if value is not None and value > timezone.now() + FUTURE_LEEWAY:
        raise ValidationError(message, code="future")


def last_ended_month_end(today: datetime.date | None = None) -> datetime.date:
    """The last day of the last month that has ended (yesterday's month if today is the 1st)."""
    today = today or timezone.localdate()
    return today.replace(day=1) - datetime.timedelta(days=1)


# -- Database checks --------------------------------------------------------------------------


def _name(model: str, field: str, what: str) -> str:
    return f"{model}_{field}_{what}"


def date_range_check(model: str, field: str, kind: str = "business") -> models.CheckConstraint:
    """CHECK that ``field`` (a date; NULL passes) lies within ``BOUNDS[kind]``."""
    bounds = BOUNDS[kind]
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": bounds.first, f"{field}__lte": bounds.last}),
        name=_name(model, field, "plausible"),
        violation_error_message=_("Data non plausibile."),
    )


def datetime_range_check(model: str, field: str) -> models.CheckConstraint:
    """CHECK that ``field`` (a date-time; NULL passes) is an instant in 2000–2099 (UTC)."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": DATETIME_FIRST, f"{field}__lt": DATETIME_END}),
        name=_name(model, field, "plausible"),
        violation_error_message=_("Data e ora non plausibili."),
    )


def text_checks(model: str, *, short: tuple[str, ...] = (), long: tuple[str, ...] = ()) -> list:
    """CHECKs that no text has control characters and long texts respect the maximum length.

    Short texts are ``CharField``s, whose length the column type already bounds.
    """
    checks = [
        models.CheckConstraint(
            condition=~Q(**{f"{field}__regex": CONTROL_CHARACTERS_PATTERN}),
            name=_name(model, field, "no_controls"),
            violation_error_message=_("Il testo contiene caratteri di controllo invisibili."),
        )
        for field in (*short, *long)
    ]
    checks += [
        models.CheckConstraint(
            condition=Q(LessThanOrEqual(Length(field), LONG_TEXT_MAX_LENGTH)),
            name=_name(model, field, "length"),
            violation_error_message=_("Il testo supera i 10.000 caratteri."),
        )
        for field in long
    ]
    return checks


def choices_check(model: str, field: str, choices: type[models.TextChoices]):
    """CHECK that ``field`` holds one of ``choices``' values."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=_name(model, field, "known"),
        violation_error_message=_("Valore non previsto."),
    )


# -- Forms ------------------------------------------------------------------------------------


class PlausibleModelFormMixin:
    """A model form whose fields run the model's plausibility validators themselves.

    Django runs model validators only after copying the cleaned values onto the instance;
    running them on the form field keeps a refused value (a date in year 1) off the instance,
    which the page shows again.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opts = self._meta.model._meta
        for name, field in self.fields.items():
            try:
                model_field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            wanted = [
                validator
                for validator in getattr(model_field, "validators", ())
                if isinstance(validator, PlausibleDate) or validator is reject_control_characters
            ]
            field.validators = [
                *field.validators,
                *(validator for validator in wanted if validator not in field.validators),
            ]
