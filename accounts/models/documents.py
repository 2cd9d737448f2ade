"""Downloads of documents (who, when, which record, which format)."""

from __future__ import annotations

import pgtrigger
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from accounts.audit import audited, no_truncate


class DocumentKind(models.TextChoices):
    PDF = "pdf", _("PDF")
    XLSX = "xlsx", _("XLSX (Excel)")


@audited()
class DocumentAccess(models.Model):
    """A download of a document: who, when, which record, in which format.

    Written only by ``accounts.actions.document_access_record``, called by every view that
    returns a PDF or XLSX. Append-only: the database refuses UPDATE, DELETE and TRUNCATE.
    """

    user = models.ForeignKey(
        "accounts.User",
        on_delete=models.PROTECT,
        related_name="document_accesses",
        verbose_name=_("utente"),
    )
    accessed_at = models.DateTimeField(_("scaricato il"), db_default=Now())
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("tipo di documento"),
    )
    object_id = models.CharField(_("numero del record"), max_length=64)
    kind = models.CharField(_("formato"), max_length=8, choices=DocumentKind.choices)
    filename = models.CharField(_("nome del file"), max_length=255)

    document = GenericForeignKey("content_type", "object_id")

    # Read by the database-role setup on main (accounts.db_privileges): the application role
    # gets no UPDATE or DELETE on this table, on top of the triggers below.
    audit_append_only = True

    class Meta:
        verbose_name = _("accesso a un documento")
        verbose_name_plural = _("accessi ai documenti")
        ordering = ["-accessed_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="documentaccess_doc")]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=DocumentKind.values), name="documentaccess_kind_known"
            ),
            models.CheckConstraint(
                condition=~Q(filename="") & ~Q(object_id=""), name="documentaccess_named"
            ),
        ]
        triggers = [
            pgtrigger.Protect(name="append_only", operation=pgtrigger.Update | pgtrigger.Delete),
            no_truncate(),
        ]

    def __str__(self) -> str:
        return self.filename
