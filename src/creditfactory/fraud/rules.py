"""Fraud rules with reason codes; each hit carries a sentence saying why it fired.

Every rule looks only at applications strictly earlier than the one it judges and at known
bads observable before it applied. Codes are stable (strategies and case pages key on them).

The rules are written in :func:`judge`, over :class:`RuleEvidence`: per judged application,
the few numbers a rule needs (earlier applications with the same resident ID, known-bad
neighbours, velocity, the age the ID gives). The batch gathers the evidence of every
application of an :class:`IdentityGraph` at once.

Scoring one live application is on the request path, where one-row arrays cost more than the
rules themselves: the online graph gathers the evidence of the one application just added as
plain numbers (:class:`OneEvidence`, :func:`online_one_evidence`, :func:`one_age_evidence`) and
:func:`judge_one` judges it with the same conditions and the same reason sentences as
:func:`judge` (the tests hold the two equal on random evidence).
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.fraud.graph import IdentityGraph
from creditfactory.fraud.graph_config import KIND_CODE, KINDS
from creditfactory.fraud.identity import SELF_COLUMNS
from creditfactory.fraud.incremental import OnlineGraph
from creditfactory.fraud.labels import NEVER

RULES: dict[str, str] = {
    "IMP_ID_REUSED": "resident ID seen before, with other phones, devices, cards and addresses",
    "IMP_AGE_MISMATCH": "declared age disagrees with the birth date in the resident ID",
    "CONTACT_KNOWN_BAD": "a contact phone links to a known-bad application",
    "BLACKLIST": "a phone, device, card, company or ID of a known-bad application",
    "VELOCITY": "many linked applications in the last 7 days",
}
BLACKLIST_KINDS = ("phone", "device", "bank_card", "uscc", "home_address")
VELOCITY_7D = 3
_CONTACT_BIT = 1 << KIND_CODE["contact"]
_BLACK_BITS = sum(1 << KIND_CODE[k] for k in BLACKLIST_KINDS)

Hit = tuple[np.ndarray, str, list[str]]


@dataclass
class RuleEvidence:
    """What the rules read, one entry per judged application (arrays of equal length).

    ``*_example`` hold the application id of the earliest (first-added) known bad behind a
    count; ``declared_age`` is NaN when unknown, which no age rule fires on.
    """

    row: np.ndarray
    id_earlier: np.ndarray  # earlier applications with the same resident ID
    id_kept: np.ndarray  # one of them shares a phone, device, card, home or company
    id_bad: np.ndarray  # one of them was a known bad before this application
    id_bad_example: np.ndarray
    contact_bad: np.ndarray  # known-bad neighbours linked through a contact phone
    contact_example: np.ndarray
    black_bad: np.ndarray  # known-bad neighbours linked through a blacklist kind
    black_example: np.ndarray
    black_mask: np.ndarray  # link kinds to the example
    velocity_7d: np.ndarray
    birth_ok: np.ndarray  # the resident ID holds a calendar birth date
    id_age: np.ndarray  # age on the application date by that birth date
    declared_age: np.ndarray

    @classmethod
    def neutral(cls, rows: np.ndarray) -> RuleEvidence:
        """Evidence on which no rule fires, to fill in part by part."""
        n = len(rows)
        zeros = np.zeros(n, np.int64)
        out = cls(**{f.name: zeros.copy() for f in fields(cls)})
        out.row = np.asarray(rows, np.int64)
        for name in ("id_kept", "id_bad"):
            setattr(out, name, np.zeros(n, bool))
        out.birth_ok = np.ones(n, bool)
        out.velocity_7d = np.zeros(n)
        out.declared_age = np.full(n, np.nan)
        return out


@dataclass(slots=True)
class OneEvidence:
    """The evidence of one application as plain numbers: one row of :class:`RuleEvidence`,
    neutral by default."""

    id_earlier: int = 0
    id_kept: bool = False
    id_bad: bool = False
    id_bad_example: int = 0
    contact_bad: int = 0
    contact_example: int = 0
    black_bad: int = 0
    black_example: int = 0
    black_mask: int = 0
    velocity_7d: float = 0.0
    birth_ok: bool = True
    id_age: int = 0
    declared_age: float = math.nan

    def table(self, row: int) -> RuleEvidence:
        """The same evidence as a one-row :class:`RuleEvidence` for graph row ``row``."""
        ev = RuleEvidence.neutral(np.array([row], np.int64))
        for f in fields(OneEvidence):
            getattr(ev, f.name)[0] = getattr(self, f.name)
        return ev


def _reused_reason(earlier: Any) -> str:
    return (f"resident ID used on {int(earlier)} earlier application(s), none with this phone, "
            "device, bank card, home address or company")


def _age_reason(birth_ok: Any, declared_age: Any, id_age: Any) -> str:
    if not birth_ok:
        return "resident ID has no valid birth date"
    return f"declared age {int(declared_age)}, resident ID gives {int(id_age)}"


def _contact_reason(count: Any, example: Any) -> str:
    return f"contact phone shared with {int(count)} known-bad application(s), e.g. #{int(example)}"


def _black_reason(count: Any, example: Any, mask: Any) -> str:
    return (f"{_kinds(int(mask))} shared with {int(count)} known-bad application(s), "
            f"e.g. #{int(example)}")


def _id_bad_reason(example: Any) -> str:
    return f"resident ID of known-bad application #{int(example)}"


def _velocity_reason(velocity: Any) -> str:
    return f"linked to {int(velocity)} applications in the last 7 days"


def judge(ev: RuleEvidence, velocity_7d: int = VELOCITY_7D) -> list[Hit]:
    """Every rule over the evidence: ``(rows, code, reasons)`` per rule part, in code order."""
    hits: list[Hit] = []

    reused = (ev.id_earlier > 0) & ~ev.id_kept
    hits.append((ev.row[reused], "IMP_ID_REUSED",
                 [_reused_reason(a) for a in ev.id_earlier[reused]]))

    off = (np.abs(ev.declared_age - ev.id_age) > 1) & ev.birth_ok
    age = np.flatnonzero(off | ~ev.birth_ok)
    hits.append((ev.row[age], "IMP_AGE_MISMATCH", [
        _age_reason(ev.birth_ok[r], ev.declared_age[r], ev.id_age[r]) for r in age]))

    contact = ev.contact_bad > 0
    hits.append((ev.row[contact], "CONTACT_KNOWN_BAD", [
        _contact_reason(c, j)
        for c, j in zip(ev.contact_bad[contact], ev.contact_example[contact], strict=True)]))

    black = ev.black_bad > 0
    hits.append((ev.row[black], "BLACKLIST", [
        _black_reason(c, j, m)
        for c, j, m in zip(ev.black_bad[black], ev.black_example[black], ev.black_mask[black],
                           strict=True)]))
    hits.append((ev.row[ev.id_bad], "BLACKLIST",
                 [_id_bad_reason(j) for j in ev.id_bad_example[ev.id_bad]]))

    fast = ev.velocity_7d >= velocity_7d
    hits.append((ev.row[fast], "VELOCITY", [_velocity_reason(v) for v in ev.velocity_7d[fast]]))
    return hits


def judge_one(ev: OneEvidence, velocity_7d: int = VELOCITY_7D) -> list[tuple[str, str]]:
    """:func:`judge` for one application: its ``(code, reason)`` hits, in the same order."""
    hits: list[tuple[str, str]] = []
    if ev.id_earlier > 0 and not ev.id_kept:
        hits.append(("IMP_ID_REUSED", _reused_reason(ev.id_earlier)))
    if not ev.birth_ok or abs(ev.declared_age - ev.id_age) > 1:
        hits.append(("IMP_AGE_MISMATCH", _age_reason(ev.birth_ok, ev.declared_age, ev.id_age)))
    if ev.contact_bad > 0:
        hits.append(("CONTACT_KNOWN_BAD", _contact_reason(ev.contact_bad, ev.contact_example)))
    if ev.black_bad > 0:
        hits.append(("BLACKLIST", _black_reason(ev.black_bad, ev.black_example, ev.black_mask)))
    if ev.id_bad:
        hits.append(("BLACKLIST", _id_bad_reason(ev.id_bad_example)))
    if ev.velocity_7d >= velocity_7d:
        hits.append(("VELOCITY", _velocity_reason(ev.velocity_7d)))
    return hits


def _kinds(mask: int) -> str:
    return ", ".join(k for c, k in enumerate(KINDS) if k in BLACKLIST_KINDS and mask >> c & 1)


def rule_hits(
    graph: IdentityGraph, applications: pd.DataFrame, velocity_7d: int = VELOCITY_7D
) -> pd.DataFrame:
    """One row per hit: ``row`` (graph row), ``code`` and ``reason`` text."""
    frames = [
        pd.DataFrame({"row": rows.astype(np.int64), "code": code, "reason": texts})
        for rows, code, texts in judge(batch_evidence(graph, applications), velocity_7d)
    ]
    return pd.concat(frames, ignore_index=True).sort_values(["row", "code"], ignore_index=True)


def reasons_by_row(hits: pd.DataFrame, n: int) -> list[list[str]]:
    """``CODE: reason`` strings per graph row (empty lists where nothing fired)."""
    out: list[list[str]] = [[] for _ in range(n)]
    for row, code, text in zip(hits["row"], hits["code"], hits["reason"], strict=True):
        out[row].append(f"{code}: {text}")
    return out


# --- the evidence of a whole batch ----------------------------------------------------------


def batch_evidence(graph: IdentityGraph, applications: pd.DataFrame) -> RuleEvidence:
    """The evidence of every application of ``graph`` (``applications`` in its row order)."""
    n = len(graph.identity)
    ev = RuleEvidence.neutral(np.arange(n))
    _id_evidence(graph, ev)
    _link_evidence(graph, ev)
    ev.velocity_7d = graph.features["velocity_7d"].to_numpy(float)
    ev.birth_ok, ev.id_age = age_evidence(
        applications["resident_id"].tolist(), local_days(applications["applied_at"]))
    ev.declared_age = applications["age"].astype(float).to_numpy()
    return ev


def _earlier(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """Rows sharing ``keys`` with strictly smaller ``t``."""
    return frame.groupby(keys, sort=False)["t"].rank(method="min").to_numpy() - 1


def _id_evidence(graph: IdentityGraph, ev: RuleEvidence) -> None:
    ident = graph.identity
    f = pd.DataFrame({"rid": ident["resident_id"], "t": ident["applied_at"]})
    for column in SELF_COLUMNS:
        f[column] = ident[column]
    f = f[f["rid"] != 0]
    rows = f.index.to_numpy()
    ev.id_earlier[rows] = _earlier(f, ["rid"])
    for column in SELF_COLUMNS:
        ev.id_kept[rows] |= _earlier(f, ["rid", column]) > 0

    b = pd.DataFrame({"rid": ident["resident_id"].to_numpy(), "t": ident["applied_at"].to_numpy(),
                      "bad": graph.bad_time, "row": np.arange(len(ident))})
    b = b[(b["rid"] != 0) & b.duplicated("rid", keep=False)]
    m = b.merge(b[b["bad"] < NEVER], on="rid", suffixes=("", "_o"))
    m = m[(m["t_o"] < m["t"]) & (m["bad_o"] < m["t"])].drop_duplicates("row")
    ids = ident["application_id"].to_numpy()
    ev.id_bad[m["row"].to_numpy()] = True
    ev.id_bad_example[m["row"].to_numpy()] = ids[m["row_o"].to_numpy()]


def _link_evidence(graph: IdentityGraph, ev: RuleEvidence) -> None:
    links, t = graph.links, graph.links.times
    ids = graph.identity["application_id"].to_numpy()
    known = graph.bad_time[links.pj] < t[links.pi]
    for bits, count, example, mask in ((_CONTACT_BIT, ev.contact_bad, ev.contact_example, None),
                                       (_BLACK_BITS, ev.black_bad, ev.black_example,
                                        ev.black_mask)):
        sel = known & ((links.pmask & bits) != 0)
        pi, pj = links.pi[sel], links.pj[sel]
        first = np.ones(len(pi), bool)
        first[1:] = pi[1:] != pi[:-1]
        count[:] = np.bincount(pi, minlength=len(t))
        example[pi[first]] = ids[pj[first]]
        if mask is not None:
            mask[pi[first]] = links.pmask[sel][first]


# --- the evidence of one application just added online --------------------------------------


def online_one_evidence(graph: OnlineGraph, row: int,
                        features: Mapping[str, float]) -> OneEvidence:
    """The graph part of the evidence of ``row`` (just added, with these features)."""
    ev = OneEvidence(velocity_7d=features["velocity_7d"])
    t, times, bad, ids = graph.time_of(row), graph.times, graph.bad, graph.ids
    earlier = [j for j in graph.same_resident_id(row) if times[j] < t]
    if earlier:
        own = graph.own_values(row)
        ev.id_earlier = len(earlier)
        ev.id_kept = any(
            a == b for j in earlier for a, b in zip(graph.own_values(j), own, strict=True))
        known = [j for j in earlier if bad[j] < t]
        if known:
            ev.id_bad = True
            ev.id_bad_example = ids[known[0]]
    contact: list[int] = []
    black: list[int] = []
    links = graph.adj[row]
    for j, mask in links.items():
        if bad[j] < t and times[j] < t:
            if mask & _CONTACT_BIT:
                contact.append(j)
            if mask & _BLACK_BITS:
                black.append(j)
    if contact:
        ev.contact_bad, ev.contact_example = len(contact), ids[min(contact)]
    if black:
        first = min(black)
        ev.black_bad, ev.black_example, ev.black_mask = len(black), ids[first], links[first]
    return ev


def one_age_evidence(resident_id: Any, applied_at: Any, declared_age: Any) -> OneEvidence:
    """The age part of the evidence of one application, from its raw values: as
    :func:`age_evidence` gives it for a table of them, without the arrays."""
    missing = declared_age is None or declared_age is pd.NA or declared_age != declared_age
    ev = OneEvidence(declared_age=math.nan if missing else float(declared_age))
    birth = _birth_date(str(resident_id))
    if birth is None:
        ev.birth_ok, birth = False, (2000, 1, 1)
    day = applied_at if isinstance(applied_at, datetime) else pd.Timestamp(applied_at)
    by, bm, bd = birth
    ev.id_age = day.year - by - ((day.month, day.day) < (bm, bd))
    return ev


def _birth_date(resident_id: str) -> tuple[int, int, int] | None:
    """:func:`birth_dates` of one resident ID, as (year, month, day)."""
    part = resident_id[6:14]
    if not (len(part) == 8 and part.isascii() and part.isdigit()):
        return None
    v = int(part)
    y, m, d = v // 10_000, v // 100 % 100, v % 100
    if not (1678 <= y <= 2261 and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]):
        return None
    return y, m, d


# --- ages -----------------------------------------------------------------------------------


def local_days(values: pd.Series) -> np.ndarray:
    """Application dates (``datetime64[D]``) as written, in their own time zone."""
    ts = pd.to_datetime(values)
    if ts.dt.tz is not None:
        ts = ts.dt.tz_localize(None)
    return ts.to_numpy().astype("datetime64[D]")


def birth_dates(resident_ids: Sequence[Any]) -> np.ndarray:
    """The birth date in each resident ID (its characters 7-14), NaT where not a date."""
    parts = [str(r)[6:14] for r in resident_ids]
    ok = np.array([len(p) == 8 and p.isascii() and p.isdigit() for p in parts], bool)
    v = np.array([int(p) if good else 0 for p, good in zip(parts, ok, strict=True)], np.int64)
    y, m, d = v // 10_000, v // 100 % 100, v % 100
    ok &= (y >= 1678) & (y <= 2261) & (m >= 1) & (m <= 12) & (d >= 1)
    month = np.where(ok, (y - 1970) * 12 + m - 1, 0).astype("datetime64[M]")
    day = month.astype("datetime64[D]") + np.where(ok, d - 1, 0).astype("timedelta64[D]")
    ok &= day.astype("datetime64[M]") == month
    return np.where(ok, day, np.datetime64("NaT", "D"))


def _ymd(days: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    months = days.astype("datetime64[M]")
    y = days.astype("datetime64[Y]").astype(np.int64) + 1970
    m = months.astype(np.int64) % 12 + 1
    d = (days - months.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def age_evidence(resident_ids: Sequence[Any], applied: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether each resident ID holds a birth date, and the age it gives on ``applied``."""
    birth = birth_dates(resident_ids)
    ok = ~np.isnat(birth)
    safe = np.where(ok, birth, np.datetime64("2000-01-01", "D"))
    by, bm, bd = _ymd(safe)
    ay, am, ad = _ymd(np.asarray(applied, "datetime64[D]"))
    before_birthday = (am < bm) | ((am == bm) & (ad < bd))
    return ok, ay - by - before_birthday.astype(np.int64)
