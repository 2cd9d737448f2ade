"""Role assignments: who holds which role, for which period, confirmed by whom."""

from __future__ import annotations

import datetime

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.models.base import ValidityPeriod, ValidityPeriodQuerySet, period_constraints
from accounts.roles import GOVERNING_ROLES, GROUP_NAMES, INCOMPATIBLE_ROLES, Role, incompatible_with
from accounts.validation import date_range_check, reject_control_characters, text_checks


class RoleAssignmentStatus(models.TextChoices):
    """Governing roles wait for a second person's confirmation; other roles start confirmed."""

    RICHIESTO = "richiesto", _("In attesa di conferma")
    CONFERMATO = "confermato", _("Confermato")
    RIFIUTATO = "rifiutato", _("Rifiutato")


def _sql_role_label(column: str) -> str:
    """A CASE expression naming the role in ``column`` as the admin shows its group."""
    cases = " ".join(f"WHEN '{role}' THEN '{name}'" for role, name in sorted(GROUP_NAMES.items()))
    return f"CASE {column} {cases} ELSE {column} END"


# Segregation of duties (roles.INCOMPATIBLE_ROLES), checked in the database on every insert and
# update. A transaction-scoped advisory lock on the user serialises concurrent writes for the
# same person, so two transactions cannot each insert one half of a forbidden pair: the second
# waits, and its check (a new snapshot: READ COMMITTED) then sees the first one's row. Refused
# requests do not count; ended periods do not overlap a later one.
_INCOMPATIBLE_PAIRS_SQL = ", ".join(
    f"('{first}', '{second}')"
    for first, second in sorted(
        (a, b) for pair in INCOMPATIBLE_ROLES for a in pair for b in pair if a != b
    )
)
# Built from constants of roles.py, never from input; sorted so that migrations are stable.
SEGREGATION_OF_DUTIES_SQL = f"""
IF NEW.status = 'rifiutato' OR (NEW.valid_to IS NOT NULL AND NEW.valid_to < NEW.valid_from) THEN
    RETURN NEW;  -- nothing to check, or the dates_ordered constraint refuses the row
END IF;
PERFORM pg_advisory_xact_lock(hashtext('accounts_roleassignment'), NEW.user_id::integer);
SELECT other.role INTO conflicting
    FROM accounts_roleassignment AS other
    WHERE other.user_id = NEW.user_id
      AND other.id <> NEW.id
      AND other.status <> 'rifiutato'
      AND daterange(other.valid_from, other.valid_to, '[]')
          && daterange(NEW.valid_from, NEW.valid_to, '[]')
      AND (other.role, NEW.role) IN ({_INCOMPATIBLE_PAIRS_SQL})
    LIMIT 1;
IF FOUND THEN
    RAISE EXCEPTION USING
        ERRCODE = 'check_violation',
        CONSTRAINT = 'roleassignment_segregation_of_duties',
        MESSAGE = format(
            'Separazione dei compiti: i ruoli «%s» e «%s» non possono essere della stessa '
            'persona in periodi che si sovrappongono.',
            {_sql_role_label("NEW.role")},
            {_sql_role_label("conflicting")}
        );
END IF;
RETURN NEW;
"""  # noqa: S608

# Once saved, an assignment keeps its user, role and start (it ends, and a new one starts);
# its end can be brought forward, never pushed back or removed; a decision (confirmation or
# refusal) is final, and a refused request does not change at all.
FROZEN_FIELDS_SQL = """
IF NEW.user_id IS DISTINCT FROM OLD.user_id OR NEW.role IS DISTINCT FROM OLD.role
        OR NEW.valid_from IS DISTINCT FROM OLD.valid_from
        OR NEW.created_by_id IS DISTINCT FROM OLD.created_by_id
        OR NEW.created_at IS DISTINCT FROM OLD.created_at THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        CONSTRAINT = 'roleassignment_frozen_fields',
        MESSAGE = 'Un''assegnazione di ruolo salvata non cambia utente, ruolo né data di '
            'inizio: chiudila e creane una nuova.';
END IF;
IF OLD.status = 'rifiutato' AND NEW IS DISTINCT FROM OLD THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        CONSTRAINT = 'roleassignment_frozen_fields',
        MESSAGE = 'Una richiesta di ruolo rifiutata non si modifica.';
END IF;
IF OLD.status <> 'richiesto' AND (
        NEW.status IS DISTINCT FROM OLD.status
        OR NEW.decided_by_id IS DISTINCT FROM OLD.decided_by_id
        OR NEW.decided_at IS DISTINCT FROM OLD.decided_at
        OR NEW.refusal_reason IS DISTINCT FROM OLD.refusal_reason) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        CONSTRAINT = 'roleassignment_frozen_fields',
        MESSAGE = 'La decisione su una richiesta di ruolo non si cambia.';
END IF;
IF OLD.valid_to IS NOT NULL AND (NEW.valid_to IS NULL OR NEW.valid_to > OLD.valid_to) THEN
    RAISE EXCEPTION USING ERRCODE = 'check_violation',
        CONSTRAINT = 'roleassignment_frozen_fields',
        MESSAGE = 'La data di fine di un''assegnazione si può anticipare, non posticipare né '
            'togliere: per un nuovo periodo crea una nuova assegnazione.';
END IF;
RETURN NEW;
"""

GOVERNING = Q(role__in=sorted(GOVERNING_ROLES))


class RoleAssignmentQuerySet(ValidityPeriodQuerySet):
    def valid_on(self, day: datetime.date) -> RoleAssignmentQuerySet:
        """Assignments in force on ``day``: confirmed, and ``day`` within their period."""
        return self.current(day).filter(status=RoleAssignmentStatus.CONFERMATO)

    def pending(self) -> RoleAssignmentQuerySet:
        return self.filter(status=RoleAssignmentStatus.RICHIESTO)

    def overlapping(
        self, valid_from: datetime.date, valid_to: datetime.date | None
    ) -> RoleAssignmentQuerySet:
        """Assignments not refused whose period shares a day with ``valid_from``–``valid_to``."""
        return (
            super().overlapping(valid_from, valid_to).exclude(status=RoleAssignmentStatus.RIFIUTATO)
        )


@audited()
class RoleAssignment(ValidityPeriod):
    """A user holds a role from ``valid_from`` to ``valid_to`` (inclusive; open if empty).

    Kept forever, so the app can tell who held a role on any given day (Prot. 10 §3, §7).
    A governing role (``roles.GOVERNING_ROLES``) is first a request (``created_by`` asked for
    it) and takes effect once a second person confirms it (``decided_by``); the audit trail
    records the request, the confirmation or the refusal with its reason.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="role_assignments",
        verbose_name=_("utente"),
    )
    role = models.CharField(_("ruolo"), max_length=32, choices=Role.choices)
    # valid_from, valid_to: ValidityPeriod's.
    note = models.CharField(
        _("nota"), max_length=255, blank=True, validators=[reject_control_characters]
    )
    status = models.CharField(
        _("stato"),
        max_length=12,
        choices=RoleAssignmentStatus.choices,
        default=RoleAssignmentStatus.CONFERMATO,
    )
    created_at = models.DateTimeField(_("creato il"), auto_now_add=True)
    created_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("creato da"),
    )
    decided_by = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("deciso da"),
    )
    decided_at = models.DateTimeField(_("deciso il"), null=True, blank=True)
    refusal_reason = models.CharField(_("motivo del rifiuto"), max_length=500, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assegnazione di ruolo")
        verbose_name_plural = _("assegnazioni di ruolo")
        ordering = ["user", "role", "-valid_from"]
        constraints = [
            # A role held in year 1 or 9999 is a typing error that could never be corrected
            # (the start is frozen): refused like every other business date.
            date_range_check("roleassignment", "valid_from"),
            date_range_check("roleassignment", "valid_to"),
            *period_constraints(
                "roleassignment",
                keys=("user", "role"),
                overlap_message=_("L'utente ha già questo ruolo in un periodo che si sovrappone."),
                # A refused request leaves the period free for a new one.
                overlap_condition=~Q(status=RoleAssignmentStatus.RIFIUTATO),
            ),
            models.CheckConstraint(
                condition=Q(role__in=Role.values),
                name="roleassignment_role_known",
            ),
            *text_checks("roleassignment", short=("note",)),
            models.CheckConstraint(
                condition=Q(status__in=RoleAssignmentStatus.values),
                name="roleassignment_status_known",
            ),
            # Only governing roles wait for a confirmation; the others take effect at once.
            models.CheckConstraint(
                condition=GOVERNING | Q(status=RoleAssignmentStatus.CONFERMATO),
                name="roleassignment_only_governing_pending",
            ),
            # A confirmed governing role records when it was confirmed (by whom: a person, or
            # nobody for the first AU and demo data, set up on the server).
            models.CheckConstraint(
                condition=~GOVERNING
                | ~Q(status=RoleAssignmentStatus.CONFERMATO)
                | Q(decided_at__isnull=False),
                name="roleassignment_governing_confirmed_when",
            ),
            models.CheckConstraint(
                condition=~Q(status=RoleAssignmentStatus.RICHIESTO)
                | (Q(decided_by__isnull=True) & Q(decided_at__isnull=True) & Q(refusal_reason="")),
                name="roleassignment_pending_undecided",
            ),
            models.CheckConstraint(
                condition=~Q(status=RoleAssignmentStatus.RIFIUTATO)
                | (
                    Q(decided_by__isnull=False)
                    & Q(decided_at__isnull=False)
                    & ~Q(refusal_reason="")
                ),
                name="roleassignment_refusal_complete",
                violation_error_message=_("Per rifiutare una richiesta scrivi il motivo."),
            ),
            # The decision is a second person's: never the person concerned, never the
            # requester.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (
                    ~Q(decided_by=F("user"))
                    & (Q(created_by__isnull=True) | ~Q(decided_by=F("created_by")))
                ),
                name="roleassignment_decided_by_another",
                violation_error_message=_(
                    "Chi ha chiesto il ruolo, o chi lo riceve, non può confermarlo né rifiutarlo."
                ),
            ),
        ]
        triggers = [
            pgtrigger.Trigger(
                name="roleassignment_segregation",
                operation=pgtrigger.Insert | pgtrigger.Update,
                when=pgtrigger.Before,
                declare=[("conflicting", "varchar(32)")],
                func=SEGREGATION_OF_DUTIES_SQL,
            ),
            pgtrigger.Trigger(
                name="roleassignment_frozen_fields",
                operation=pgtrigger.Update,
                when=pgtrigger.Before,
                func=FROZEN_FIELDS_SQL,
            ),
            pgtrigger.Protect(name="roleassignment_kept", operation=pgtrigger.Delete),
        ]

    def __str__(self) -> str:
        end = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.user.username}: {self.get_role_display()} ({self.valid_from} – {end})"

    @property
    def is_governing(self) -> bool:
        return self.role in GOVERNING_ROLES

    @property
    def is_pending(self) -> bool:
        return self.status == RoleAssignmentStatus.RICHIESTO

    def segregation_conflicts(self) -> RoleAssignmentQuerySet:
        """The user's other assignments that this one may not overlap (roles.INCOMPATIBLE)."""
        if self.user_id is None or not self.valid_from or not self.role:
            return RoleAssignment.objects.none()
        return (
            RoleAssignment.objects.filter(
                user_id=self.user_id, role__in=sorted(incompatible_with(self.role))
            )
            .exclude(pk=self.pk)
            .overlapping(self.valid_from, self.valid_to)
            .order_by("valid_from")
        )

    def validate_constraints(self, exclude=None) -> None:
        # Forms never edit the status (actions set it), so they exclude it from validation;
        # the partial overlap constraint needs it, and the instance's value is the true one.
        if exclude:
            exclude = set(exclude) - {"status"}
        super().validate_constraints(exclude=exclude)

    def clean(self) -> None:
        """What the database refuses, said first in Italian (forms show it as an error)."""
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            # Keyed on the field, so constraint validation skips the (invalid) date range.
            raise ValidationError({"valid_to": _("La data di fine precede quella di inizio.")})
        if self.pk is not None:
            self._clean_frozen_fields()
        if self.status != RoleAssignmentStatus.RIFIUTATO:
            conflict = self.segregation_conflicts().first()
            if conflict is not None:
                raise ValidationError(
                    _(
                        "Separazione dei compiti: %(user)s ha già il ruolo «%(other)s» in un "
                        "periodo che si sovrappone (dal %(start)s); «%(role)s» e «%(other)s» "
                        "non possono essere della stessa persona."
                    )
                    % {
                        "user": self.user,
                        "other": conflict.get_role_display(),
                        "start": date_format(conflict.valid_from, "SHORT_DATE_FORMAT"),
                        "role": self.get_role_display(),
                    },
                    code="segregation_of_duties",
                )

    def _clean_frozen_fields(self) -> None:
        saved = (
            RoleAssignment.objects.filter(pk=self.pk)
            .values("user_id", "role", "valid_from", "valid_to", "status")
            .first()
        )
        if saved is None:
            return
        if (saved["user_id"], saved["role"], saved["valid_from"]) != (
            self.user_id,
            self.role,
            self.valid_from,
        ):
            raise ValidationError(
                _(
                    "Un'assegnazione di ruolo salvata non cambia utente, ruolo né data di "
                    "inizio: chiudila e creane una nuova."
                )
            )
        if saved["status"] == RoleAssignmentStatus.RIFIUTATO:
            raise ValidationError(_("Una richiesta di ruolo rifiutata non si modifica."))
        if saved["valid_to"] is not None and (
            self.valid_to is None or self.valid_to > saved["valid_to"]
        ):
            raise ValidationError(
                {
                    "valid_to": _(
                        "La data di fine si può anticipare, non posticipare né togliere: per "
                        "un nuovo periodo crea una nuova assegnazione."
                    )
                }
            )
