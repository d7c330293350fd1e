"""Vectorised construction of identifier strings (IDs, phones, cards) as Arrow arrays.

Strings are built as fixed-width byte matrices in NumPy and handed to Arrow without a Python
loop, so a million resident IDs cost milliseconds.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

RIC_WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = np.array(
    [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28], dtype=np.int64
)
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)


def ascii_rows(codes: np.ndarray) -> pa.Array:
    """Turn an (n, w) uint8 matrix of ASCII codes into an Arrow string array of width w."""
    n, w = codes.shape
    buf = pa.py_buffer(np.ascontiguousarray(codes, dtype=np.uint8).tobytes())
    fixed = pa.FixedSizeBinaryArray.from_buffers(pa.binary(w), n, [None, buf])
    return fixed.cast(pa.binary()).cast(pa.string())


def digits_matrix(values: np.ndarray, width: int) -> np.ndarray:
    """Decimal digits of non-negative ints, most significant first, zero padded: (n, width)."""
    v = values.astype(np.int64).copy()
    out = np.empty((len(v), width), dtype=np.int64)
    for i in range(width - 1, -1, -1):
        out[:, i] = v % 10
        v //= 10
    return out


def resident_ids(region: np.ndarray, birth_yyyymmdd: np.ndarray, seq: np.ndarray) -> pa.Array:
    """GB 11643 resident IDs: region (6) + birth date (8) + sequence (3) + MOD 11-2 check."""
    d = np.hstack(
        [digits_matrix(region, 6), digits_matrix(birth_yyyymmdd, 8), digits_matrix(seq, 3)]
    )
    check = (12 - (d @ RIC_WEIGHTS) % 11) % 11
    chars = np.empty((len(d), 18), dtype=np.uint8)
    chars[:, :17] = d + 48
    chars[:, 17] = np.where(check == 10, ord("X"), check + 48)
    return ascii_rows(chars)


def usccs(region: np.ndarray, org_base: np.ndarray, category: bytes = b"92") -> pa.Array:
    """GB 32100 codes: department+category, region, GB 11714 organisation code, MOD 31 check."""
    n = len(region)
    org = digits_matrix(org_base, 8)
    bad = (11 - (org @ ORG_WEIGHTS) % 11) == 10  # check 'X' is outside the USCC alphabet
    org[bad, 7] = (org[bad, 7] + 1) % 10
    org_check = (11 - (org @ ORG_WEIGHTS) % 11) % 11
    vals = np.empty((n, 17), dtype=np.int64)
    vals[:, 0] = category[0] - 48
    vals[:, 1] = category[1] - 48
    vals[:, 2:8] = digits_matrix(region, 6)
    vals[:, 8:16] = org
    vals[:, 16] = org_check
    check = (31 - (vals @ USCC_WEIGHTS) % 31) % 31
    alphabet = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)
    chars = np.empty((n, 18), dtype=np.uint8)
    chars[:, :17] = alphabet[vals]
    chars[:, 17] = alphabet[check]
    return ascii_rows(chars)


def phones(prefix3: np.ndarray, body8: np.ndarray) -> pa.Array:
    """Mainland mobile numbers: a 3-digit carrier prefix and 8 digits."""
    d = np.hstack([digits_matrix(prefix3, 3), digits_matrix(body8, 8)])
    return ascii_rows((d + 48).astype(np.uint8))


def bank_cards(bin6: np.ndarray, body12: np.ndarray) -> pa.Array:
    """19-digit UnionPay card numbers with a valid Luhn check digit."""
    d = np.hstack([digits_matrix(bin6, 6), digits_matrix(body12, 12)])
    rev = d[:, ::-1].copy()
    doubled = rev[:, 0::2] * 2
    rev[:, 0::2] = np.where(doubled > 9, doubled - 9, doubled)
    check = (10 - rev.sum(axis=1) % 10) % 10
    return ascii_rows((np.hstack([d, check[:, None]]) + 48).astype(np.uint8))


def hex_ids(bits: np.ndarray, width: int = 16, prefix: str = "") -> pa.Array:
    """Lower-case hex strings of the low ``4*width`` bits of uint64 values."""
    v = bits.astype(np.uint64)
    chars = np.empty((len(v), width), dtype=np.uint8)
    for i in range(width - 1, -1, -1):
        chars[:, i] = _HEX[(v & np.uint64(15)).astype(np.int64)]
        v = v >> np.uint64(4)
    arr = ascii_rows(chars)
    return pc.binary_join_element_wise(prefix, arr, "") if prefix else arr


def ipv4(octets: np.ndarray) -> pa.Array:
    """Dotted quads from an (n, 4) int matrix."""
    parts = [pc.cast(pa.array(octets[:, i]), pa.string()) for i in range(4)]
    return pc.binary_join_element_wise(*parts, ".")


def take(vocab: list[str] | pa.Array, idx: np.ndarray) -> pa.Array:
    """Pick strings from a small vocabulary by index, vectorised."""
    voc = vocab if isinstance(vocab, pa.Array) else pa.array(vocab, pa.string())
    return voc.take(pa.array(idx.astype(np.int64)))


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Element-wise concatenation of string arrays and literals."""
    return pc.binary_join_element_wise(*parts, sep)


def int_str(values: np.ndarray) -> pa.Array:
    """Integers as decimal strings."""
    return pc.cast(pa.array(values.astype(np.int64)), pa.string())
