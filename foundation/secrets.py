"""Tokens: random, shown once, stored only as hashes, compared in constant time."""

import hashlib
import hmac
import secrets
from pathlib import Path

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> bytes:
    # Tokens carry 256 bits of entropy, so a plain SHA-256 cannot be brute-forced
    # and keeps lookups cheap; a slow password hash would buy nothing here.
    return hashlib.sha256(token.encode()).digest()


def token_matches(presented: str, stored_hash: bytes) -> bool:
    return hmac.compare_digest(hash_token(presented), stored_hash)


def admin_token(home: Path, configured: str | None) -> str:
    """The admin token: configured, else generated once and kept under `home`."""
    if configured:
        return configured
    path = home / "admin_token"
    if path.exists():
        return path.read_text().strip()
    home.mkdir(parents=True, exist_ok=True)
    token = new_token()
    path.write_text(token + "\n")
    path.chmod(0o600)
    return token
