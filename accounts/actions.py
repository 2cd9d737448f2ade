"""Writes on users and roles. Each takes the acting user and runs in one transaction.

``actor=None`` means code run on the server (management commands, demo and synthetic data,
the daily sync), never a web request: every page and the admin pass the signed-in user.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any, ParamSpec

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, models, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts import permissions, request_cache
from accounts.audit import audit_context
from accounts.models import DocumentAccess, DocumentKind, RoleAssignment, RoleAssignmentStatus, User
from accounts.roles import (
    CONFIRMED_BY,
    GOVERNING_ROLES,
    GROUP_NAMES,
    STAFF_ROLES,
    Role,
    role_permissions,
)
from accounts.tokens import activation_timeout, activation_token

logger = logging.getLogger(__name__)

# The parameters of a function run after the commit (``_after_commit``).
P = ParamSpec("P")

# Database refusals of role assignments (constraints and triggers in accounts.models) whose
# message is already written for people; any other integrity error is a bug and propagates.
READABLE_REFUSALS = (
    "roleassignment_segregation_of_duties",
    "roleassignment_frozen_fields",
    "roleassignment_no_overlap",
)


def roles_sync() -> dict[str, int]:
    """Make each role's group hold exactly the permissions the apps grant it
    (``roles.role_permissions``: every app's ``permissions.ROLE_GRANTS``)."""
    counts: dict[str, int] = {}
    with transaction.atomic():
        for role, codenames in role_permissions().items():
            group, _created = Group.objects.get_or_create(name=GROUP_NAMES[role])
            wanted = []
            for dotted in sorted(codenames):
                app_label, codename = dotted.split(".", 1)
                try:
                    wanted.append(
                        Permission.objects.get(content_type__app_label=app_label, codename=codename)
                    )
                except Permission.DoesNotExist as exc:
                    raise ValidationError(f"Unknown permission {dotted} for role {role}") from exc
            group.permissions.set(wanted)
            counts[role] = len(wanted)
    request_cache.forget()
    return counts


def user_groups_sync(*, user: User, today: datetime.date | None = None) -> None:
    """Group membership and staff status follow the confirmed assignments valid today."""
    today = today or timezone.localdate()
    held = set(user.role_assignments.valid_on(today).values_list("role", flat=True))
    role_groups = {
        group.name: group for group in Group.objects.filter(name__in=GROUP_NAMES.values())
    }
    wanted = {role_groups[GROUP_NAMES[role]] for role in held if GROUP_NAMES[role] in role_groups}
    current = set(user.groups.filter(name__in=GROUP_NAMES.values()))
    if to_add := wanted - current:
        user.groups.add(*to_add)
    if to_remove := current - wanted:
        user.groups.remove(*to_remove)
    is_staff = user.is_superuser or bool(held & STAFF_ROLES)
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    request_cache.forget()  # this request reads the user's permissions afresh from now on


# -- Users ----------------------------------------------------------------------------------------


def _email_text(template: str, context: dict) -> str:
    # The recipient's language is unknown: e-mails are written in the installation's language.
    with translation.override(settings.LANGUAGE_CODE):
        return render_to_string(template, context)


def activation_email_send(*, user: User, base_url: str) -> None:
    """E-mail ``user`` the one-time link with which they choose their own password."""
    if not user.email:
        raise ValidationError(_("L'utente non ha un indirizzo e-mail: inseriscilo e riprova."))
    path = reverse(
        "accounts:activation_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": activation_token.make_token(user),
        },
    )
    context = {
        "user": user,
        "link": base_url.rstrip("/") + path,
        "valid_days": max(1, activation_timeout() // 86400),
    }
    subject = _email_text("emails/account_activation_subject.txt", context).strip()
    send_mail(subject, _email_text("emails/account_activation.txt", context), None, [user.email])


def _after_commit(function: Callable[P, object], *args: P.args, **kwargs: P.kwargs) -> None:
    """Send an e-mail once the change is committed; a mail failure never undoes the change
    (it is logged, and the activation link can be sent again from the admin)."""
    transaction.on_commit(lambda: function(*args, **kwargs), robust=True)


@transaction.atomic
def user_create(*, user: User, actor: User | None, base_url: str) -> User:
    """A new account without a password: the person gets an activation link by e-mail."""
    permissions.require_user_management(actor, permissions.ADD_USERS)
    with audit_context(actor):
        if not user.email:
            raise ValidationError(
                _("Serve l'indirizzo e-mail: la persona riceve lì il collegamento di attivazione.")
            )
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    _after_commit(activation_email_send, user=user, base_url=base_url)
    return user


def holds_governing_role(user: User, *, today: datetime.date | None = None) -> bool:
    """Holds, or has asked for, a governing role that has not ended (refusals do not count)."""
    if user.pk is None:
        return False
    today = today or timezone.localdate()
    return (
        RoleAssignment.objects.filter(user=user, role__in=sorted(GOVERNING_ROLES))
        .overlapping(today, None)
        .exists()
    )


# Who signs in and where the reset link goes: a Gestore who could change them on an account in
# use could send its password-reset link to himself and sign in as that person, with no second
# person involved. So the username and e-mail of an activated account (the person chose a
# password) are fixed for the Gestore utenti: he corrects them only before activation. On a
# governing-role holder the active flag is fixed too (deactivating the AU would leave the
# company without the person who confirms the others). The server (``actor=None``) and a
# superuser are not bound.
IDENTITY_FIELDS = ("username", "email")
GOVERNING_IDENTITY_FIELDS = ("username", "email", "is_active")


def governing_end_locked(*, assignment: RoleAssignment, actor: User | None) -> bool:
    """May ``actor`` not change the end of ``assignment``? A confirmed governing role is
    ended only on the server (``actor=None``) or by a superuser: otherwise the Gestore utenti
    could remove the AU, the OdV or the Sindaco, which nobody confirms."""
    if actor is None or actor.is_superuser:
        return False
    return assignment.is_governing and assignment.status == RoleAssignmentStatus.CONFERMATO


def locked_identity_fields(*, user: User, actor: User | None) -> tuple[str, ...]:
    """The fields of ``user`` that ``actor`` may not change (none for a new account)."""
    if actor is None or actor.is_superuser or user.pk is None:
        return ()
    if holds_governing_role(user):
        return GOVERNING_IDENTITY_FIELDS
    if user.has_usable_password():
        return IDENTITY_FIELDS
    return ()


@transaction.atomic
def user_update(*, user: User, actor: User | None) -> User:
    """Save changes to an account; a governing-role holder's username and e-mail stay put."""
    permissions.require_user_management(actor, permissions.CHANGE_USERS)
    with audit_context(actor):
        saved = User.objects.select_for_update().get(pk=user.pk)
        locked = locked_identity_fields(user=saved, actor=actor)
        if any(getattr(saved, name) != getattr(user, name) for name in locked):
            if "is_active" in locked:
                message = _(
                    "Nome utente, e-mail e stato attivo di chi ha un ruolo di governo "
                    "(Amministratore Unico, Direttore, OdV, Sindaco Unico, Gestore utenti) non si "
                    "cambiano da qui: chiedilo a chi gestisce il server."
                )
            else:
                message = _(
                    "Nome utente ed e-mail di un account già attivato non si cambiano da qui: il "
                    "collegamento per reimpostare la password andrebbe al nuovo indirizzo. "
                    "Chiedilo a chi gestisce il server."
                )
            raise ValidationError(message)
        user.password = saved.password  # never set here: the person sets it by e-mail link
        user.full_clean(exclude=["password"])
        user.save()
    return user


# -- Role assignments -----------------------------------------------------------------------------


def _check_assignment(assignment: RoleAssignment, actor: User | None) -> None:
    if actor is not None and not actor.is_superuser and assignment.user_id == actor.pk:
        raise ValidationError(_("Non puoi modificare i ruoli assegnati a te stesso."))
    if assignment.user.is_superuser and actor is not None and not actor.is_superuser:
        raise ValidationError(_("I ruoli di un superutente non si gestiscono da qui."))
    assignment.full_clean()


def _save(assignment: RoleAssignment, **kwargs: Any) -> None:
    """Save, turning the database's own refusals (same rules as ``clean``, checked again under
    a lock on the user) into an Italian ``ValidationError``."""
    try:
        with transaction.atomic():
            assignment.save(**kwargs)
    except IntegrityError as error:
        diag = getattr(error.__cause__, "diag", None)
        if diag is not None and diag.constraint_name in READABLE_REFUSALS:
            raise ValidationError(diag.message_primary) from error
        raise


@transaction.atomic
def role_assignment_save(
    *, assignment: RoleAssignment, actor: User | None, base_url: str | None = None
) -> RoleAssignment:
    """Create an assignment, or change the end date and note of a saved one; then bring the
    user's groups in line.

    A new governing role asked for by a person is a request: it takes effect once confirmed
    (``role_request_confirm``). Created on the server (``actor=None``: demo data, the first
    AU) it is confirmed at once, by nobody in particular. The confirmers are told by e-mail,
    with links starting with ``base_url`` (``SITE_URL`` by default).
    """
    new = assignment.pk is None
    permissions.require_user_management(
        actor, permissions.ADD_ROLE_ASSIGNMENTS if new else permissions.CHANGE_ROLE_ASSIGNMENTS
    )
    with audit_context(actor):
        if new:
            assignment.created_by = actor
            if assignment.is_governing and actor is not None:
                assignment.status = RoleAssignmentStatus.RICHIESTO
            else:
                assignment.status = RoleAssignmentStatus.CONFERMATO
                if assignment.is_governing:
                    assignment.decided_at = timezone.now()
        _check_assignment(assignment, actor)
        if new:
            _save(assignment)
            if assignment.is_pending:
                _after_commit(_notify_confirmers, assignment_id=assignment.pk, base_url=base_url)
        else:
            if governing_end_locked(assignment=assignment, actor=actor):
                saved = RoleAssignment.objects.get(pk=assignment.pk)
                if saved.valid_to != assignment.valid_to:
                    raise ValidationError(
                        _(
                            "Un ruolo di governo confermato non si chiude da qui: toglierlo "
                            "richiede le stesse garanzie che darlo. Chiedilo a chi gestisce il "
                            "server."
                        )
                    )
            # User, role and start never change (models.FROZEN_FIELDS_SQL); neither does the
            # status through this path.
            _save(assignment, update_fields=["valid_to", "note"])
        user_groups_sync(user=assignment.user)
    return assignment


def role_assignment_create(
    *,
    user: User,
    role: Role | str,
    valid_from: datetime.date,
    valid_to: datetime.date | None = None,
    note: str = "",
    actor: User | None,
) -> RoleAssignment:
    assignment = RoleAssignment(
        user=user, role=role, valid_from=valid_from, valid_to=valid_to, note=note
    )
    return role_assignment_save(assignment=assignment, actor=actor)


@transaction.atomic
def role_assignment_end(
    *, assignment: RoleAssignment, valid_to: datetime.date, actor: User | None
) -> RoleAssignment:
    """Close an assignment on ``valid_to``; history is kept, nothing is deleted."""
    assignment.valid_to = valid_to
    return role_assignment_save(assignment=assignment, actor=actor)


def role_memberships_sync(*, today: datetime.date | None = None) -> int:
    """Daily: apply assignments that started or ended since the last run. Returns users seen."""
    today = today or timezone.localdate()
    count = 0
    with audit_context(None, source="sync_role_memberships"):
        for user in User.objects.filter(is_active=True).iterator():
            with transaction.atomic():
                user_groups_sync(user=user, today=today)
            count += 1
    return count


@transaction.atomic
def document_access_record(
    *, actor: User, obj: models.Model, kind: DocumentKind | str, filename: str
) -> DocumentAccess:
    """Record that ``actor`` downloaded ``obj`` as a ``kind`` file named ``filename``.

    Called by every view that returns a PDF or XLSX, before the file leaves the server: a
    download that cannot be recorded does not happen.
    """
    if obj.pk is None:
        raise ValueError("A download names a saved record.")
    with audit_context(actor):
        access = DocumentAccess(
            user=actor,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            kind=kind,
            filename=filename,
        )
        access.full_clean()
        access.save()
    return access


# -- Confirmation of governing roles --------------------------------------------------------------


def role_request_confirmers(*, assignment: RoleAssignment) -> list[User]:
    """Who may decide the request today: active holders of the confirming role, other than
    the person concerned and the requester."""
    from accounts.selectors import role_holders

    role = CONFIRMED_BY.get(assignment.role)
    if role is None:
        return []
    excluded = {assignment.user_id, assignment.created_by_id} - {None}
    return list(
        role_holders(role=role, day=timezone.localdate())
        .filter(is_active=True)
        .exclude(pk__in=excluded)
        .order_by("username")
    )


def site_url() -> str:
    """The start of links in e-mails sent outside a request (``SITE_URL``)."""
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def _notify_confirmers(*, assignment_id: int, base_url: str | None) -> None:
    """Tell each person who may decide a new request that it waits for them."""
    assignment = RoleAssignment.objects.select_related("user", "created_by").get(pk=assignment_id)
    base_url = (base_url or site_url()).rstrip("/")
    for confirmer in role_request_confirmers(assignment=assignment):
        if not confirmer.email:
            continue
        context = {
            "assignment": assignment,
            "confirmer": confirmer,
            "link": base_url + reverse("accounts:role_request_detail", args=[assignment.pk]),
        }
        subject = _email_text("emails/role_request_subject.txt", context).strip()
        send_mail(subject, _email_text("emails/role_request.txt", context), None, [confirmer.email])


def _locked_request(assignment: RoleAssignment, actor: User) -> RoleAssignment:
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .select_related("user", "created_by")
        .get(pk=assignment.pk)
    )
    if not permissions.can_decide_role_request(actor, assignment):
        raise PermissionDenied
    return assignment


@transaction.atomic
def role_request_confirm(*, assignment: RoleAssignment, actor: User) -> RoleAssignment:
    """A second person confirms a governing role: from now on it takes effect."""
    assignment = _locked_request(assignment, actor)
    if assignment.valid_to is not None and assignment.valid_to < timezone.localdate():
        raise ValidationError(
            _(
                "Il periodo richiesto è già concluso: rifiuta la richiesta; se serve, se ne "
                "chiede una nuova."
            )
        )
    with audit_context(actor):
        assignment.status = RoleAssignmentStatus.CONFERMATO
        assignment.decided_by = actor
        assignment.decided_at = timezone.now()
        assignment.full_clean()
        _save(assignment, update_fields=["status", "decided_by", "decided_at"])
        user_groups_sync(user=assignment.user)
    return assignment


@transaction.atomic
def role_request_refuse(*, assignment: RoleAssignment, actor: User, reason: str) -> RoleAssignment:
    """A second person refuses a governing role, saying why; the request stays on record."""
    assignment = _locked_request(assignment, actor)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Per rifiutare una richiesta scrivi il motivo."))
    with audit_context(actor):
        assignment.status = RoleAssignmentStatus.RIFIUTATO
        assignment.decided_by = actor
        assignment.decided_at = timezone.now()
        assignment.refusal_reason = reason
        assignment.full_clean()
        _save(assignment, update_fields=["status", "decided_by", "decided_at", "refusal_reason"])
    return assignment


class BootstrapRefused(Exception):
    """The installation already has an Amministratore Unico."""


@transaction.atomic
def au_bootstrap(*, user: User, valid_from: datetime.date | None = None) -> RoleAssignment:
    """The first Amministratore Unico of an installation (``manage.py bootstrap_au``).

    Refused once a confirmed AU is in office (today or later): from then on a new AU is
    requested in the admin and confirmed by the Sindaco Unico.
    """
    with connection.cursor() as cursor:  # one bootstrap at a time
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('accounts_bootstrap_au'))")
    today = timezone.localdate()
    in_office = (
        RoleAssignment.objects.filter(
            role=Role.AMMINISTRATORE_UNICO, status=RoleAssignmentStatus.CONFERMATO
        )
        .overlapping(today, None)
        .select_related("user")
        .first()
    )
    if in_office is not None:
        raise BootstrapRefused(
            _(
                "C'è già un Amministratore Unico confermato (%(user)s): il nuovo si chiede "
                "nella gestione utenti e lo conferma il Sindaco Unico."
            )
            % {"user": in_office.user}
        )
    with audit_context(None, source="bootstrap_au"):
        return role_assignment_create(
            user=user,
            role=Role.AMMINISTRATORE_UNICO,
            valid_from=valid_from or today,
            note=_("Primo Amministratore Unico (manage.py bootstrap_au)"),
            actor=None,
        )
