"""Permission table of the archive (``/archivio/``).

Objects come from :func:`build_archive_objects`: one document in SIMF (coordinated by the
Coordinatore role user), one in SAD (``coord.sad``, where the Operatore works) and one of the
Direzione. "Own" is the document of the user's service (SIMF for the Direttore, who sees
every sector); "someone else's" the other service's: 404 for Coordinatori and Operatori, the
page for the Direttore. The AU, the Sindaco Unico and the OdV see what they are granted on
request (next session): today nothing, so every route is 404 for them.
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from tests.permission_harness import Route

# Who works with the archive today; Coordinatori and Operatori only in their own services.
VIEWERS = frozenset({Role.DIRETTORE, Role.COORDINATORE, Role.OPERATORE})
OWN_SERVICE_ROLES = frozenset({Role.COORDINATORE, Role.OPERATORE})
TEXT = "Verbale della riunione con l'Ufficio di Piano.\nPresenti: i referenti del Comune.\n"


def text_upload(name: str = "verbale.txt", text: str = TEXT) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/plain")


def document_classes() -> dict:
    from archive.models import DocumentClass, RetentionFrom

    return {
        "verbali": DocumentClass.objects.get_or_create(
            code="verbali-riunione", defaults={"name": "Verbali di riunione"}
        )[0],
        "contratti": DocumentClass.objects.get_or_create(
            code="contratti",
            defaults={"name": "Contratti", "retention_from": RetentionFrom.CONTRACT_END},
        )[0],
    }


def build_archive_objects(services: dict, director) -> dict:
    """A document (with its version 1) in SIMF, in SAD and of the Direzione."""
    from archive.actions import document_store

    classes = document_classes()
    objects: dict = {"classes": classes}
    for key, service in (("simf", services["simf"]), ("sad", services["sad"]), ("dir", None)):
        document = document_store(
            title=f"Verbale {key}",
            document_class=classes["verbali"],
            service=service,
            reference_date=datetime.date(2025, 4, 2),
            upload=text_upload(f"verbale-{key}.txt", f"{TEXT}{key}\n"),
            actor=director,
        )
        objects[key] = {"document": document, "version": document.versions.get()}
    return objects


def _objects(ctx: dict) -> dict:
    if "archive_objects" not in ctx:
        ctx["archive_objects"] = build_archive_objects(
            ctx["services"], ctx["users"][Role.DIRETTORE]
        )
    return ctx["archive_objects"]


def _own_key(user, ctx) -> str:
    works_in_sad = user is not None and user.pk in {
        ctx["services"]["coord_sad"].pk,
        ctx["users"][Role.OPERATORE].pk,
    }
    return "sad" if works_in_sad else "simf"


def _other_key(user, ctx) -> str:
    return "simf" if _own_key(user, ctx) == "sad" else "sad"


def own(name: str):
    def build(user, ctx):
        return {"pk": _objects(ctx)[_own_key(user, ctx)][name].pk}

    return build


def other(name: str):
    def build(user, ctx):
        return {"pk": _objects(ctx)[_other_key(user, ctx)][name].pk}

    return build


def _route(name: str, obj: str | None = None, **options) -> Route:
    if obj is None:
        return Route(f"archive:{name}", allowed=VIEWERS, **options)
    return Route(
        f"archive:{name}",
        allowed=VIEWERS,
        kwargs=own(obj),
        other_object_kwargs=other(obj),
        other_object_roles=OWN_SERVICE_ROLES,
        **options,
    )


def _new_document(user, ctx, url) -> dict:
    """A valid new document for the user's own service (a fresh file each time)."""
    classes = _objects(ctx)["classes"]
    return {
        "title": "Verbale della riunione di aprile",
        "document_class": str(classes["verbali"].pk),
        "sector": str(ctx["services"][_own_key(user, ctx)].pk),
        "reference_date": "2025-04-10",
        "formation": "b",
        "upload": text_upload("verbale-aprile.txt", f"{TEXT}aprile {url}\n"),
    }


def _new_version(user, ctx, url) -> dict:
    return {"upload": text_upload("verbale-v2.txt", f"{TEXT}seconda versione {url}\n")}


def _document_count(ctx, kwargs):
    from archive.models import Document, DocumentVersion

    return (Document.objects.count(), DocumentVersion.objects.count())


ROUTES = [
    _route("document_list", note="404 for whoever sees no document (AU, OdV, Sindaco: grants)"),
    _route("document_create"),
    _route(
        "document_create",
        method="post",
        data=_new_document,
        ok_status=302,
        snapshot=_document_count,
    ),
    _route("document_detail", "document", note="records a view of the newest version"),
    _route("document_delete", "document", note="GET: explains the retention"),
    _route(
        "document_delete",
        "document",
        method="post",
        ok_status=200,
        snapshot=_document_count,
        note="always refused with the date until which it is kept; nothing deleted",
    ),
    _route("version_create", "document"),
    _route(
        "version_create",
        "document",
        method="post",
        data=_new_version,
        ok_status=302,
        snapshot=_document_count,
    ),
    _route("version_download", "version", note="attachment, streamed; records the download"),
]


# -- Legal holds and disposal (Prot. 10 §6, issue 9) ---------------------------------------------
# Not per service: the Direttore, the AU and the OdV see every hold and proposal; the others
# nothing (404). The Direttore proposes, the AU decides, the AU and the OdV put and lift holds.

RETENTION_VIEWERS = frozenset({Role.DIRETTORE, Role.AMMINISTRATORE_UNICO, Role.ODV})
HOLD_MANAGERS = frozenset({Role.AMMINISTRATORE_UNICO, Role.ODV})


def _retention(ctx: dict, *, approved: bool = False) -> dict:
    """A candidate past retention, a waiting proposal, an active hold; on request an
    approved proposal with its certificate."""
    from archive.actions import disposal_approve, disposal_propose, hold_place
    from tests.archive.disposal_data import expired_document

    _objects(ctx)
    users = ctx["users"]
    if "retention" not in ctx:
        director = users[Role.DIRETTORE]
        waiting = expired_document(director, title="In proposta")
        ctx["retention"] = {
            "candidate": expired_document(director, title="Candidato"),
            "proposal": disposal_propose(actor=director, documents=[waiting.pk]),
            "hold": hold_place(
                actor=users[Role.AMMINISTRATORE_UNICO],
                reason="Contenzioso",
                service=ctx["services"]["sad"],
            ),
        }
    if approved and "approved" not in ctx["retention"]:
        director = users[Role.DIRETTORE]
        disposed = expired_document(director, title="Scartato")
        proposal = disposal_propose(actor=director, documents=[disposed.pk])
        ctx["retention"]["approved"] = disposal_approve(
            proposal=proposal, actor=users[Role.AMMINISTRATORE_UNICO]
        )
    return ctx["retention"]


def retention(name: str, **options):
    def build(user, ctx):
        return {"pk": _retention(ctx, **options)[name].pk}

    return build


def _proposal_data(user, ctx, url) -> dict:
    return {"documenti": [str(_retention(ctx)["candidate"].pk)], "nota": ""}


def _retention_state(ctx, kwargs):
    from archive.models import DisposalProposal, Document, LegalHold

    return (
        DisposalProposal.objects.count(),
        list(DisposalProposal.objects.order_by("pk").values_list("state", flat=True)),
        LegalHold.objects.filter(lifted_at__isnull=True).count(),
        Document.objects.filter(state="scartato").count(),
    )


ROUTES += [
    Route(
        "archive:disposal_list",
        allowed=RETENTION_VIEWERS,
        kwargs=None,
        snapshot=_retention_state,
        note="candidates and proposals",
    ),
    Route(
        "archive:disposal_list",
        method="post",
        allowed=frozenset({Role.DIRETTORE}),
        data=_proposal_data,
        ok_status=302,
        snapshot=_retention_state,
        note="the Direttore proposes the ticked candidates",
    ),
    Route(
        "archive:disposal_detail",
        allowed=RETENTION_VIEWERS,
        kwargs=retention("proposal"),
    ),
    Route(
        "archive:disposal_approve",
        method="post",
        allowed=frozenset({Role.AMMINISTRATORE_UNICO}),
        kwargs=retention("proposal"),
        ok_status=302,
        snapshot=_retention_state,
        note="disposes of the documents and archives the sealed certificate",
    ),
    Route(
        "archive:disposal_refuse",
        method="post",
        allowed=frozenset({Role.AMMINISTRATORE_UNICO}),
        kwargs=retention("proposal"),
        data={"motivazione": "Servono ancora"},
        ok_status=302,
        snapshot=_retention_state,
    ),
    Route(
        "archive:disposal_certificate",
        allowed=RETENTION_VIEWERS,
        kwargs=retention("approved", approved=True),
        note="the sealed PDF; records the download",
    ),
    Route("archive:hold_list", allowed=RETENTION_VIEWERS),
    Route(
        "archive:hold_list",
        method="post",
        allowed=HOLD_MANAGERS,
        data={"settore": "direzione", "motivazione": "Richiesta dell'autorità"},
        ok_status=302,
        snapshot=_retention_state,
    ),
    Route("archive:hold_lift", allowed=HOLD_MANAGERS, kwargs=retention("hold")),
    Route(
        "archive:hold_lift",
        method="post",
        allowed=HOLD_MANAGERS,
        kwargs=retention("hold"),
        data={"motivazione": "Definito"},
        ok_status=302,
        snapshot=_retention_state,
    ),
]
