"""Who viewed or downloaded which version of a document, and when (Prot. 10 §6)."""

from __future__ import annotations

import pgtrigger
from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate
from accounts.validation import choices_check, datetime_range_check


class AccessKind(models.TextChoices):
    VIEW = "visualizzazione", _("Visualizzazione")
    DOWNLOAD = "scaricamento", _("Scaricamento")


@audited()
class DocumentAccess(models.Model):
    """One view of a document's page or download of a version. Written only by
    ``archive.actions.access_record``; append-only (trigger and privileges)."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+", verbose_name=_("chi")
    )
    at = models.DateTimeField(_("quando"), db_default=Now())
    version = models.ForeignKey(
        "archive.DocumentVersion",
        on_delete=models.PROTECT,
        related_name="accesses",
        verbose_name=_("versione"),
    )
    kind = models.CharField(_("accesso"), max_length=16, choices=AccessKind.choices)

    audit_append_only = True

    class Meta:
        verbose_name = _("accesso all'archivio")
        verbose_name_plural = _("accessi all'archivio")
        ordering = ["-at", "-pk"]
        constraints = [
            choices_check("archiveaccess", "kind", AccessKind),
            datetime_range_check("archiveaccess", "at"),
        ]
        triggers = [
            pgtrigger.Protect(
                name="access_append_only", operation=pgtrigger.Update | pgtrigger.Delete
            ),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.version}"
