"""Fraud rules with reason codes; each hit carries a sentence saying why it fired.

Every rule looks only at applications strictly earlier than the one it judges and at known
bads observable before it applied. Codes are stable (strategies and case pages key on them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditfactory.fraud.config import KIND_CODE, KINDS
from creditfactory.fraud.graph import IdentityGraph

RULES: dict[str, str] = {
    "IMP_ID_REUSED": "resident ID seen before, with other phones, devices, cards and addresses",
    "IMP_AGE_MISMATCH": "declared age disagrees with the birth date in the resident ID",
    "CONTACT_KNOWN_BAD": "a contact phone links to a known-bad application",
    "BLACKLIST": "a phone, device, card, company or ID of a known-bad application",
    "VELOCITY": "many linked applications in the last 7 days",
}
BLACKLIST_KINDS = ("phone", "device", "bank_card", "uscc", "home_address")
SELF_COLUMNS = ("phone", "device", "bank_card", "home_address", "uscc")


def _earlier(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Rows sharing ``keys`` with strictly smaller ``t``."""
    return frame.groupby(keys, sort=False)["t"].rank(method="min").to_numpy() - 1


def rule_hits(
    graph: IdentityGraph, applications: pd.DataFrame, velocity_7d: int = 3
) -> pd.DataFrame:
    """One row per hit: ``row`` (graph row), ``code`` and ``reason`` text."""
    hits = [
        _id_reused(graph),
        _age_mismatch(graph, applications),
        _linked_known_bad(graph),
        _velocity(graph, velocity_7d),
    ]
    return pd.concat(hits, ignore_index=True).sort_values(["row", "code"], ignore_index=True)


def reasons_by_row(hits: pd.DataFrame, n: int) -> list[list[str]]:
    """``CODE: reason`` strings per graph row (empty lists where nothing fired)."""
    out: list[list[str]] = [[] for _ in range(n)]
    for row, code, text in zip(hits["row"], hits["code"], hits["reason"], strict=True):
        out[row].append(f"{code}: {text}")
    return out


def _frame(rows: np.ndarray, code: str, texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"row": rows.astype(np.int64), "code": code, "reason": texts})


def _id_reused(graph: IdentityGraph) -> pd.DataFrame:
    """The ID came before, but with none of this application's phone, device, card, home or
    company: someone else's identity (a returning customer keeps most of them)."""
    ident = graph.identity
    f = pd.DataFrame({"rid": ident["resident_id"], "t": ident["applied_at"]})
    for column in SELF_COLUMNS:
        f[column] = ident[column]
    f = f[f["rid"] != 0]
    n_id = _earlier(f, ["rid"])
    hit = n_id > 0
    for column in SELF_COLUMNS:
        hit &= _earlier(f, ["rid", column]) == 0
    texts = [
        f"resident ID used on {int(a)} earlier application(s), none with this phone, device, "
        "bank card, home address or company"
        for a in n_id[hit]
    ]
    return _frame(f.index.to_numpy()[hit], "IMP_ID_REUSED", texts)


def _age_mismatch(graph: IdentityGraph, applications: pd.DataFrame) -> pd.DataFrame:
    rid = applications["resident_id"].astype(str).reset_index(drop=True)
    birth = pd.to_datetime(rid.str.slice(6, 14), format="%Y%m%d", errors="coerce")
    applied = pd.to_datetime(applications["applied_at"]).reset_index(drop=True)
    before_birthday = (applied.dt.month < birth.dt.month) | (
        (applied.dt.month == birth.dt.month) & (applied.dt.day < birth.dt.day)
    )
    age = applied.dt.year - birth.dt.year - before_birthday.astype(int)
    declared = applications["age"].reset_index(drop=True).astype(float)
    bad_date = birth.isna().to_numpy()
    off = ((declared - age).abs() > 1).to_numpy() & ~bad_date
    rows = np.flatnonzero(off | bad_date)
    texts = [
        "resident ID has no valid birth date" if bad_date[r]
        else f"declared age {int(declared[r])}, resident ID gives {int(age[r])}"
        for r in rows
    ]
    return _frame(rows, "IMP_AGE_MISMATCH", texts)


def _linked_known_bad(graph: IdentityGraph) -> pd.DataFrame:
    links, t, bad = graph.links, graph.links.times, graph.bad_time
    ids = graph.identity["application_id"].to_numpy()
    known = bad[links.pj] < t[links.pi]
    frames = []
    contact = known & ((links.pmask >> KIND_CODE["contact"]) & 1).astype(bool)
    black_bits = sum(1 << KIND_CODE[k] for k in BLACKLIST_KINDS)
    black = known & ((links.pmask & black_bits) != 0)
    for code, sel, what in (("CONTACT_KNOWN_BAD", contact, "contact phone"),
                            ("BLACKLIST", black, None)):
        pi, pj, mask = links.pi[sel], links.pj[sel], links.pmask[sel]
        first = np.ones(len(pi), bool)
        first[1:] = pi[1:] != pi[:-1]
        count = np.bincount(pi, minlength=len(t))
        texts = []
        for i, j, m in zip(pi[first], pj[first], mask[first], strict=True):
            kinds = what or ", ".join(
                k for c, k in enumerate(KINDS) if k in BLACKLIST_KINDS and m >> c & 1
            )
            texts.append(f"{kinds} shared with {count[i]} known-bad application(s), "
                         f"e.g. #{ids[j]}")
        frames.append(_frame(pi[first], code, texts))
    frames.append(_id_blacklist(graph))
    return pd.concat(frames, ignore_index=True)


def _id_blacklist(graph: IdentityGraph) -> pd.DataFrame:
    ident = graph.identity
    f = pd.DataFrame({"rid": ident["resident_id"].to_numpy(), "t": ident["applied_at"].to_numpy(),
                      "bad": graph.bad_time, "row": np.arange(len(ident))})
    f = f[(f["rid"] != 0) & f.duplicated("rid", keep=False)]
    m = f.merge(f[f["bad"] < np.iinfo(np.int64).max], on="rid", suffixes=("", "_o"))
    m = m[(m["t_o"] < m["t"]) & (m["bad_o"] < m["t"])].drop_duplicates("row")
    ids = ident["application_id"].to_numpy()
    texts = [f"resident ID of known-bad application #{ids[r]}" for r in m["row_o"]]
    return _frame(m["row"].to_numpy(), "BLACKLIST", texts)


def _velocity(graph: IdentityGraph, threshold: int) -> pd.DataFrame:
    v = graph.features["velocity_7d"].to_numpy()
    rows = np.flatnonzero(v >= threshold)
    texts = [f"linked to {int(v[r])} applications in the last 7 days" for r in rows]
    return _frame(rows, "VELOCITY", texts)
