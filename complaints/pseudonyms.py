"""Keyed pseudonyms of the people a complaint names, for the OdV (DESIGN.md: "the OdV sees
them pseudonymised").

The same name always gives the same pseudonym (compared case- and space-insensitively, as the
Registro attività compares them), so the OdV can tell that two complaints come from, or
concern, the same person without learning who. It is an HMAC-SHA256 keyed with a key derived
from SECRET_KEY (``django.utils.crypto.salted_hmac``): nobody can recompute it, or test a
guessed name against it, without the server's key. The digest is the one
``accounts.audit.pseudonym`` shows in the Registro attività, so a person reads the same there
and here. Pseudonyms are never stored: rotating SECRET_KEY changes them all.
"""

from __future__ import annotations

from django.utils.crypto import salted_hmac

from accounts.audit import PSEUDONYM_SALT

PREFIX = "P-"
LENGTH = 12


def person_pseudonym(name: str | None) -> str:
    """``P-`` and 12 hex digits for a name; empty for no name."""
    normalised = " ".join(str(name or "").split()).casefold()
    if not normalised:
        return ""
    digest = salted_hmac(PSEUDONYM_SALT, normalised, algorithm="sha256").hexdigest()
    return f"{PREFIX}{digest[:LENGTH]}"
