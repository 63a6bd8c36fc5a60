"""The cryptography of supervision reports, all from libsodium (PyNaCl); nothing hand-made.

- Argon2id (`kdf`) turns an officer's password or a reporter's receipt into a 32-byte key.
- SecretBox (XSalsa20-Poly1305) encrypts with a symmetric key: report contents with the report's
  own key, private keys with a key from Argon2id.
- SealedBox (X25519) encrypts to a public key: a report key to each unit that may read it, a unit's
  private key to each officer of the unit.
"""

from __future__ import annotations

import hashlib
import hmac
import json

import nacl.pwhash.argon2id as argon2id
import nacl.utils
from django.conf import settings
from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox

KEY_BYTES = SecretBox.KEY_SIZE
SALT_BYTES = argon2id.SALTBYTES

# What a BinaryField reads back as: bytes, or a memoryview on PostgreSQL. Functions taking it call bytes().
type Binary = bytes | memoryview


def argon2_parameters() -> tuple[int, int]:
    """(opslimit, memlimit in bytes) from settings.SUPERVISION_ARGON2."""
    ops, mem = settings.SUPERVISION_ARGON2
    return int(ops), int(mem)


def kdf(secret: str, salt: bytes) -> bytes:
    ops, mem = argon2_parameters()
    return argon2id.kdf(KEY_BYTES, secret.encode(), salt, opslimit=ops, memlimit=mem)


def random_key() -> bytes:
    return nacl.utils.random(KEY_BYTES)


def random_salt() -> bytes:
    return nacl.utils.random(SALT_BYTES)


def encrypt(data: bytes, key: bytes) -> bytes:
    return bytes(SecretBox(key).encrypt(data))


def decrypt(data: Binary, key: bytes) -> bytes:
    return SecretBox(key).decrypt(bytes(data))


def new_keypair() -> tuple[bytes, bytes]:
    """(private, public) raw 32-byte keys."""
    private = PrivateKey.generate()
    return bytes(private), bytes(private.public_key)


def seal(data: bytes, public_key: Binary) -> bytes:
    return bytes(SealedBox(PublicKey(bytes(public_key))).encrypt(data))


def unseal(data: Binary, private_key: Binary) -> bytes:
    return SealedBox(PrivateKey(bytes(private_key))).decrypt(bytes(data))


def receipt_lookup(receipt: str, salt: bytes) -> str:
    """The stored form of a receipt: Argon2id with the installation's salt (so it can be looked up)."""
    return kdf(receipt, salt).hex()


def constant_equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a, b)


def fingerprint(public_key: Binary) -> str:
    return hashlib.sha256(bytes(public_key)).hexdigest()[:16]


def encrypt_json(data: dict, key: bytes) -> bytes:
    return encrypt(json.dumps(data, ensure_ascii=False).encode(), key)


def decrypt_json(data: Binary, key: bytes) -> dict:
    return json.loads(decrypt(bytes(data), key).decode())


def decrypt_text(data: Binary | None, key: bytes) -> str:
    return decrypt(bytes(data), key).decode() if data else ""
