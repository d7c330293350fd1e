"""The meaning checks of an application and its split into stored forms.

Shape (types, ranges) is checked at the edge; here: identity numbers, known channel,
consistency. Personal values leave this module only sealed (hash, mask, ciphertext).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from creditfactory.domain.application import Application
from creditfactory.domain.blacklist import canonical
from creditfactory.domain.identity import (
    is_valid_bank_card,
    is_valid_phone,
    is_valid_resident_id,
    is_valid_uscc,
    mask_address,
    mask_bank_card,
    mask_contact_phones,
    mask_device_id,
    mask_ip,
    mask_name,
    mask_phone,
    mask_resident_id,
)
from creditfactory.domain.personal import APPLICANT_FIELDS, APPLICATION_FIELDS, PERSONAL_FIELDS
from creditfactory.services.errors import InvalidInput
from creditfactory.store import PersonalDataVault

MASKS: dict[str, Callable[[str], str]] = {
    "resident_id": mask_resident_id,
    "name": mask_name,
    "phone": mask_phone,
    "bank_card": mask_bank_card,
    "contact_phones": mask_contact_phones,
    "home_address": mask_address,
    "business_address": mask_address,
    "device_id": mask_device_id,
    "ip": mask_ip,
}
"""Personal field -> its masked form."""

__all__ = [
    "MASKS",
    "SealedForms",
    "check_application",
    "ciphertexts",
    "contact_phones_hash",
    "open_personal",
    "rebuild_application",
    "seal_values",
    "sealed_forms",
    "stored_fields",
]


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


@dataclass(frozen=True, slots=True)
class SealedForms:
    """The personal values of one submission as the columns of its two rows."""

    applicant: dict[str, Any]
    application: dict[str, Any]


def seal_values(values: Mapping[str, str], vault: PersonalDataVault) -> dict[str, str]:
    """Personal ``values`` (by field) as their ``_hash``, ``_masked`` and ``_enc`` columns.

    Contact phones are hashed one by one under the ``phone`` kind, comma-joined, so a contact
    who is another applicant matches that applicant's phone.
    """
    out = vault.seal_columns({k: (v, MASKS[k](v), _matched(k, v)) for k, v in values.items()})
    if "contact_phones" in values:
        out["contact_phones_hash"] = contact_phones_hash(values["contact_phones"], vault)
    return out


# the identifiers first hashed by migration 0008 are hashed in the form a blacklist entry is
# written in (an IP in its canonical form, no spaces), so an entry finds the kept applications;
# the older ones keep the submitted form that their kept hashes (and intake's look-ups) are of
_MATCHED_AS = {"device_id": "device", "ip": "ip"}


def _matched(field: str, value: str) -> str:
    kind = _MATCHED_AS.get(field)
    return value if kind is None else canonical(kind, value) or value


def contact_phones_hash(contact_phones: str, vault: PersonalDataVault) -> str:
    """Each contact's keyed hash under the ``phone`` kind, comma-joined."""
    return ",".join(vault.hash(p, "phone") for p in contact_phones.split(",") if p)


def sealed_forms(app: Mapping[str, Any], vault: PersonalDataVault) -> SealedForms:
    """The applicant's and the application's personal columns (nothing else in clear)."""
    return SealedForms(
        seal_values({k: app[k] for k in APPLICANT_FIELDS}, vault),
        seal_values({k: app[k] for k in APPLICATION_FIELDS}, vault),
    )


def stored_fields(app: Mapping[str, Any]) -> dict[str, Any]:
    """The non-personal fields as JSON-safe values (money and times as strings)."""
    out: dict[str, Any] = {}
    for key, value in app.items():
        if key in PERSONAL_FIELDS:
            continue
        if isinstance(value, Decimal):
            out[key] = str(value)
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out


MONEY_FIELDS = ("amount", "declared_monthly_revenue", "bureau_debt", "insurance_annual_premium")


def open_personal(sealed: Mapping[Any, Any], vault: PersonalDataVault,
                  fields: Iterable[str] = PERSONAL_FIELDS) -> dict[str, str]:
    """The clear values of ``fields`` from a mapping holding their ``<field>_enc`` columns
    (a field sealed as nothing, as a row not yet sealed, is left out)."""
    out: dict[str, str] = {}
    for key in fields:
        token = sealed.get(f"{key}_enc")
        if token is not None:
            out[key] = vault.decrypt(token, key)
    return out


def ciphertexts(application: Application) -> dict[str, Any]:
    """The ``<field>_enc`` columns of an application, by column name (for :func:`open_personal`)."""
    return {f"{k}_enc": getattr(application, f"{k}_enc") for k in APPLICATION_FIELDS}


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
    out.update(open_personal(applicant, vault, APPLICANT_FIELDS))
    out.update(open_personal(ciphertexts(application), vault, APPLICATION_FIELDS))
    return out
