"""A sample of a portfolio run played again on the store, to hold the two engines together.

The batch run closes the book in memory (:mod:`.portfolio_play`); the platform closes it on
the store, day by day (:func:`creditfactory.services.servicing_close.close_business`). Here
the sampled loans are written to the store as paid-out loans (applicant, application, case
and loan, the personal values sealed with the store's vault) and booked as payout books them
(:func:`creditfactory.services.servicing_book.book_loan`); the world's payments of the batch
run come in as the banks would send them -- repayments and recoveries in each bank's daily
file (:func:`creditfactory.services.servicing_files.import_bank_file`), prepayments through
the bank's posting (:func:`creditfactory.services.servicing_book.post_repayment`) -- and every
day is closed. At each month end the stored states are read: the same columns as
``monthly.parquet``, so the two can be compared loan by loan and month by month
(:func:`compare_monthly`).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from creditfactory.domain.application import Application
from creditfactory.domain.bank import Loan
from creditfactory.domain.case import Case
from creditfactory.domain.personal import PERSONAL_FIELDS
from creditfactory.services.application_input import sealed_forms, stored_fields
from creditfactory.services.context import ServiceContext
from creditfactory.services.ports import Actor
from creditfactory.services.servicing_book import book_loan, post_repayment
from creditfactory.services.servicing_close import close_business
from creditfactory.services.servicing_files import import_bank_file
from creditfactory.servicing.close import BUCKETS, CLASSES

__all__ = ["STORE_STATUS", "check_on_store", "compare_monthly", "play_on_store", "sample_loans"]

STORE_STATUS = {"current": "active", "delinquent": "active", "prepaid": "closed",
                "paid_off": "closed", "written_off": "written_off", "recovered": "written_off"}
"""The store's account status of each month-end status of the batch run."""
COMPARED = ("dpd", "bucket", "class5", "principal_outstanding", "status")


def sample_loans(loans: pd.DataFrame, n: int, seed: int) -> np.ndarray:
    """``n`` loan ids of the run drawn at random (seeded), in order."""
    ids = loans["loan_id"].to_numpy(np.int64)
    if n >= len(ids):
        return ids
    return np.sort(np.random.default_rng([seed, 11]).choice(ids, n, replace=False))


def _money(fen: int) -> Decimal:
    return Decimal(int(fen)).scaleb(-2)


def _contract(bank: str, loan_id: int) -> str:
    return f"PF-{bank}-{loan_id:09d}"


def _book(ctx: ServiceContext, rows: pd.DataFrame, apps: pd.DataFrame) -> dict[int, int]:
    """Write and book the loans ``rows`` (their applications ``apps`` by ``application_id``);
    the store's loan id of each run loan id."""
    out: dict[int, int] = {}
    with ctx.uow() as uow:
        for r in rows.to_dict("records"):
            a: dict[str, Any] = apps.loc[r["application_id"]].to_dict()
            day: date = r["booked_on"]
            at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
            sealed = sealed_forms({k: str(a[k]) for k in PERSONAL_FIELDS}, ctx.vault)
            applicant_id = (uow.applications.applicant_id(sealed.applicant["resident_id_hash"])
                            or uow.applications.add_applicant(**sealed.applicant, created_at=at))
            applied = pd.Timestamp(a["applied_at"]).to_pydatetime().replace(tzinfo=UTC)
            app_id = uow.applications.add(Application(
                applicant_id=applicant_id, channel_id=str(r["channel_id"]), branch=str(r["branch"]),
                industry=str(r["industry"]), amount=Decimal(str(a["amount"])),
                term_months=int(a["term_months"]), applied_at=applied, status="paid_out",
                **sealed.application,
                fields=stored_fields({"purpose": str(a.get("purpose", "")),
                                      "world_application_id": int(r["application_id"])}),
                created_by="portfolio", created_at=applied))
            bank = str(r["bank"])
            case = Case(app_id, "auto_approve", "booking_and_enrolment", "done", bank, False,
                        applied, at, closed_at=at)
            uow.cases.add(case)
            loan = Loan(case.id, app_id, bank, _contract(bank, int(r["loan_id"])),
                        _money(round(float(r["principal"]) * 100)),
                        Decimal(int(round(float(r["rate"]) * 1_000_000))).scaleb(-6),
                        int(r["term_months"]), str(r["product"]), str(r["method"]), at, "booked")
            uow.submissions.add_loan(loan)
            book_loan(uow, loan, at)
            out[int(r["loan_id"])] = loan.id
        uow.commit()
    return out


def _post_day(ctx: ServiceContext, day: date, txns: pd.DataFrame, banks: dict[int, str],
              store_id: dict[int, int], folder: Path) -> None:
    """The day's payments of the sample: repayments and recoveries in each bank's file,
    prepayments posted one by one by the bank."""
    pre = txns["kind"].to_numpy() == "prepayment"
    for r in txns[pre].itertuples(index=False):
        bank = banks[int(r.loan_id)]
        post_repayment(ctx, Actor(f"{bank.lower()}-sys", "bank_system", bank),
                       store_id[int(r.loan_id)],
                       {"reference": str(r.reference), "kind": "prepayment",
                        "value_date": day, "amount": str(_money(int(r.amount)))})
    rest = txns[~pre]
    by_bank: dict[str, list[tuple[str, str, str, str]]] = {}
    for r in rest.itertuples(index=False):
        bank = banks[int(r.loan_id)]
        by_bank.setdefault(bank, []).append((str(r.reference), _contract(bank, int(r.loan_id)),
                                             day.isoformat(), str(_money(int(r.amount)))))
    for bank, lines in sorted(by_bank.items()):
        path = folder / f"{bank}-{day.isoformat()}.csv"
        path.write_text("reference,loan,date,amount\n"
                        + "".join(",".join(x) + "\n" for x in lines), "utf-8")
        summary = import_bank_file(ctx.engine, path, bank, folder / f"{path.stem}.report.csv")
        if summary.refused:
            raise RuntimeError(f"{bank}'s file of {day} refused {summary.refused} row(s): "
                               f"{(folder / f'{path.stem}.report.csv').read_text('utf-8')}")


def _month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def _snapshot(ctx: ServiceContext, day: date, banks: set[str], run_id: dict[int, int],
              booked_on: dict[int, date]) -> list[dict[str, Any]]:
    """The stored states of the sample's loans on book at the month end ``day``."""
    rows = []
    with ctx.uow(write=False) as uow:
        for bank in sorted(banks):
            for a in uow.servicing.accounts_of_bank(bank):
                rid = run_id.get(a["loan_id"])
                if rid is None or booked_on[rid] > day:
                    continue
                rows.append({"loan_id": rid, "month": np.datetime64(day, "M").astype("datetime64[D]"),
                             "dpd": int(a["dpd"]), "bucket": a["bucket"],
                             "class5": a["five_class"],
                             "principal_outstanding": int(a["principal_outstanding_fen"]),
                             "status": a["status"]})
    return rows


def play_on_store(ctx: ServiceContext, loans: pd.DataFrame, apps: pd.DataFrame,
                  transactions: pd.DataFrame, loan_ids: np.ndarray, through: date | None = None,
                  progress: Callable[[date], None] | None = None) -> pd.DataFrame:
    """Book the run's loans ``loan_ids`` on the store (``apps``: their applications, with the
    personal values) and play the run's ``transactions`` of them through the store's files,
    postings and closes of business up to ``through`` (default: the last payment's month end);
    the store's month-end rows (``loan_id`` the run's, ``status`` the store's). The store's
    servicing book must be empty: its business date is the sample's."""
    with ctx.uow(write=False) as uow:
        if uow.servicing.business_date() is not None:
            raise ValueError("the store's servicing book is in use (it has a business date): "
                             "play a sample on a fresh store")
    chosen = loans.set_index("loan_id").loc[np.asarray(loan_ids, np.int64)].reset_index()
    t = transactions[transactions["loan_id"].isin(chosen["loan_id"])]
    posted_on = pd.to_datetime(t["posted_on"]).dt.date
    booked_on = dict(zip(chosen["loan_id"].astype(int), chosen["booked_on"], strict=True))
    banks = dict(zip(chosen["loan_id"].astype(int), chosen["bank"].astype(str), strict=True))
    last = max([*posted_on, *booked_on.values()])
    end = through or (date(last.year + (last.month == 12), last.month % 12 + 1, 1)
                      - timedelta(days=1))
    first = min(booked_on.values())
    events = sorted({d for d in posted_on if d <= end} | {d for d in booked_on.values() if d <= end}
                    | {d for d in (first + timedelta(days=k) for k in range((end - first).days + 1))
                       if _month_end(d)})
    by_app = apps.set_index("application_id")
    store_id: dict[int, int] = {}
    rows: list[dict[str, Any]] = []
    day_txns: dict[Any, pd.DataFrame] = dict(iter(t.groupby(posted_on.to_numpy())))
    with tempfile.TemporaryDirectory(prefix="portfolio-files-") as tmp:
        for day in events:
            if store_id:
                close_business(ctx.engine, day - timedelta(days=1))
            fresh = chosen[chosen["booked_on"] == day]
            if len(fresh):
                store_id.update(_book(ctx, fresh, by_app))
            if day in day_txns:
                _post_day(ctx, day, day_txns[day], banks, store_id, Path(tmp))
            close_business(ctx.engine, day)
            if _month_end(day):
                run_id = {v: k for k, v in store_id.items()}
                rows += _snapshot(ctx, day, set(banks.values()), run_id, booked_on)
            if progress is not None:
                progress(day)
    cols = ["loan_id", "month", *COMPARED]
    return pd.DataFrame(rows, columns=cols).sort_values(["loan_id", "month"], ignore_index=True)


def compare_monthly(batch: pd.DataFrame, store: pd.DataFrame) -> pd.DataFrame:
    """The month-end rows where the store and the batch run differ (``batch`` as
    ``monthly.parquet`` has them, codes or names; only the loans and months the store
    played), with both values of each compared column; empty when they agree."""
    b = batch[batch["loan_id"].isin(store["loan_id"].unique())].copy()
    b = b[b["month"] <= store["month"].max()] if len(store) else b.iloc[:0]
    if b["bucket"].dtype.kind in "iu":
        b["bucket"] = np.array(BUCKETS)[b["bucket"].to_numpy(np.int64)]
        b["class5"] = np.array(CLASSES)[b["class5"].to_numpy(np.int64)]
    if b["status"].dtype.kind in "iu":
        from creditfactory.evaluation.portfolio import STATUS

        b["status"] = np.array(STATUS)[b["status"].to_numpy(np.int64)]
    b["status"] = b["status"].map(STORE_STATUS)
    b["month"] = pd.to_datetime(b["month"])
    b["principal_outstanding"] = _fen(b["principal_outstanding"])
    s = store.copy()
    s["month"] = pd.to_datetime(s["month"])
    both = b[["loan_id", "month", *COMPARED]].merge(
        s[["loan_id", "month", *COMPARED]], on=["loan_id", "month"], how="left",
        suffixes=("_batch", "_store"), indicator=True)
    differs = both["_merge"] != "both"
    for c in COMPARED:
        differs |= both[f"{c}_batch"].astype(str) != both[f"{c}_store"].astype(str)
    return both[differs].drop(columns="_merge").reset_index(drop=True)


def _fen(values: pd.Series) -> pd.Series:
    """Fen as integers, of fen or of CNY decimals (as ``monthly.parquet`` reads)."""
    if values.dtype.kind in "iu":
        return values.astype(np.int64)
    return values.map(lambda v: int(Decimal(str(v)) * 100)).astype(np.int64)


def check_on_store(db_url: str, secret_key: str, loans: pd.DataFrame, apps: pd.DataFrame,
                   transactions: pd.DataFrame, monthly: pd.DataFrame, sample: int, seed: int,
                   out: Path, through: date | None = None,
                   progress: Callable[[date], None] | None = None) -> dict[str, Any]:
    """Play ``sample`` loans of a run on the store at ``db_url`` (migrated first; its servicing
    book must be empty), write ``store_monthly.parquet`` and ``store_check.json`` to ``out``
    and return the check: loans, month-end rows compared, and the rows that differ."""
    from creditfactory.store import PersonalDataVault, make_engine, upgrade_head

    engine = make_engine(db_url)
    try:
        upgrade_head(db_url, engine)
        ctx = ServiceContext(engine, PersonalDataVault(secret_key))
        ids = sample_loans(loans, sample, seed)
        store = play_on_store(ctx, loans, apps, transactions, ids, through, progress)
        with ctx.uow(write=False) as uow:
            closed = uow.servicing.business_date()
    finally:
        engine.dispose()
    store.to_parquet(out / "store_monthly.parquet", index=False)
    differences = compare_monthly(monthly, store)
    compared = monthly["loan_id"].isin(ids) & (monthly["month"] <= store["month"].max())
    check = {"loans": len(ids), "month_end_rows": int(compared.sum()),
             "business_date": None if closed is None else closed.isoformat(),
             "last_month": str(store["month"].max().date())[:7] if len(store) else None,
             "differences": len(differences),
             "first_differences": differences.head(20).astype(str).to_dict("records")}
    (out / "store_check.json").write_text(json.dumps(check, indent=2), "utf-8")
    return check
