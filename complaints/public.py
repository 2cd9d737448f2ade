"""The machinery of the public complaint pages (issue 10, "Public intake"): receipt codes,
the client's address, the rate limits, the one-time form token, the status lookup.

**Receipt codes.** A code is 12 characters drawn with ``secrets`` from an alphabet without
look-alikes (no 0/O, 1/I/L), about 59 bits, shown in groups of four (``ABCD-EFGH-JKMN``). Only
its HMAC-SHA256 is stored (``Complaint.receipt_code_hash``), keyed by
``settings.COMPLAINT_RECEIPT_KEY`` (or a key derived from ``SECRET_KEY``): a copy of the
database alone does not let anyone test codes. A lookup computes the HMAC of what was typed
and asks the database for that digest (a unique index): a code that does not exist and a code
of someone else's complaint mistyped take the same path and get the same message.

**Client address.** ``REMOTE_ADDR``; behind the project's trusted proxy
(``settings.BEHIND_PROXY``) the *last* ``X-Forwarded-For`` entry, the one the proxy appended:
the entries to its left are whatever the client sent, and trusting the first would let anyone
pick a new address for every request. Counters are keyed by an HMAC of the address, so the
cache holds no address in clear.

**Rate limits, and a cache that is down.** Fixed windows counted in Django's cache
(``cache.add`` then ``cache.incr``: atomic in Redis; the database cache, used only where no
Redis is configured, may lose a count when two hits race, never a claim). A cache is an
optimisation, never a dependency (``segrate_compliance/safe_cache.py``), but a flood guard
that cannot count guards nothing, so the two pages decide differently:

- the form's submissions **fail closed**: when the cache cannot be written, the form is
  refused with a 503 and an Italian message (telephone, e-mail and the offices still work),
  because the model keeps no address to count from and the double-submit guard needs the
  cache too;
- the status lookups **fail open** (logged): a code has about 59 bits, so guessing one in the
  time the cache is down is not a practical risk, and the citizen keeps the page.

**Double submit.** The form carries a signed one-time token (a random nonce, valid for
``FORM_TOKEN_MAX_AGE``). Before registering, the view claims the nonce with ``cache.add``
(one winner, even for two requests at the same instant); a second submit of the same form
finds it claimed and is sent to the receipt page of the first instead of creating another
complaint.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.crypto import salted_hmac

from complaints.models import Complaint, ComplaintStatus

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12
CODE_GROUP = 4
RECEIPT_SALT = "segrate.complaints.receipt-code"
ADDRESS_SALT = "segrate.complaints.client-address"
TOKEN_SALT = "segrate.complaints.public-form"  # noqa: S105 (a signing salt, not a secret)
FORM_TOKEN_MAX_AGE = 2 * 3600  # seconds: a form left open longer is sent again
CACHE_PREFIX = "complaints:public"
#: How long a second submit of the same form waits for the first to finish (seconds).
CLAIM_WAIT_SECONDS = 10.0
#: The session key where the receipt waits to be shown once.
RECEIPT_SESSION_KEY = "complaints_public_receipt"
HOUR = 3600


class CacheUnavailable(Exception):
    """The cache cannot be read or written: see the module's notes on what each page does."""


# -- Receipt codes -----------------------------------------------------------------------------


def new_receipt_code() -> str:
    """A fresh code, as stored (no separators): see :func:`format_code` to show it."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """``ABCDEFGHJKMN`` → ``ABCD-EFGH-JKMN`` (easier to read aloud and copy)."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def normalise_code(typed: str) -> str:
    """What was typed, upper case, without spaces and dashes."""
    return "".join(ch for ch in typed.upper() if ch not in " -\t")


def is_well_formed(code: str) -> bool:
    return len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code)


def _receipt_key() -> str:
    return settings.COMPLAINT_RECEIPT_KEY or settings.SECRET_KEY


def receipt_digest(code: str) -> str:
    """The stored form of a (normalised) code: HMAC-SHA256, 64 hex characters."""
    return salted_hmac(
        RECEIPT_SALT, normalise_code(code), secret=_receipt_key(), algorithm="sha256"
    ).hexdigest()


@dataclass(frozen=True)
class PublicStatus:
    """What the status page may show of a complaint: never the assignee, the notes, the
    timeline, the cause or the corrective action. The response is the complainant's own."""

    protocol: str
    service_name: str
    received_at: datetime.datetime
    status: str
    status_label: str
    response_date: datetime.date | None
    response_text: str


def status_for_code(typed: str) -> PublicStatus | None:
    """The public status of the complaint whose receipt code is ``typed``, or None.

    Every input takes the same path: its HMAC is computed (a malformed input is hashed like
    any other) and looked up by the unique index; the stored digest is then compared in
    constant time. None says nothing about whether any other code exists.
    """
    digest = receipt_digest(typed)
    found = (
        Complaint.objects.filter(receipt_code_hash=digest)
        .select_related("service")
        .only(
            "year",
            "number",
            "received_at",
            "status",
            "response_date",
            "response_text",
            "receipt_code_hash",
            "service__name",
        )
        .first()
    )
    if found is None or not hmac.compare_digest(found.receipt_code_hash or "", digest):
        return None
    answered = found.status in (ComplaintStatus.RISPOSTO, ComplaintStatus.CHIUSO)
    return PublicStatus(
        protocol=found.protocol,
        service_name=found.service.name,
        received_at=found.received_at,
        status=found.status,
        status_label=str(ComplaintStatus(found.status).label),
        response_date=found.response_date if answered else None,
        response_text=found.response_text if answered else "",
    )


# -- The client's address and the rate limits -------------------------------------------------


def client_address(request: HttpRequest) -> str:
    """The address the limits count (see the module's notes)."""
    if settings.BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
        if entries:
            return entries[-1][:64]
    return str(request.META.get("REMOTE_ADDR", ""))[:64]


def _address_key(address: str) -> str:
    return salted_hmac(ADDRESS_SALT, address, algorithm="sha256").hexdigest()[:32]


@dataclass(frozen=True)
class Limit:
    """A fixed-window limit: at most ``count`` hits per ``window`` seconds and address."""

    bucket: str
    count: int
    window: int


def submissions_limit() -> Limit:
    return Limit("submit", settings.PUBLIC_COMPLAINT_SUBMISSIONS_PER_HOUR, HOUR)


def attempts_limit() -> Limit:
    return Limit("attempt", settings.PUBLIC_COMPLAINT_ATTEMPTS_PER_HOUR, HOUR)


def lookups_limit() -> Limit:
    return Limit(
        "status",
        settings.PUBLIC_COMPLAINT_STATUS_LOOKUPS,
        settings.PUBLIC_COMPLAINT_STATUS_WINDOW_SECONDS,
    )


def _counter_key(limit: Limit, address: str) -> str:
    window_index = int(time.time()) // max(limit.window, 1)
    return f"{CACHE_PREFIX}:rl:{limit.bucket}:{_address_key(address)}:{window_index}"


def hit(limit: Limit, address: str) -> bool:
    """Count one hit of ``address``; False when it goes past the limit.

    Raises :class:`CacheUnavailable` when the cache cannot count (the caller decides)."""
    key = _counter_key(limit, address)
    try:
        cache.add(key, 0, timeout=limit.window)
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: this hit opens a new window
        try:
            cache.set(key, 1, timeout=limit.window)
        except Exception as error:
            raise CacheUnavailable from error
        count = 1
    except Exception as error:  # Redis down, a missing cache table
        logger.warning("complaints: rate limit %s not counted", limit.bucket, exc_info=True)
        raise CacheUnavailable from error
    return int(count) <= limit.count


def limits_reset(address: str) -> None:
    """Lift the current windows' counts of ``address`` (an administrator unblocking a
    citizen's office, the permission table between its requests)."""
    keys = [_counter_key(limit, address) for limit in (submissions_limit(), attempts_limit())]
    keys.append(_counter_key(lookups_limit(), address))
    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("complaints: rate limits not reset", exc_info=True)


def give_back(limit: Limit, address: str) -> None:
    """Undo one hit (a submission that registered nothing); best effort."""
    try:
        cache.decr(_counter_key(limit, address))
    except Exception:  # an expired window or no cache: nothing to give back
        logger.debug("complaints: rate limit %s not given back", limit.bucket, exc_info=True)


# -- The one-time form token ------------------------------------------------------------------


def new_form_token() -> str:
    return signing.dumps(secrets.token_urlsafe(18), salt=TOKEN_SALT)


def token_nonce(token: str) -> str | None:
    """The nonce of a valid, unexpired token; None otherwise."""
    try:
        nonce = signing.loads(token, salt=TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.BadSignature:  # also SignatureExpired
        return None
    return nonce if isinstance(nonce, str) and nonce else None


def _claim_key(nonce: str) -> str:
    return f"{CACHE_PREFIX}:token:{hashlib.sha256(nonce.encode()).hexdigest()}"


PENDING = "pending"
DONE = "done"


def claim(nonce: str) -> bool:
    """Claim the form's nonce for this request: False if another request has it.

    Raises :class:`CacheUnavailable` (submissions fail closed)."""
    try:
        return bool(cache.add(_claim_key(nonce), PENDING, timeout=FORM_TOKEN_MAX_AGE))
    except Exception as error:
        logger.warning("complaints: form token not claimed", exc_info=True)
        raise CacheUnavailable from error


def claim_done(nonce: str) -> None:
    try:
        cache.set(_claim_key(nonce), DONE, timeout=FORM_TOKEN_MAX_AGE)
    except Exception:  # the complaint is registered; a later double submit waits, then goes on
        logger.warning("complaints: form token not marked done", exc_info=True)


def release(nonce: str) -> None:
    """The claimed submission registered nothing: the same form may be sent again."""
    try:
        cache.delete(_claim_key(nonce))
    except Exception:
        logger.warning("complaints: form token not released", exc_info=True)


def wait_for_first(nonce: str, *, timeout: float = CLAIM_WAIT_SECONDS) -> str | None:
    """For a second submit: wait until the first one is done; its state (None: released)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = cache.get(_claim_key(nonce))
        except Exception:
            return PENDING
        if value != PENDING or time.monotonic() >= deadline:
            return value
        time.sleep(0.2)
