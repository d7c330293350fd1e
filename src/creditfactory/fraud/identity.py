"""Applications turned into keyed-hash identity columns, the only form the graph ever stores.

Each personal value (phone, contact phones, device, IP, bank card, addresses, company, resident
ID) becomes the first 64 bits of ``HMAC-SHA256(key, "namespace:value")`` — the same bits as
:func:`creditfactory.domain.identity.keyed_hash` — as an unsigned integer, 0 when missing.
Own and contact phones share the ``phone`` namespace so that a contact who is another
applicant links the two. Raw values are factorised first so each distinct value is hashed
once.

One application's record (:func:`record_identity`) is kept with the application in a compact
binary form (:func:`pack_identity`), so that reading it back costs no decryption and no hashing.
"""

from __future__ import annotations

import hashlib
import math
import struct
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from creditfactory.fraud._hmac_kernel import hmac_sha256_prefix64

__all__ = [
    "HASH_COLUMNS",
    "LINK_COLUMNS",
    "SELF_COLUMNS",
    "applied_second",
    "PACKED_COLUMNS",
    "hash_strings",
    "identity_frame",
    "identity_table",
    "pack_identity",
    "record_identity",
    "unpack_identity",
]

# column in the identity table -> (source column, hash namespace)
HASH_COLUMNS: dict[str, tuple[str, str]] = {
    "phone": ("phone", "phone"),
    "contact_1": ("contact_phones", "phone"),
    "contact_2": ("contact_phones", "phone"),
    "contact_3": ("contact_phones", "phone"),
    "device": ("device_id", "device"),
    "ip": ("ip", "ip"),
    "bank_card": ("bank_card", "bank_card"),
    "home_address": ("home_address", "home_address"),
    "business_address": ("business_address", "business_address"),
    "uscc": ("uscc", "uscc"),
    "business_name": ("business_name", "business_name"),
    "channel": ("channel_id", "channel"),
    "resident_id": ("resident_id", "resident_id"),
}
# identity column -> link kind (resident_id is an identity, not a link: it feeds the rules)
LINK_COLUMNS: dict[str, str] = {
    "phone": "phone",
    "contact_1": "contact",
    "contact_2": "contact",
    "contact_3": "contact",
    "device": "device",
    "ip": "ip",
    "bank_card": "bank_card",
    "home_address": "home_address",
    "business_address": "business_address",
    "uscc": "uscc",
    "business_name": "business_name",
    "channel": "channel",
}
# the values a returning customer keeps: the impersonation rule asks whether any came back
SELF_COLUMNS: tuple[str, ...] = ("phone", "device", "bank_card", "home_address", "uscc")


def hash_strings(values: pd.Series | np.ndarray, key: bytes, namespace: str) -> np.ndarray:
    """Keyed 64-bit hashes of ``values`` (uint64), 0 for missing or empty strings.

    >>> h = hash_strings(pd.Series(["13800000000", "", None, "13800000000"]), b"k", "phone")
    >>> bool(h[0] == h[3] and h[0] != 0 and h[1] == 0 and h[2] == 0)
    True
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    table = np.zeros(len(uniques) + 1, dtype=np.uint64)
    texts = np.asarray(uniques, dtype=object)
    if pd.api.types.infer_dtype(texts, skipna=False) != "string":
        texts = np.array([v if v.__class__ is str else "" if _missing(v) or not v else f"{v}"
                          for v in texts], dtype=object)
    strings = pa.array(texts, type=pa.large_string())
    _, offsets, data = strings.buffers()
    table[:-1] = hmac_sha256_prefix64(
        key, f"{namespace}:".encode(),
        np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, np.uint8),
        np.frombuffer(offsets, dtype=np.int64)[strings.offset:strings.offset + len(strings) + 1])
    return table[np.where(codes < 0, len(uniques), codes)]


def identity_table(applications: pd.DataFrame, key: bytes) -> pd.DataFrame:
    """The hashed identity of each application: ids, time, channel and one uint64 per value."""
    out = pd.DataFrame(
        {
            "application_id": applications["application_id"].to_numpy(np.int64),
            "applied_at": applied_seconds(applications["applied_at"]),
            "channel_id": applications["channel_id"].astype(str).to_numpy(),
        }
    )
    contacts = (
        applications["contact_phones"].fillna("").astype(str).str.split(",", n=2, expand=True)
    )
    for column, (source, namespace) in HASH_COLUMNS.items():
        if column.startswith("contact_"):
            part = int(column[-1]) - 1
            src = contacts[part] if part in contacts.columns else pd.Series([""] * len(out))
            out[column] = hash_strings(src.to_numpy(), key, namespace)
        else:
            out[column] = hash_strings(applications[source].to_numpy(), key, namespace)
    return out


def applied_seconds(values: pd.Series) -> np.ndarray:
    """``applied_at`` as int64 seconds since the epoch, whatever its datetime resolution."""
    return pd.to_datetime(values).to_numpy().astype("datetime64[s]").astype(np.int64)


def _missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


@lru_cache(maxsize=8)
def _pads(key: bytes) -> tuple[Any, Any]:
    """HMAC-SHA256's inner and outer hash states for ``key`` (RFC 2104), to copy per value.

    One ``hmac.digest`` call sets up the key every time; copying the two prepared states
    gives the same digest in a third of the time.
    """
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    return (hashlib.sha256(bytes(b ^ 0x36 for b in key)),
            hashlib.sha256(bytes(b ^ 0x5C for b in key)))


def _hash_one(key: bytes, namespace: str, value: Any) -> int:
    """One value's keyed 64-bit hash (HMAC-SHA256 of ``namespace:value``, first 8 bytes
    big-endian, never 0), or 0 when the value is missing or empty."""
    if value.__class__ is not str and _missing(value) or not value:
        return 0
    inner, outer = _pads(key)
    i = inner.copy()
    i.update(f"{namespace}:{value}".encode())
    o = outer.copy()
    o.update(i.digest())
    return int.from_bytes(o.digest()[:8], "big") or 1


_EPOCH = datetime(1970, 1, 1)
_EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def applied_second(value: Any) -> int:
    """One ``applied_at`` (timestamp, datetime or ISO text) as epoch seconds, naive as UTC."""
    if value.__class__ is datetime:
        return (value - (_EPOCH if value.tzinfo is None else _EPOCH_UTC)) // _SECOND
    ts = value if isinstance(value, pd.Timestamp) else pd.Timestamp(value)
    return int(ts.value // 1_000_000_000)  # UTC for an aware timestamp, wall time if naive


# (identity column, source column, namespace, part of the contact list or -1)
_PLAN = tuple(
    (column, source, namespace, int(column[-1]) - 1 if column.startswith("contact_") else -1)
    for column, (source, namespace) in HASH_COLUMNS.items()
)


def record_identity(app: Mapping[str, Any], key: bytes) -> dict[str, int]:
    """One application's row of :func:`identity_table` (without ``channel_id``).

    Examples
    --------
    >>> ident = record_identity({"applied_at": "2024-01-02T03:04:05", "phone": "13800000000",
    ...                          "contact_phones": "13800000000"}, b"k")
    >>> ident["phone"] == ident["contact_1"] != 0 and ident["device"] == 0
    True
    """
    contacts_raw = app.get("contact_phones")
    contacts = ("" if _missing(contacts_raw) else str(contacts_raw)).split(",", 2)
    out: dict[str, int] = {
        "application_id": int(app.get("application_id") or 0),
        "applied_at": applied_second(app["applied_at"]),
    }
    for column, source, namespace, part in _PLAN:
        if part < 0:
            out[column] = _hash_one(key, namespace, app.get(source))
        else:
            out[column] = _hash_one(key, namespace, contacts[part] if part < len(contacts) else "")
    return out


# --- the kept form of one record ------------------------------------------------------------

PACKED_COLUMNS: tuple[str, ...] = ("applied_at", *HASH_COLUMNS)
"""The columns of a packed record, in their order (version 1)."""
_VERSION = 1
_PACKED = struct.Struct("<Bq" + "Q" * len(HASH_COLUMNS))


def pack_identity(identity: Mapping[str, int]) -> bytes:
    """A record of :func:`record_identity` as bytes: a version byte, then ``applied_at`` as
    int64 and each hash as uint64, little-endian, in :data:`PACKED_COLUMNS` order.

    The application id is not packed: it is the row the bytes are kept in.

    >>> data = pack_identity({"applied_at": 1, **dict.fromkeys(HASH_COLUMNS, 2)})
    >>> len(data), data[0]
    (113, 1)
    """
    return _PACKED.pack(_VERSION, *[int(identity[c]) for c in PACKED_COLUMNS])


def identity_frame(application_ids: Sequence[int], packed: Sequence[bytes]) -> pd.DataFrame:
    """The identity table (:func:`identity_table`'s columns but ``channel_id``) of many kept
    records at once, in the order given."""
    data = b"".join(packed)
    if any(len(p) != _PACKED.size for p in packed):
        raise ValueError(f"not packed identity records (each is {_PACKED.size} bytes)")
    rows = np.frombuffer(data, np.dtype([("version", "u1"), ("applied_at", "<i8"),
                                         ("hashes", "<u8", (len(HASH_COLUMNS),))]))
    if (rows["version"] != _VERSION).any():
        raise ValueError(f"not packed identity records of version {_VERSION}")
    out = pd.DataFrame({"application_id": np.asarray(application_ids, np.int64),
                        "applied_at": rows["applied_at"].astype(np.int64)})
    for j, column in enumerate(HASH_COLUMNS):
        out[column] = rows["hashes"][:, j]
    return out


def unpack_identity(data: bytes) -> dict[str, int]:
    """The record :func:`pack_identity` packed (``applied_at`` and the hashes)."""
    if len(data) != _PACKED.size or data[0] != _VERSION:
        version = data[0] if data else None
        raise ValueError(f"not a packed identity record (version {version}, {len(data)} bytes)")
    return dict(zip(PACKED_COLUMNS, _PACKED.unpack(data)[1:], strict=True))
