"""Applications turned into keyed-hash identity columns, the only form the graph ever stores.

Each personal value (phone, contact phones, device, IP, bank card, addresses, company, resident
ID) becomes the first 64 bits of ``HMAC-SHA256(key, "namespace:value")`` — the same bits as
:func:`creditfactory.domain.identity.keyed_hash` — as an unsigned integer, 0 when missing.
Own and contact phones share the ``phone`` namespace so that a contact who is another
applicant links the two. Raw values are factorised first so each distinct value is hashed
once.
"""

from __future__ import annotations

import hashlib
import hmac

import numpy as np
import pandas as pd

__all__ = ["HASH_COLUMNS", "LINK_COLUMNS", "hash_strings", "identity_table"]

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


def hash_strings(values: pd.Series | np.ndarray, key: bytes, namespace: str) -> np.ndarray:
    """Keyed 64-bit hashes of ``values`` (uint64), 0 for missing or empty strings.

    >>> h = hash_strings(pd.Series(["13800000000", "", None, "13800000000"]), b"k", "phone")
    >>> bool(h[0] == h[3] and h[0] != 0 and h[1] == 0 and h[2] == 0)
    True
    """
    codes, uniques = pd.factorize(pd.Series(values, dtype="object"), use_na_sentinel=True)
    prefix = f"{namespace}:"
    digests = b"".join(
        hmac.digest(key, (prefix + str(v)).encode(), hashlib.sha256)[:8] if v else bytes(8)
        for v in uniques
    )
    table = np.zeros(len(uniques) + 1, dtype=np.uint64)
    table[:-1] = np.frombuffer(digests, dtype=">u8")
    table[:-1][table[:-1] == 0] = 1
    table[:-1][np.asarray([not v for v in uniques], dtype=bool)] = 0
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
