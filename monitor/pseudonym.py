"""Host e-mails become a keyed hash (HMAC-SHA256) at ingest; the raw address is never stored.

The key comes from MONITOR_SECRET_KEY, or from `secret.key` in the home directory, created
with mode 0600 on first use. Keep it: a new key gives every host a new pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path

import polars as pl

from monitor.errors import ConfigError

ENV_KEY = "MONITOR_SECRET_KEY"


def load_key(key_file: Path) -> bytes:
    from_env = os.environ.get(ENV_KEY)
    if from_env:
        return from_env.encode("utf-8")
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    key = key_file.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ConfigError(f"{key_file} holds too short a key; delete it to create a new one")
    return key.encode("ascii")


def pseudonymise(key: bytes, email: str) -> str:
    normalised = email.strip().lower()
    return hmac.new(key, normalised.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def hash_column(key: bytes, emails: pl.Series) -> pl.Series:
    """Hash each distinct address once; empty and null addresses stay null."""
    distinct = emails.drop_nulls().unique()
    table = {e: pseudonymise(key, e) for e in distinct.to_list() if e.strip()}
    return emails.replace_strict(table, default=None, return_dtype=pl.String)
