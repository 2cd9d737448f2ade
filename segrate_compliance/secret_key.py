"""The SECRET_KEY of an installation that was given none: generated once, kept in DATA_DIR."""

from __future__ import annotations

import functools
import os
import secrets
from pathlib import Path

from django.utils.functional import lazy


def load_or_create(data_dir: Path) -> str:
    """Read ``data_dir/secret_key``, creating it (mode 0600, 64 random bytes) if missing."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "secret_key"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()


def lazy_key(data_dir: Path) -> str:
    """The key of ``data_dir``, read (or created) when first used rather than when the
    settings are imported: a lazy string, evaluated once per process."""
    return lazy(functools.cache(functools.partial(load_or_create, data_dir)), str)()
