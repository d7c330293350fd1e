"""From hashed identity columns to the value index and the point-in-time link pairs.

Entries are (application, value, kind). Sorting entries by value gives the CSR
value -> applications index; within a value applications stay in time order, so an entry's
position in its group is the number of earlier holders. An entry links its application to
every strictly earlier holder while that number is below the kind's hub cap. Pairs
``(i, j)`` always have ``applied_at[j] < applied_at[i]`` and carry a bit mask of link kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from creditfactory.errors import InvalidArgument
from creditfactory.fraud.graph_config import KIND_CODE, KINDS, GraphConfig
from creditfactory.fraud.identity import LINK_COLUMNS

_PHONE, _CONTACT = KIND_CODE["phone"], KIND_CODE["contact"]


@dataclass
class Links:
    """The value index and the earlier-neighbour pairs of a batch of applications."""

    times: np.ndarray  # int64 seconds, per application (row order = time order)
    value_hash: np.ndarray  # uint64 per value id
    v_indptr: np.ndarray  # CSR value -> entries
    v_apps: np.ndarray
    v_kind: np.ndarray
    v_rank: np.ndarray  # strictly earlier holders of the value
    v_active: np.ndarray  # the entry links (value not yet a hub for it)
    pi: np.ndarray  # later application of each pair, sorted by (pi, pj)
    pj: np.ndarray  # earlier application
    pmask: np.ndarray  # int32 bit mask of link kinds
    counted: np.ndarray  # (n, n_kinds) earlier holders per non-structural kind
    hubs: pd.DataFrame


def link_kind_of(entry_kind: np.ndarray, other_kind: np.ndarray) -> np.ndarray:
    """Own phone with own phone is ``phone``; any pairing with a contact phone is ``contact``."""
    phone_space = (entry_kind == _PHONE) | (entry_kind == _CONTACT)
    both_own = (entry_kind == _PHONE) & (other_kind == _PHONE)
    return np.where(phone_space, np.where(both_own, _PHONE, _CONTACT), entry_kind)


def build_links(identity: pd.DataFrame, config: GraphConfig) -> Links:
    """Index values and enumerate point-in-time pairs in one vectorised pass."""
    times = identity["applied_at"].to_numpy(np.int64)
    n = len(times)
    if n and np.any(np.diff(times) < 0):
        raise InvalidArgument("applications must be sorted by applied_at")
    vid, apps, kinds, value_hash = _shared_entries(identity, n)
    dup = np.zeros(len(vid), bool)
    dup[1:] = (vid[1:] == vid[:-1]) & (apps[1:] == apps[:-1])
    vid, apps, kinds = vid[~dup], apps[~dup], kinds[~dup]

    counts = np.bincount(vid, minlength=len(value_hash))
    indptr = np.zeros(len(value_hash) + 1, np.int64)
    np.cumsum(counts, out=indptr[1:])
    t = times[apps]
    rank = holder_ranks(vid, t, indptr)
    caps = config.cap_array()
    active = rank < caps[kinds]

    structural = config.structural_mask()
    counted = np.zeros((n, len(KINDS)), np.int32)
    plain = active & ~structural[kinds]
    np.add.at(counted, (apps[plain], kinds[plain].astype(np.int64)), rank[plain].astype(np.int32))

    rid = identity["resident_id"].to_numpy(np.uint64) if "resident_id" in identity else None
    pi, pj, pmask = structural_pairs(indptr[vid], apps, kinds, rank, active & structural[kinds],
                                     rid)

    return Links(
        times=times,
        value_hash=value_hash,
        v_indptr=indptr,
        v_apps=apps,
        v_kind=kinds,
        v_rank=rank,
        v_active=active,
        pi=pi,
        pj=pj,
        pmask=pmask,
        counted=counted,
        hubs=_hub_report(vid, kinds, active, t, counts, value_hash),
    )


def holder_ranks(vid: np.ndarray, t: np.ndarray, indptr: np.ndarray) -> np.ndarray:
    """Strictly earlier holders of each entry's value (entries sorted by value, then time)."""
    idx = np.arange(len(vid), dtype=np.int64)
    new_run = np.ones(len(vid), bool)
    new_run[1:] = (vid[1:] != vid[:-1]) | (t[1:] != t[:-1])
    run_first = np.maximum.accumulate(np.where(new_run, idx, 0))
    return run_first - indptr[vid]


def structural_pairs(
    start: np.ndarray, apps: np.ndarray, kinds: np.ndarray, rank: np.ndarray,
    linking: np.ndarray, rid: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Edges ``(later, earlier, kinds mask)`` made by the ``linking`` entries, sorted.

    ``start`` is the position of each entry's value group; an entry links to the ``rank``
    entries that open it. Same-resident-ID pairs are dropped: a returning customer is no ring.
    """
    n = int(apps.max()) + 1 if len(apps) else 0
    src = np.flatnonzero(linking & (rank > 0))
    cnt = rank[src]
    total = int(cnt.sum())
    e_rep = np.repeat(src, cnt)
    offs = np.arange(total, dtype=np.int64) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    partner = np.repeat(start[src], cnt) + offs
    lk = link_kind_of(kinds[e_rep], kinds[partner]).astype(np.int64)
    pi, pj, pmask = _merge_pairs(apps[e_rep], apps[partner], (1 << lk).astype(np.int32), n)
    if rid is not None:
        other = (rid[pi] != rid[pj]) | (rid[pi] == 0)
        pi, pj, pmask = pi[other], pj[other], pmask[other]
    return pi, pj, pmask


def _shared_entries(
    identity: pd.DataFrame, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Entries (value id, application, kind) of values held more than once, sorted by value,
    then application, then column; plus each value id's hash.

    One sort of the hashes per namespace finds the shared values (most are held once and
    drop out); only those are sorted again to put holders in time order.
    """
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    offset = 0
    cols = list(LINK_COLUMNS)
    for group in _namespaces(cols):
        flat = np.column_stack([identity[c].to_numpy(np.uint64) for c in group]).ravel()
        order = np.argsort(flat)
        h = flat[order]
        new = np.ones(len(h), bool)
        new[1:] = h[1:] != h[:-1]
        starts = np.flatnonzero(new)
        sizes = np.diff(np.append(starts, len(h)))
        shared = (np.repeat(sizes, sizes) > 1) & (h != 0)
        local = np.cumsum(new)[shared] - 1
        _, local = np.unique(local, return_inverse=True)
        pos = order[shared]
        col_kind = np.array([KIND_CODE[LINK_COLUMNS[c]] for c in group], np.int8)
        hashes = h[shared]
        first = np.ones(len(local), bool)
        first[1:] = local[1:] != local[:-1]
        parts.append((local + offset, pos, col_kind[pos % len(group)], hashes[first]))
        offset += int(first.sum())
        parts[-1] = (parts[-1][0], pos // len(group) * len(cols) + pos % len(group),
                     parts[-1][2], parts[-1][3])
    vid = np.concatenate([p[0] for p in parts])
    flatpos = np.concatenate([p[1] for p in parts])
    kinds = np.concatenate([p[2] for p in parts])
    value_hash = np.concatenate([p[3] for p in parts]).astype(np.uint64)
    order = np.argsort(vid * (n * len(cols) + 1) + flatpos)
    return vid[order], flatpos[order] // len(cols), kinds[order], value_hash


def _namespaces(cols: list[str]) -> list[list[str]]:
    """Columns hashed in the same namespace, factorised together (own and contact phones)."""
    phones = [c for c in cols if LINK_COLUMNS[c] in ("phone", "contact")]
    return [phones] + [[c] for c in cols if c not in phones]


def _merge_pairs(
    pi: np.ndarray, pj: np.ndarray, bits: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per (later, earlier) pair with the OR of its link-kind bits, sorted."""
    if len(pi) == 0:
        e = np.zeros(0, np.int64)
        return e, e.copy(), np.zeros(0, np.int32)
    key = pi * n + pj
    order = np.argsort(key)
    key, bits = key[order], bits[order]
    first = np.ones(len(key), bool)
    first[1:] = key[1:] != key[:-1]
    starts = np.flatnonzero(first)
    mask = np.bitwise_or.reduceat(bits, starts)
    ukey = key[starts]
    return ukey // n, ukey % n, mask.astype(np.int32)


def _hub_report(
    vid: np.ndarray,
    kinds: np.ndarray,
    active: np.ndarray,
    t: np.ndarray,
    counts: np.ndarray,
    value_hash: np.ndarray,
) -> pd.DataFrame:
    """Values that stopped linking: their hash, kind, holders and when they became hubs."""
    capped = np.flatnonzero(~active)
    if len(capped) == 0:
        return pd.DataFrame(
            {"value_hash": np.zeros(0, np.uint64), "kind": [], "n_applications": [],
             "hub_since": np.zeros(0, "datetime64[s]")}
        )
    v, first = np.unique(vid[capped], return_index=True)
    e = capped[first]
    return pd.DataFrame(
        {
            "value_hash": value_hash[v],
            "kind": np.asarray(KINDS, dtype=object)[kinds[e]],
            "n_applications": counts[v],
            "hub_since": t[e].astype("datetime64[s]"),
        }
    ).sort_values("n_applications", ascending=False, ignore_index=True)
