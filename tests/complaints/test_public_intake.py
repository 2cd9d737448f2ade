"""The public complaint pages (issue 10, "Public intake"): /reclami/invia/ and /reclami/stato/.

No account is needed. A submission registers a complaint with channel "modulo web" and gives a
receipt code shown once, of which only an HMAC is stored; the status page shows the state and,
once answered, the response, never staff data; both pages are rate-limited per address
through the real cache (Redis in the test settings); hostile input saves nothing.
"""

from __future__ import annotations

import re
import threading
import uuid
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from archive.models import Document, DocumentLink, DocumentVersion
from complaints import actions, public
from complaints.models import Channel, Complaint, ComplaintStep, ProtocolCounter
from tests.complaints.builders import answered, assigned, closed, register
from tests.complaints.permission_table_public import PUBLIC_ROUTES
from tests.permission_harness import check_anonymous, check_role

pytestmark = pytest.mark.django_db

SUBMIT = reverse("complaints:public_submit")
RECEIPT = reverse("complaints:public_receipt")
STATUS = reverse("complaints:public_status")
CODE_PATTERN = re.compile(r'id="codice-ricevuta">([A-Z0-9-]+)<')
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _own_cache_namespace(settings):
    """The real cache (Redis in the test settings, not a dummy), in a namespace of this test's
    own: counters and form tokens of other tests, also of a parallel worker, never count here
    (clearing the whole cache would wipe a parallel worker's)."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }


@pytest.fixture
def citizen():
    """An anonymous browser with CSRF checks on, as a real one."""
    return Client(enforce_csrf_checks=True)


def form_page(client: Client) -> dict:
    """GET the form; the hidden fields a browser would send back (CSRF and form token)."""
    response = client.get(SUBMIT)
    assert response.status_code == 200
    html = response.content.decode()
    return {
        "csrfmiddlewaretoken": re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1],
        "token": re.search(r'name="token" value="([^"]+)"', html)[1],
    }


def submission(client: Client, **changes) -> dict:
    data = {
        **form_page(client),
        "service": "sad",
        "complainant_kind": "familiare",
        "complainant_name": "Anna Neri",
        "complainant_email": "anna.neri@example.org",
        "complainant_phone": "",
        "person_served_name": "Piero Neri",
        "category": "tempi",
        "description": "L'operatrice non è venuta lunedì e nessuno ha avvisato.",
        "consent": "on",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def submit(client: Client, **changes):
    return client.post(SUBMIT, submission(client, **changes))


def errors(response) -> str:
    form = (response.context or {}).get("form")
    return str(form.errors.as_data()) if form is not None else response.content.decode()[:500]


def receipt_code(client: Client) -> str:
    response = client.get(RECEIPT)
    assert response.status_code == 200
    match = CODE_PATTERN.search(response.content.decode())
    assert match, "the receipt page shows no code"
    return match[1]


def status_page(client: Client, code: str):
    page = client.get(STATUS)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    return client.post(STATUS, {"csrfmiddlewaretoken": csrf, "code": code})


# -- The full path ------------------------------------------------------------------------------


def full_path(citizen, services, users, *, stand_in_registrar: bool):
    """Submit → code shown once → status "Ricevuto" → SAD's Coordinatore takes it, answers,
    closes → the status shows the new state and the response, never the internal data."""
    response = submit(citizen)
    assert response.status_code == 302, errors(response)
    assert response["Location"] == RECEIPT
    complaint = Complaint.objects.get()
    assert complaint.channel == Channel.MODULO_WEB
    assert complaint.created_by is None
    assert complaint.service == services["sad"] and complaint.status == "ricevuto"
    assert abs((timezone.now() - complaint.received_at).total_seconds()) < 60
    assert [(e.step, e.actor) for e in complaint.timeline.all()] == [
        (ComplaintStep.REGISTRATO, None)
    ]

    code = receipt_code(citizen)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    assert not set(code) & set("01ILO")
    # Only the keyed hash is stored: not the code, nor its plain SHA-256.
    assert complaint.receipt_code_hash == public.receipt_digest(code)
    assert code.replace("-", "") not in complaint.receipt_code_hash
    import hashlib

    assert complaint.receipt_code_hash != hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    # Shown once: a reload of the receipt page no longer has it.
    assert not CODE_PATTERN.search(citizen.get(RECEIPT).content.decode())

    page = status_page(Client(), code).content.decode()
    assert complaint.protocol in page and "SAD" in page and "Ricevuto" in page
    assert 'id="risposta"' not in page

    coordinator = users["coord_sad"]
    if stand_in_registrar:
        # See test_the_full_path_with_the_staff_actions_as_they_are below.
        Complaint.objects.filter(pk=complaint.pk).update(created_by=coordinator)
        complaint.refresh_from_db()
    assigned(complaint, actor=coordinator, assignee=coordinator)
    actions.complaint_note(
        complaint=complaint, note="Nota interna: sentita l'operatrice Bruna.", actor=coordinator
    )
    page = status_page(Client(), code.lower().replace("-", " ")).content.decode()
    assert "In istruttoria" in page
    assert "Bruna" not in page and coordinator.last_name not in page

    answered(complaint, actor=coordinator)
    closed(complaint, actor=coordinator)
    page = status_page(Client(), code).content.decode()
    assert "Chiuso" in page
    assert "Abbiamo riorganizzato i turni" in page  # the response, addressed to the citizen
    assert timezone.localdate().strftime("%d/%m/%Y") in page
    for internal in ("Turni sovrapposti", "Nuovo calendario", "Bruna", "Anna Neri"):
        assert internal not in page


def test_the_full_path_submit_code_status_handling_response(citizen, services, users):
    """The whole path. The staff's actions (complaint_assign, _respond, _close) run
    ``full_clean()`` on the complaint, and ``Complaint.created_by`` is not ``blank=True`` yet:
    on a complaint of the public form (no registering person) they would refuse. Until the
    model says ``blank=True`` (the core's models.py), the test gives it a stand-in registrar."""
    full_path(citizen, services, users, stand_in_registrar=True)


def test_the_full_path_with_the_staff_actions_as_they_are(citizen, services, users):
    full_path(citizen, services, users, stand_in_registrar=False)


def test_a_public_complaint_tells_the_services_coordinator(citizen, services, users):
    """The Coordinatore of SAD is told, as for one registered by staff (ids only)."""
    from notifications.models import Notification

    submit(citizen)
    note = Notification.objects.get(kind="complaints.registered")
    assert note.recipient == users["coord_sad"]
    assert "Neri" not in str(note.params)


def test_a_conduct_complaint_from_the_form_is_flagged_to_the_odv(citizen, services, users):
    submit(citizen, category="comportamento-operatore")
    assert Complaint.objects.get().flagged_to_odv


def test_the_form_offers_active_services_by_name_only(citizen, services, users):
    """Active services by their public name; no id, no inactive service, no staff menu."""
    services["simf"].active = False
    services["simf"].save()
    html = citizen.get(SUBMIT).content.decode()
    assert '<option value="sad">SAD</option>' in html
    assert "SIMF" not in html
    assert "Navigazione principale" not in html and "Esci" not in html


# -- Codes: wrong and missing look the same ----------------------------------------------------


def test_a_wrong_code_and_a_missing_code_get_the_same_answer(citizen, services, users):
    submit(citizen)
    code = receipt_code(citizen).replace("-", "")
    wrong = ("A" if code[0] != "A" else "B") + code[1:]  # one character off a real code
    missing = "ZZZZ-ZZZZ-ZZZZ"
    pages = [status_page(Client(), typed) for typed in (wrong, missing)]
    assert [page.status_code for page in pages] == [200, 200]
    bodies = [
        re.sub(r'value="[^"]+"', "", page.content.decode()) for page in pages
    ]  # CSRF tokens differ
    assert bodies[0] == bodies[1]
    assert "Nessun reclamo corrisponde a questo codice" in bodies[0]


def test_the_lookup_takes_the_hash_path_for_any_input(services, users):
    """Well formed or not, the input is hashed and looked up by the unique digest: one query,
    the same for a wrong and a missing code (no early exit that would time differently)."""
    from django.test.utils import CaptureQueriesContext

    for typed in ("ZZZZZZZZZZZZ", "", "<script>", "AAAA-AAAA-AAA"):
        with CaptureQueriesContext(connection) as queries:
            assert public.status_for_code(typed) is None
        assert len(queries) == 1
        assert "receipt_code_hash" in queries[0]["sql"]


def test_a_malformed_code_says_what_a_code_looks_like(citizen, services, users):
    page = status_page(citizen, "12345").content.decode()
    assert "Il codice ha 12 caratteri" in page


def test_the_code_is_random_and_from_the_unambiguous_alphabet():
    codes = {public.new_receipt_code() for _ in range(200)}
    assert len(codes) == 200
    assert all(len(code) == 12 and set(code) <= set(public.CODE_ALPHABET) for code in codes)


def test_the_digest_is_keyed(settings):
    """Another key gives another digest: a copy of the database alone cannot test codes."""
    first = public.receipt_digest("ABCDEFGHJKMN")
    settings.COMPLAINT_RECEIPT_KEY = "another-key-for-receipt-codes"
    assert public.receipt_digest("ABCDEFGHJKMN") != first
    assert len(first) == 64


# -- Double submit, post/redirect/get -----------------------------------------------------------


def test_a_double_submit_creates_one_complaint(citizen, services, users):
    """The same form sent twice (a double click, a resend after "back"): one complaint, and
    the second answer is the first one's receipt page."""
    data = submission(citizen)
    first = citizen.post(SUBMIT, data)
    second = citizen.post(SUBMIT, data)
    assert first.status_code == second.status_code == 302
    assert second["Location"] == RECEIPT
    assert Complaint.objects.count() == 1
    assert CODE_PATTERN.search(citizen.get(RECEIPT).content.decode())


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_of_one_form_create_one_complaint(services, users):
    """Two requests with the same form at the same instant: the cache's atomic claim lets one
    register; the other waits for it and is sent to the receipt."""
    browser = Client()
    data = submission(browser)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def send():
        barrier.wait()
        try:
            results.append(Client().post(SUBMIT, data).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [302, 302]
    assert Complaint.objects.count() == 1


def test_an_expired_or_forged_token_saves_nothing(citizen, services, users):
    response = submit(citizen, token="forged")
    assert response.status_code == 200
    assert "Il modulo è scaduto o non è valido" in response.content.decode()
    assert not Complaint.objects.exists()


def test_csrf_stays_on(citizen, services, users):
    data = submission(citizen)
    data.pop("csrfmiddlewaretoken")
    assert citizen.post(SUBMIT, data).status_code == 403
    assert not Complaint.objects.exists()


# -- Rate limits ------------------------------------------------------------------------------


def test_submissions_past_the_limit_get_a_429(citizen, services, users, settings):
    settings.PUBLIC_COMPLAINT_SUBMISSIONS_PER_HOUR = 2
    assert submit(citizen).status_code == 302
    assert submit(citizen).status_code == 302
    response = submit(citizen)
    assert response.status_code == 429
    assert "Troppe richieste" in response.content.decode()
    assert response["Retry-After"] == "3600"
    assert Complaint.objects.count() == 2
    # Another address is not limited by this one's complaints.
    other = Client(REMOTE_ADDR="198.51.100.7")
    assert submit(other).status_code == 302
    # Really counted in the cache: lifting the address's count lets it submit again.
    public.limits_reset("127.0.0.1")
    assert submit(citizen).status_code == 302


def test_the_default_limit_is_five_submissions_an_hour(citizen, services, users):
    for _ in range(5):
        assert submit(citizen).status_code == 302
    assert submit(citizen).status_code == 429
    assert Complaint.objects.count() == 5


def test_invalid_submissions_count_as_attempts(citizen, services, users, settings):
    settings.PUBLIC_COMPLAINT_ATTEMPTS_PER_HOUR = 3
    for _ in range(3):
        assert submit(citizen, description="").status_code == 200
    assert submit(citizen).status_code == 429
    assert not Complaint.objects.exists()


def test_status_lookups_past_the_limit_get_a_429(services, users, settings):
    settings.PUBLIC_COMPLAINT_STATUS_LOOKUPS = 20
    browser = Client()
    for _ in range(20):
        assert status_page(browser, "ZZZZ-ZZZZ-ZZZZ").status_code == 200
    response = status_page(browser, "ZZZZ-ZZZZ-ZZZZ")
    assert response.status_code == 429
    assert response["Retry-After"] == "600"
    assert "Troppe richieste" in response.content.decode()


def test_behind_the_proxy_the_address_is_the_one_it_appended(rf, settings):
    """The last X-Forwarded-For entry (the proxy's own), never one the client chose; without
    the setting the header is ignored."""
    request = rf.post(STATUS, HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    settings.BEHIND_PROXY = False
    assert public.client_address(request) == "10.0.0.2"
    settings.BEHIND_PROXY = True
    assert public.client_address(request) == "203.0.113.9"


def test_with_the_cache_down_submissions_fail_closed_and_lookups_stay_open(
    citizen, services, users
):
    data = submission(citizen)
    with mock.patch.object(cache, "incr", side_effect=ConnectionError("redis down")):
        response = citizen.post(SUBMIT, data)
        lookup = status_page(Client(), "ZZZZ-ZZZZ-ZZZZ")
    assert response.status_code == 503
    assert "non possiamo ricevere reclami" in response.content.decode()
    assert not Complaint.objects.exists()
    assert lookup.status_code == 200


# -- Hostile input, attachments ------------------------------------------------------------------


def test_an_executable_renamed_pdf_leaves_no_complaint_and_no_document(citizen, services, users):
    exe = SimpleUploadedFile("referto.pdf", b"MZ\x90\x00" + b"\x00" * 200)
    response = submit(citizen, attachments=exe)
    assert response.status_code == 200
    html = response.content.decode()
    assert "referto.pdf" in html and "non" in html
    assert not Complaint.objects.exists()
    assert not Document.objects.exists()
    assert not ProtocolCounter.objects.filter(last_number__gt=0).exists()


def test_a_refusal_inside_the_action_rolls_back_everything(services, users):
    """Should a file pass the form and be refused by the archive after all (checked again
    there), neither the complaint nor its number nor any document stays."""
    from complaints.forms_public import PublicComplaintForm

    form = PublicComplaintForm(
        submission(Client()), {"attachments": [SimpleUploadedFile("a.pdf", PDF)]}
    )
    assert form.is_valid(), form.errors
    bad = SimpleUploadedFile("b.pdf", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError, match="pagine web"):
        actions.complaint_submit_public(
            complaint=form.instance,
            receipt_digest=public.receipt_digest("ABCDEFGHJKMN"),
            attachments=[SimpleUploadedFile("a.pdf", PDF), bad],
        )
    assert not Complaint.objects.exists()
    assert not Document.objects.exists()
    assert not ProtocolCounter.objects.filter(last_number__gt=0).exists()


def test_a_good_attachment_is_archived_in_class_reclami_linked_to_the_complaint(
    citizen, services, users
):
    response = submit(citizen, attachments=SimpleUploadedFile("foto-orari.pdf", PDF))
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    document = Document.objects.get()
    assert document.document_class.code == "reclami"
    assert document.service == services["sad"]
    link = DocumentLink.objects.get()
    assert link.object_id == str(complaint.pk)
    version = DocumentVersion.objects.get()
    assert version.metadata["produzione"]["prodotto_da"] == actions.PUBLIC_INTAKE_PRODUCER
    account = document.created_by
    assert account.username == actions.PUBLIC_INTAKE_USERNAME
    assert not account.is_active and not account.has_usable_password()


def test_too_many_attachments_are_refused(citizen, services, users, settings):
    settings.PUBLIC_COMPLAINT_MAX_ATTACHMENTS = 2
    files = [SimpleUploadedFile(f"f{i}.pdf", PDF) for i in range(3)]
    response = submit(citizen, attachments=files)
    assert response.status_code == 200
    assert "al massimo 2 file" in response.content.decode()
    assert not Complaint.objects.exists() and not Document.objects.exists()


def test_an_oversized_attachment_is_refused(citizen, services, users, settings):
    settings.PUBLIC_COMPLAINT_MAX_ATTACHMENT_BYTES = 100
    response = submit(citizen, attachments=SimpleUploadedFile("grande.pdf", PDF))
    assert response.status_code == 200
    assert not Complaint.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("description", "x" * 10_001, "10000"),
        ("complainant_name", "A" * 201, "200"),
        ("complainant_name", "Anna\u202eNeri", "caratteri di controllo"),
        ("description", "ciao\x00mondo", "caratteri"),
        ("complainant_email", "non-una-mail", "e-mail"),
        ("complainant_phone", "chiamami", "telefono"),
        ("service", "nessuno", "Scegli"),
        ("category", "inventata", "Scegli"),
        ("complainant_kind", "sindaco", "Scegli"),
        ("consent", None, "acconsentire"),
        ("description", "   ", "obbligatorio"),
    ],
)
def test_bad_input_is_refused_in_italian_and_saves_nothing(
    citizen, services, users, field, value, message
):
    response = submit(citizen, **{field: value})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Il reclamo non è stato inviato" in html
    assert message.lower() in html.lower().replace(".", "")
    assert f'href="#id_{field}' in html  # the error links to its field
    assert not Complaint.objects.exists()


def test_a_contact_is_required(citizen, services, users):
    response = submit(citizen, complainant_email="", complainant_phone="")
    assert "almeno un recapito" in response.content.decode()
    assert not Complaint.objects.exists()


def test_html_in_the_texts_is_kept_as_typed_and_shown_escaped(citizen, services, users):
    """HTML and script are stored as text and never run: escaped on the staff's page too."""
    script = "<script>alert('x')</script><b>grassetto</b>"
    response = submit(citizen, description=script, complainant_name="<img src=x onerror=1>")
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    assert complaint.description == script
    staff = Client()
    staff.force_login(users["direttore"])
    from accounts import mfa

    with mock.patch.object(mfa, "mfa_needed", return_value=False):
        page = staff.get(reverse("complaints:complaint_detail", kwargs={"pk": complaint.pk}))
    html = page.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "<img src=x" not in html


def test_a_bad_form_shows_errors_escaped(citizen, services, users):
    response = submit(citizen, description="<script>alert(1)</script>", consent=None)
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


PRINTABLE = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    name=PRINTABLE,
    phone=st.text(max_size=50),
    email=st.text(max_size=60),
    description=PRINTABLE,
    kind=st.sampled_from(["utente", "familiare", "ente", "altro", "", "x" * 30]),
    minor=st.sampled_from(["on", "", "forse"]),
)
def test_any_public_input_gives_a_page_never_a_500(
    services, users, name, phone, email, description, kind, minor
):
    """Whatever is typed, the answer is the receipt (a complaint whose texts are exactly what
    was typed, stripped) or the form again with nothing saved; never a server error."""
    public.limits_reset("127.0.0.1")
    browser = Client()
    before = Complaint.objects.count()
    response = browser.post(
        SUBMIT,
        submission(
            browser,
            complainant_name=name,
            complainant_phone=phone,
            complainant_email=email,
            description=description,
            complainant_kind=kind,
            person_served_is_minor=minor,
        ),
    )
    assert response.status_code in (200, 302)
    if response.status_code == 302:
        complaint = Complaint.objects.order_by("-pk").first()
        assert complaint.description == description.strip()
        assert complaint.channel == Channel.MODULO_WEB
    else:
        assert Complaint.objects.count() == before


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(typed=st.text(max_size=60))
def test_any_typed_code_finds_nothing_and_never_fails(typed):
    assert public.status_for_code(typed) is None


def test_staff_see_the_public_complaint_with_channel_modulo_web(citizen, services, users):
    submit(citizen)
    staff = Client()
    staff.force_login(users["coord_sad"])
    page = staff.get(reverse("complaints:complaint_list") + "?channel=modulo_web")
    assert Complaint.objects.get().protocol in page.content.decode()


def test_a_staff_registered_complaint_has_no_receipt_code(services, users):
    complaint = register(service=services["sad"], actor=users["operatore"])
    assert complaint.receipt_code_hash is None


# -- Permission table rows and staff data -----------------------------------------------------


@pytest.fixture
def table_ctx(role_users, services, qualifications):
    return {"users": role_users, "services": services, "qualifications": qualifications}


@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=str)
def test_public_routes_for_anonymous_visitors(client, route, table_ctx):
    assert check_anonymous(client, route, table_ctx) is None


@pytest.mark.parametrize("role", [*Role.values, None], ids=lambda r: r or "senza-ruolo")
@pytest.mark.parametrize("route", PUBLIC_ROUTES, ids=str)
def test_public_routes_for_every_role(client, route, role, table_ctx, make_user):
    user = table_ctx["users"][role] if role else make_user(None)
    assert check_role(client, route, user, role, table_ctx) is None


def test_the_public_pages_show_no_staff_data_to_anyone(client, services, users, role_users):
    """A complaint with planted internal data, answered and closed: its status page, the form
    and the receipt page, to an anonymous visitor and to every role, show none of it, nor the
    staff's navigation."""
    code = "ABCD-EFGH-JKMN"
    complaint = register(
        service=services["sad"],
        actor=users["operatore"],
        complainant_name="Marcatore Nomeinterno",
        description="Descrizione MARCATORE-DESCR",
    )
    Complaint.objects.filter(pk=complaint.pk).update(receipt_code_hash=public.receipt_digest(code))
    coordinator = users["coord_sad"]
    assigned(complaint, actor=coordinator, assignee=coordinator)
    actions.complaint_note(complaint=complaint, note="MARCATORE-NOTA", actor=coordinator)
    actions.complaint_odv_summary_save(
        complaint=complaint, summary="MARCATORE-SINTESI", actor=coordinator
    )
    answered(complaint, actor=coordinator)
    actions.complaint_close(
        complaint=complaint,
        root_cause="MARCATORE-CAUSA",
        corrective_action="MARCATORE-AZIONE",
        complainant_satisfied=False,
        actor=coordinator,
    )
    markers = [
        "Nomeinterno",
        "MARCATORE-DESCR",
        "MARCATORE-NOTA",
        "MARCATORE-SINTESI",
        "MARCATORE-CAUSA",
        "MARCATORE-AZIONE",
        coordinator.username,
        coordinator.last_name,
        "Navigazione principale",
        reverse("complaints:complaint_list") + '"',
    ]
    for user in [None, *role_users.values()]:
        public.limits_reset("127.0.0.1")
        browser = Client()
        if user is not None:
            browser.force_login(user)
        pages = [
            status_page(browser, code).content.decode(),
            browser.get(SUBMIT).content.decode(),
            browser.get(RECEIPT).content.decode(),
        ]
        assert "Abbiamo riorganizzato i turni" in pages[0]
        for page in pages:
            for marker in markers:
                assert marker not in page, (user, marker)


def test_the_public_pages_are_never_stored_and_the_code_is_not_in_a_url(citizen, services, users):
    response = submit(citizen)
    assert response["Location"] == RECEIPT  # the code travels in the session, not the URL
    receipt = citizen.get(RECEIPT)
    for page in (receipt, citizen.get(SUBMIT), citizen.get(STATUS)):
        assert "no-store" in page["Cache-Control"]


def test_an_account_named_like_the_technical_one_that_can_sign_in_is_never_used(
    citizen, services, users, make_user
):
    """Should someone create a real "modulo-web" account, attachments are not stored in its
    name: the submission fails and nothing is saved."""
    make_user(None, username=actions.PUBLIC_INTAKE_USERNAME)
    with pytest.raises(RuntimeError):
        submit(citizen, attachments=SimpleUploadedFile("orari.pdf", PDF))
    assert not Complaint.objects.exists() and not Document.objects.exists()
