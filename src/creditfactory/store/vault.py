"""Personal data at rest: keyed hashes to link, masks to show, AES-GCM to reveal.

Keys are derived from the service secret with HKDF under separate labels, so the hash key
never doubles as the encryption key. Ciphertexts carry a version prefix for key rotation.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Mapping
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from creditfactory.domain.identity import KeyedHasher
from creditfactory.store.errors import StoreError

__all__ = ["PersonalDataVault", "Sealed"]


@dataclass(frozen=True, slots=True)
class Sealed:
    """One personal value in its three stored forms."""

    hash: str
    masked: str
    encrypted: str


def _derive(secret: str, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(secret.encode())


class PersonalDataVault:
    """Seal and open personal values with keys derived from the service secret."""

    def __init__(self, secret_key: str) -> None:
        self._hash = KeyedHasher(_derive(secret_key, b"creditfactory/pii-hash/v1"))
        self._aead = AESGCM(_derive(secret_key, b"creditfactory/pii-encrypt/v1"))

    def hash(self, value: str, kind: str) -> str:
        """Keyed hash of ``value`` (the same value and kind always give the same hash)."""
        return self._hash(value, kind)

    def encrypt(self, value: str, kind: str) -> str:
        """Authenticated ciphertext bound to ``kind`` so a phone cannot pass as an ID."""
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, value.encode(), kind.encode())
        return "v1:" + base64.urlsafe_b64encode(nonce + ct).decode()

    def decrypt(self, token: str, kind: str) -> str:
        """Open a ciphertext made by :meth:`encrypt`; tampering raises ``StoreError``."""
        if not token.startswith("v1:"):
            raise StoreError("unknown personal-data ciphertext version")
        raw = base64.urlsafe_b64decode(token[3:])
        try:
            return self._aead.decrypt(raw[:12], raw[12:], kind.encode()).decode()
        except InvalidTag as exc:
            raise StoreError("personal data failed its integrity check") from exc

    def seal(self, value: str, kind: str, masked: str) -> Sealed:
        """All three stored forms of ``value``."""
        return Sealed(self.hash(value, kind), masked, self.encrypt(value, kind))

    def seal_columns(self, values: Mapping[str, tuple[str, str, str]]) -> dict[str, str]:
        """``{kind: (value, masked, matched)}`` as the columns ``<kind>_hash`` (of ``matched``,
        the form values are matched in), ``<kind>_masked`` and ``<kind>_enc`` (of ``value``,
        bound to its kind); one draw of randomness for all nonces."""
        nonces = os.urandom(12 * len(values))
        out: dict[str, str] = {}
        for n, (kind, (value, masked, matched)) in enumerate(values.items()):
            nonce = nonces[12 * n:12 * n + 12]
            ct = self._aead.encrypt(nonce, value.encode(), kind.encode())
            out[f"{kind}_hash"] = self._hash(matched, kind)
            out[f"{kind}_masked"] = masked
            out[f"{kind}_enc"] = "v1:" + base64.urlsafe_b64encode(nonce + ct).decode()
        return out
