"""Permission table of the archive (``/archivio/``).

Objects come from :func:`build_archive_objects`: one document in SIMF (coordinated by the
Coordinatore role user), one in SAD (``coord.sad``, where the Operatore works) and one of the
Direzione. "Own" is the document of the user's service (SIMF for the Direttore, who sees
every sector); "someone else's" the other service's: 404 for Coordinatori and Operatori, the
page for the Direttore. The AU, the Sindaco Unico and the OdV see what they are granted on
request; the table's users hold no grant, so every document route is 404 for them
(tests/archive/test_requests.py for what a grant gives).

Access requests (``/archivio/richieste/``): the OdV's request on SIMF, the AU's on SAD, the
Sindaco's on SIMF. "Own" is the requester's own request, or for a decider one he may decide
(SIMF for the Coordinatore, who coordinates it); "someone else's" another requester's, or a
SAD request for the Coordinatore. Deciding takes a fresh waiting request each time.
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


# The integrity checks: the Direttore and the OdV read them; the Direttore starts one.
INTEGRITY_READERS = frozenset({Role.DIRETTORE, Role.ODV})


def _checks(ctx, kwargs):
    from archive.models import IntegrityCheck

    return IntegrityCheck.objects.count()


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
    _route(
        "extraction_state",
        "document",
        note="JSON {pending}: the document page's poll while its text is extracted; no access "
        "recorded",
    ),
    Route("archive:integrity", allowed=INTEGRITY_READERS, note="last check and history"),
    Route(
        "archive:integrity",
        method="post",
        allowed=frozenset({Role.DIRETTORE}),
        ok_status=302,
        snapshot=_checks,
        note="queues a check for the worker; the OdV only reads",
    ),
]


# -- Access requests -------------------------------------------------------------------------

REQUESTERS = frozenset({Role.AMMINISTRATORE_UNICO, Role.SINDACO, Role.ODV})
DECIDERS = frozenset({Role.DIRETTORE, Role.COORDINATORE})
# Whose request on which service (SIMF: the Coordinatore role user's).
REQUEST_SECTORS = {Role.ODV: "simf", Role.AMMINISTRATORE_UNICO: "sad", Role.SINDACO: "simf"}


def new_request(ctx: dict, role: str, sector: str):
    """A waiting request of ``role`` on ``sector``, each with its own period (never a
    duplicate of one still waiting)."""
    from archive.actions import access_request_create

    ctx["request_serial"] = ctx.get("request_serial", 0) + 1
    return access_request_create(
        reason=f"Verifica {role} {sector}",
        service=ctx["services"][sector],
        date_from=datetime.date(2025, 1, 1) + datetime.timedelta(days=ctx["request_serial"]),
        date_to=datetime.date(2025, 12, 31),
        actor=ctx["users"][role],
    )


def _requests(ctx: dict) -> dict:
    if "access_requests" not in ctx:
        _objects(ctx)
        ctx["access_requests"] = {
            role: new_request(ctx, role, sector) for role, sector in REQUEST_SECTORS.items()
        }
    return ctx["access_requests"]


def _role_of(user, ctx) -> str | None:
    for role, holder in ctx["users"].items():
        if user is not None and holder.pk == user.pk:
            return role
    return None


def own_request(user, ctx) -> dict:
    requests, role = _requests(ctx), _role_of(user, ctx)
    return {"pk": requests[role if role in REQUESTERS else Role.ODV].pk}


def other_request(user, ctx) -> dict:
    requests, role = _requests(ctx), _role_of(user, ctx)
    if role == Role.ODV:
        return {"pk": requests[Role.AMMINISTRATORE_UNICO].pk}
    if role in REQUESTERS:
        return {"pk": requests[Role.ODV].pk}
    return {"pk": requests[Role.AMMINISTRATORE_UNICO].pk}  # SAD: not the Coordinatore's


def fresh_own_request(user, ctx) -> dict:
    """A new waiting request: the requester's own, or the OdV's on SIMF for a decider."""
    _requests(ctx)
    role = _role_of(user, ctx)
    if role in REQUESTERS:
        return {"pk": new_request(ctx, role, REQUEST_SECTORS[role]).pk}
    return {"pk": new_request(ctx, Role.ODV, "simf").pk}


def fresh_other_request(user, ctx) -> dict:
    _requests(ctx)
    return {"pk": new_request(ctx, Role.AMMINISTRATORE_UNICO, "sad").pk}


def _new_request_data(user, ctx, url) -> dict:
    return {
        "settore": str(ctx["services"]["simf"].pk),
        "anno": "2025",
        "motivo": "Verifica periodica dell'OdV sulla documentazione del servizio.",
    }


def _grant_data(user, ctx, url) -> dict:
    from django.utils import timezone

    until = timezone.localdate() + datetime.timedelta(days=30)
    return {"decisione": "concedi", "fino_al": until.isoformat(), "motivazione": ""}


def _request_count(ctx, kwargs):
    from archive.models import AccessDecision, AccessRequest

    return (AccessRequest.objects.count(), AccessDecision.objects.count())


ROUTES += [
    Route(
        "archive:access_request_list",
        allowed=REQUESTERS | DECIDERS,
        note="the requester's own; a decider's: those he may decide, waiting first",
    ),
    Route("archive:access_request_create", allowed=REQUESTERS),
    Route(
        "archive:access_request_create",
        allowed=REQUESTERS,
        method="post",
        data=_new_request_data,
        ok_status=302,
        snapshot=_request_count,
    ),
    Route(
        "archive:access_request_detail",
        allowed=REQUESTERS | DECIDERS,
        kwargs=own_request,
        other_object_kwargs=other_request,
        other_object_roles=REQUESTERS | {Role.COORDINATORE},
    ),
    Route(
        "archive:access_request_detail",
        allowed=DECIDERS,
        method="post",
        data=_grant_data,
        ok_status=302,
        kwargs=fresh_own_request,
        other_object_kwargs=fresh_other_request,
        other_object_roles=frozenset({Role.COORDINATORE}),
        snapshot=_request_count,
        note="grant or refuse; the requester cannot decide his own request",
    ),
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
