"""A submission's personal values leave intake only sealed, and a re-decision opens them all."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from creditfactory.domain.application import Application
from creditfactory.domain.personal import APPLICANT_FIELDS, APPLICATION_FIELDS, PERSONAL_FIELDS
from creditfactory.services.application_input import (
    rebuild_application,
    sealed_forms,
    stored_fields,
)
from creditfactory.store import PersonalDataVault

VAULT = PersonalDataVault("k" * 40)
APP = {
    "name": "周志华", "resident_id": "11010519491231002X", "phone": "13812345678",
    "bank_card": "6222021234567890128", "contact_phones": "13912345678,13712345678",
    "home_address": "佛山市南区幸光路47号", "business_address": "佛山市建材市场3号铺",
    "device_id": "dv30ef96ec63090a7f", "ip": "22.204.190.115", "channel_id": "IM-1",
    "branch": "FS01", "industry": "C", "amount": Decimal("250000.00"), "term_months": 36,
    "applied_at": datetime(2026, 1, 5, 9, 0, tzinfo=UTC), "business_name": "佛山福永便利店",
}


def test_every_personal_value_becomes_hash_mask_and_ciphertext_and_nothing_else() -> None:
    sealed = sealed_forms(APP, VAULT)
    assert set(sealed.applicant) == {f"{k}_{f}" for k in APPLICANT_FIELDS for f in ("hash", "masked", "enc")}
    assert set(sealed.application) == {f"{k}_{f}" for k in APPLICATION_FIELDS for f in ("hash", "masked", "enc")}
    columns = {**sealed.applicant, **sealed.application}
    for key in PERSONAL_FIELDS:
        assert VAULT.decrypt(columns[f"{key}_enc"], key) == APP[key]
        assert not any(APP[key] in str(v) for v in columns.values()), key
    assert columns["name_masked"] == "周**" and columns["ip_masked"] == "22.204.*.*"
    assert columns["contact_phones_hash"].split(",") == [VAULT.hash("13912345678", "phone"),
                                                          VAULT.hash("13712345678", "phone")]
    assert not set(stored_fields(APP)) & set(PERSONAL_FIELDS)


def test_a_redecision_gets_the_whole_application_back() -> None:
    sealed = sealed_forms(APP, VAULT)
    fields = stored_fields(APP)
    app = Application(applicant_id=1, channel_id="IM-1", branch="FS01", industry="C",
                      amount=APP["amount"], term_months=36, applied_at=APP["applied_at"],
                      status="in_process", fields=fields, created_by="am",
                      created_at=APP["applied_at"], **sealed.application)
    assert rebuild_application(app, sealed.applicant, VAULT) == APP


def test_device_and_ip_are_hashed_as_a_blacklist_entry_writes_them() -> None:
    from creditfactory.domain.blacklist import KINDS, normalise

    odd = {**APP, "ip": "2001:DB8::0:1", "device_id": " dv30ef96 ec63090a7f "}
    sealed = sealed_forms(odd, VAULT).application
    for kind in ("ip", "device"):
        field = KINDS[kind].field
        assert sealed[f"{field}_hash"] == VAULT.hash(normalise(kind, odd[field]) or "", field)
        assert VAULT.decrypt(sealed[f"{field}_enc"], field) == odd[field]
