"""The meaning checks of an application and its split into stored forms.

Shape (types, ranges) is checked at the edge; here: identity numbers, known channel,
consistency. Personal values leave this module only sealed (hash, mask, ciphertext).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from creditfactory.domain.application import Application
from creditfactory.domain.identity import (
    is_valid_bank_card,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
    mask_bank_card,
    mask_phone,
    mask_resident_id,
)
from creditfactory.services.errors import InvalidInput
from creditfactory.store import PersonalDataVault

PERSONAL = ("resident_id", "name", "phone", "bank_card", "contact_phones")

__all__ = ["check_application", "sealed_forms", "stored_fields", "PERSONAL"]


def check_application(app: dict[str, Any]) -> None:
    """Raise :class:`InvalidInput` naming every field whose value cannot be right."""
    errors: list[tuple[str, str]] = []
    if not is_valid_resident_id(app["resident_id"]):
        errors.append(("resident_id", "not a valid 18-character resident ID"))
    if not is_valid_phone(app["phone"]):
        errors.append(("phone", "not a mainland mobile number"))
    if not is_valid_bank_card(app["bank_card"]):
        errors.append(("bank_card", "not a valid bank card number"))
    if not is_valid_uscc(app["uscc"]):
        errors.append(("uscc", "not a valid unified social credit code"))
    contacts = [p for p in app["contact_phones"].split(",") if p]
    if not contacts or not all(is_valid_phone(p) for p in contacts):
        errors.append(("contact_phones", "must be mainland mobile numbers joined with ','"))
    if app["amount"] <= Decimal(0):
        errors.append(("amount", "must be positive"))
    if errors:
        raise InvalidInput(errors)


def sealed_forms(app: dict[str, Any], vault: PersonalDataVault) -> dict[str, Any]:
    """Columns for the applicant and application rows holding personal data."""
    rid = vault.seal(app["resident_id"], "resident_id", mask_resident_id(app["resident_id"]))
    phone = vault.seal(app["phone"], "phone", mask_phone(app["phone"]))
    card = vault.seal(app["bank_card"], "bank_card", mask_bank_card(app["bank_card"]))
    contacts = app["contact_phones"]
    return {
        "resident_id": rid,
        "phone": phone,
        "bank_card": card,
        "contact_phones_masked": ",".join(mask_phone(p) for p in contacts.split(",") if p),
        "contact_phones_enc": vault.encrypt(contacts, "contact_phones"),
    }


def stored_fields(app: dict[str, Any]) -> dict[str, Any]:
    """The non-personal fields as JSON-safe values (money and times as strings)."""
    out: dict[str, Any] = {}
    for key, value in app.items():
        if key in PERSONAL:
            continue
        if isinstance(value, Decimal):
            out[key] = str(value)
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


MONEY_FIELDS = ("amount", "declared_monthly_revenue", "bureau_debt", "insurance_annual_premium")


def rebuild_application(
    application: Application, applicant: Mapping[Any, Any], vault: PersonalDataVault
) -> dict[str, Any]:
    """The full application again (for re-decision), personal values decrypted."""
    out: dict[str, Any] = dict(application.fields)
    for key in MONEY_FIELDS:
        if out.get(key) is not None:
            out[key] = Decimal(out[key])
    if isinstance(out.get("applied_at"), str):
        out["applied_at"] = datetime.fromisoformat(out["applied_at"])
    out["resident_id"] = vault.decrypt(applicant["resident_id_enc"], "resident_id")
    out["name"] = applicant["name"]
    out["phone"] = vault.decrypt(application.phone_enc, "phone")
    out["bank_card"] = vault.decrypt(application.bank_card_enc, "bank_card")
    out["contact_phones"] = vault.decrypt(application.contact_phones_enc, "contact_phones")
    return out
