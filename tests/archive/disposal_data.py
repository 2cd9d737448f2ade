"""Shared data of the disposal tests: documents past retention, a proposal, a hold."""

from __future__ import annotations

import datetime

from accounts.roles import Role
from tests.archive.permission_table import document_classes, text_upload

OLD_DATE = datetime.date(2010, 3, 1)  # kept ten years: past retention since 2020


def expired_document(director, *, service=None, title="Verbale del 2010", text=None):
    """A document of ``service`` (None: the Direzione) whose retention ran out in 2020."""
    from archive.actions import document_store

    return document_store(
        title=title,
        document_class=document_classes()["verbali"],
        service=service,
        reference_date=OLD_DATE,
        upload=text_upload(f"{title}.txt", text or f"Verbale archiviato: {title}\n"),
        actor=director,
    )


def proposal_with(ctx: dict, *documents):
    """A waiting proposal of the Direttore listing ``documents``."""
    from archive.actions import disposal_propose

    return disposal_propose(
        actor=ctx["users"][Role.DIRETTORE], documents=[document.pk for document in documents]
    )
