"""A notification: something that waits for a person (or news they should see).

Ground floor, beside ``accounts``: it knows no business app. An app above sends one with
``notifications.actions.notification_send`` and names what it is about through a generic
reference (``target``), so that the same app can resolve it when the record no longer waits
(``notification_resolve``). The title is stored as its Italian source text (a gettext msgid)
with its parameters and translated when shown, so a person reading in English reads English.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited
from accounts.validation import PlausibleDate, datetime_range_check, text_checks

# "<app label>.<what happened>", e.g. "budgets.version_proposed": declared by the sending app.
KIND_PATTERN = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"
# A path of this site ("/budget/3/"), never another host ("//evil", "/\evil", "https:").
URL_PATTERN = r"^/([^/\\]|$)"
DATETIME = [PlausibleDate("datetime")]


class NotificationQuerySet(models.QuerySet["Notification"]):
    def waiting(self) -> NotificationQuerySet:
        """Unread and still waiting: what the count in the navigation counts."""
        return self.filter(read_at__isnull=True, resolved_at__isnull=True)


@audited()
class Notification(models.Model):
    """One notification for one person, with a link to its record."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="notifications",
        verbose_name=_("destinatario"),
    )
    kind = models.CharField(_("tipo"), max_length=80)
    title = models.CharField(_("titolo"), max_length=200)  # msgid, translated when shown
    params = models.JSONField(_("parametri del titolo"), default=dict, blank=True)
    url = models.CharField(_("collegamento"), max_length=300)
    target_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tipo di record"),
    )
    target_id = models.PositiveBigIntegerField(_("record"), null=True, blank=True)
    target = GenericForeignKey("target_type", "target_id")
    created_at = models.DateTimeField(_("creata il"), default=timezone.now, validators=DATETIME)
    read_at = models.DateTimeField(_("letta il"), null=True, blank=True, validators=DATETIME)
    resolved_at = models.DateTimeField(
        _("non più in attesa dal"), null=True, blank=True, validators=DATETIME
    )
    emailed_at = models.DateTimeField(
        _("inviata per e-mail il"), null=True, blank=True, validators=DATETIME
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notifica")
        verbose_name_plural = _("notifiche")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notification_by_recipient"),
            models.Index(
                fields=["recipient"],
                condition=Q(read_at__isnull=True, resolved_at__isnull=True),
                name="notification_waiting",
            ),
            models.Index(
                fields=["kind", "target_type", "target_id"],
                condition=Q(resolved_at__isnull=True),
                name="notification_to_resolve",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__regex=KIND_PATTERN),
                name="notification_kind_format",
                violation_error_message=_("Tipo di notifica non valido."),
            ),
            models.CheckConstraint(
                condition=Q(url__regex=URL_PATTERN),
                name="notification_url_local",
                violation_error_message=_("Il collegamento deve essere una pagina di questo sito."),
            ),
            models.CheckConstraint(
                condition=Q(target_type__isnull=True, target_id__isnull=True)
                | Q(target_type__isnull=False, target_id__isnull=False),
                name="notification_target_complete",
                violation_error_message=_("Riferimento al record incompleto."),
            ),
            *text_checks("notification", short=("kind", "title", "url")),
            datetime_range_check("notification", "created_at"),
            datetime_range_check("notification", "read_at"),
            datetime_range_check("notification", "resolved_at"),
            datetime_range_check("notification", "emailed_at"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        """The title in the current language, with its parameters."""
        try:
            return gettext(self.title) % self.params
        except (KeyError, TypeError, ValueError):
            return gettext(self.title)

    @property
    def is_waiting(self) -> bool:
        return self.read_at is None and self.resolved_at is None
