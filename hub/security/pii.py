"""Personal data at rest: ID and phone numbers are encrypted, and found again by a keyed hash.

Encryption is Fernet (AES-128-CBC + HMAC-SHA256, from `cryptography`); the lookup hash is
HMAC-SHA256, so nobody without the key can confirm a guessed ID number against the table.
Both keys derive from the one data key in settings with HKDF, each for its own purpose.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(key)


class PiiVault:
    """Encrypts, decrypts and hashes personal identifiers with keys derived from the data key."""

    def __init__(self, data_key: bytes) -> None:
        if len(data_key) < 32:
            raise ValueError("the data key must be at least 32 bytes")
        self._fernet = Fernet(base64.urlsafe_b64encode(_derive(data_key, b"hub-pii-encrypt")))
        self._hash_key = _derive(data_key, b"hub-pii-lookup")

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        return self._fernet.decrypt(token.encode()).decode()

    def lookup_hash(self, value: str) -> str:
        """Keyed hash of a normalised identifier: equal for equal values, useless without the key."""
        return hmac.new(self._hash_key, value.strip().upper().encode(), hashlib.sha256).hexdigest()
