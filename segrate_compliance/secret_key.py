"""The SECRET_KEY of an installation that was given none: generated once, kept in DATA_DIR."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def load_or_create(data_dir: Path) -> str:
    """Read ``data_dir/secret_key``, creating it (mode 0600, 64 random bytes) if missing."""
    path = data_dir / "secret_key"
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_urlsafe(64))
    return path.read_text().strip()
