"""Encryption of single sensitive fields (e.g. a member's ID-card number) with a key kept outside the database.

The key is `settings.FIELD_ENCRYPTION_KEY` (32 bytes, from the environment or a file, see settings.py); two
sub-keys are derived from it with keyed BLAKE2b: one encrypts (libsodium SecretBox: XSalsa20-Poly1305, a random
nonce per value), the other makes a keyed lookup hash, so a value can be found by exact match (and kept unique)
without storing it in clear or in a form that a dictionary of all ID numbers could reverse without the key.
"""

from __future__ import annotations

import functools

from django.conf import settings
from nacl import hash as nacl_hash
from nacl import secret
from nacl.encoding import HexEncoder, RawEncoder


@functools.cache
def _subkey(purpose: bytes) -> bytes:
    master = settings.FIELD_ENCRYPTION_KEY
    return nacl_hash.blake2b(b"", key=master, person=purpose.ljust(16, b"\0")[:16], digest_size=32, encoder=RawEncoder)


def encrypt(text: str) -> bytes:
    return bytes(secret.SecretBox(_subkey(b"dj-field-enc")).encrypt(text.encode()))


def decrypt(data: bytes | memoryview) -> str:
    return secret.SecretBox(_subkey(b"dj-field-enc")).decrypt(bytes(data)).decode()


def lookup_hash(text: str) -> str:
    """A keyed hash of `text` (64 hex characters): equal values give equal hashes, nothing else is revealed."""
    return nacl_hash.blake2b(
        text.encode(), key=_subkey(b"dj-field-lookup"), digest_size=32, encoder=HexEncoder
    ).decode()


def clear_keys() -> None:
    """Forget the derived keys (tests that change the setting)."""
    _subkey.cache_clear()
