"""One-time links for activating a new account (Django's password-reset token machinery).

A new account has no usable password: the person chooses it through the link e-mailed to
them, so nobody else ever sets or learns it (issue 6, item 3). The token is Django's, with its
own salt (an activation link is no reset link, nor the other way round) and its own lifetime.
It stops working once used: the password, which is part of the signed value, has changed.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int

DEFAULT_ACTIVATION_TIMEOUT = int(datetime.timedelta(days=7).total_seconds())


def activation_timeout() -> int:
    """Seconds an activation link stays valid (``ACCOUNT_ACTIVATION_TIMEOUT``, 7 days)."""
    return getattr(settings, "ACCOUNT_ACTIVATION_TIMEOUT", DEFAULT_ACTIVATION_TIMEOUT)


class ActivationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.ActivationTokenGenerator"

    def check_token(self, user, token) -> bool:
        """Valid for an active account that has no password yet, within the timeout."""
        if not (user and token) or not user.is_active or user.has_usable_password():
            return False
        try:
            ts_b36, _hash = token.split("-")
            timestamp = base36_to_int(ts_b36)
        except ValueError:
            return False
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return False
        return (self._num_seconds(self._now()) - timestamp) <= activation_timeout()


activation_token = ActivationTokenGenerator()
