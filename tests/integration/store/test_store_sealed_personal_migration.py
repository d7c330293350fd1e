"""Migration 0008 on a store that kept names, addresses, devices and IPs in clear: it moves
them out of their places, start-up seals them with the key, and nothing is lost."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from creditfactory.domain.identity import mask_address, mask_ip, mask_name
from creditfactory.services.context import ServiceContext
from creditfactory.services.personal_sealing import seal_pending_personal
from creditfactory.store import PersonalDataVault
from creditfactory.store.migrate import migrate
from creditfactory.store.tables import JSON
from creditfactory.store.types import Money, UTCDateTime

VAULT = PersonalDataVault("k" * 40)
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
NAME = "欧阳明月"
CLEAR = {"home_address": "佛山市南区幸光路47号", "business_address": "佛山市建材市场3号铺",
         "device_id": "dv30ef96ec63090a7f", "ip": "22.204.190.115"}
CONTACTS = "13912345678,13712345678"
_APPLICANTS = sa.table(
    "applicants", sa.column("id", sa.Integer), sa.column("resident_id_hash", sa.String),
    sa.column("resident_id_masked", sa.String), sa.column("resident_id_enc", sa.Text),
    sa.column("name", sa.String), sa.column("created_at", UTCDateTime()),
)
_APPLICATIONS = sa.table(
    "applications", *(sa.column(c) for c in (
        "application_id", "applicant_id", "channel_id", "branch", "industry", "term_months",
        "status", "phone_hash", "phone_masked", "phone_enc", "bank_card_hash",
        "bank_card_masked", "bank_card_enc", "contact_phones_masked", "contact_phones_enc",
        "created_by")),
    sa.column("amount", Money()), sa.column("applied_at", UTCDateTime()),
    sa.column("created_at", UTCDateTime()), sa.column("fields", JSON),
)


def _keep_in_clear(engine: sa.Engine, n: int) -> None:
    """``n`` applicants and applications as the schema before 0008 kept them."""
    with engine.begin() as c:
        for i in range(1, n + 1):
            c.execute(sa.insert(_APPLICANTS).values(
                id=i, resident_id_hash=f"h{i}", resident_id_masked="110***", created_at=NOW,
                resident_id_enc=VAULT.encrypt("11010519491231002X", "resident_id"), name=NAME))
            c.execute(sa.insert(_APPLICATIONS).values(
                application_id=i, applicant_id=i, channel_id="IM-1", branch="FS01",
                industry="C", amount=Decimal("250000.00"), term_months=36, applied_at=NOW,
                status="in_process", phone_hash="p", phone_masked="138****5678",
                phone_enc=VAULT.encrypt("13812345678", "phone"), bank_card_hash="b",
                bank_card_masked="**** 1234", bank_card_enc=VAULT.encrypt("6222", "bank_card"),
                contact_phones_masked="139****5678,137****5678",
                contact_phones_enc=VAULT.encrypt(CONTACTS, "contact_phones"), created_by="am",
                created_at=NOW, fields={"purpose": "stock", "amount": "250000.00", **CLEAR}))


def _dump(engine: sa.Engine) -> str:
    with engine.connect() as c:
        return "\n".join(
            str(tuple(row))
            for name in sa.inspect(c).get_table_names()
            for row in c.execute(sa.text(f"SELECT * FROM {name}"))
        )


def test_kept_clear_values_wait_out_of_place_then_are_sealed_and_none_is_lost(
    empty_db_url: str, empty_engine: sa.Engine
) -> None:
    migrate(empty_db_url, "0007", empty_engine)
    _keep_in_clear(empty_engine, 3)
    migrate(empty_db_url, "0008", empty_engine)
    with empty_engine.connect() as c:
        assert "name" not in {col["name"] for col in sa.inspect(c).get_columns("applicants")}
        waiting = c.execute(sa.text("SELECT count(*) FROM unsealed_personal")).scalar_one()
    assert waiting == 3 * (1 + len(CLEAR))

    sealed = seal_pending_personal(ServiceContext(empty_engine, VAULT), page=4)

    assert sealed == waiting
    dump = _dump(empty_engine)
    for value in (NAME, *CLEAR.values(), *CONTACTS.split(",")):
        assert value not in dump
    with empty_engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM unsealed_personal")).scalar_one() == 0
        person = c.execute(sa.text("SELECT * FROM applicants WHERE id = 2")).mappings().one()
        app = c.execute(sa.select(sa.text("*")).select_from(_APPLICATIONS)
                        .where(sa.text("application_id = 2"))).mappings().one()
    assert VAULT.decrypt(person["name_enc"], "name") == NAME
    assert person["name_masked"] == mask_name(NAME) and person["name_hash"] == VAULT.hash(NAME, "name")
    for key, value in CLEAR.items():
        assert VAULT.decrypt(app[f"{key}_enc"], key) == value
        assert app[f"{key}_hash"] == VAULT.hash(value, key)
    assert app["home_address_masked"] == mask_address(CLEAR["home_address"]) == "佛山市南区****"
    assert app["ip_masked"] == mask_ip(CLEAR["ip"])
    assert app["contact_phones_hash"].split(",") == [VAULT.hash(p, "phone") for p in CONTACTS.split(",")]
    fields = app["fields"] if isinstance(app["fields"], dict) else __import__("json").loads(app["fields"])
    assert fields == {"purpose": "stock", "amount": "250000.00"}
    assert seal_pending_personal(ServiceContext(empty_engine, VAULT)) == 0


def test_downgrade_gives_back_the_values_still_waiting_and_refuses_once_sealed(
    empty_db_url: str, empty_engine: sa.Engine
) -> None:
    migrate(empty_db_url, "0007", empty_engine)
    _keep_in_clear(empty_engine, 2)
    migrate(empty_db_url, "0008", empty_engine)
    migrate(empty_db_url, "0007", empty_engine, down=True)
    with empty_engine.connect() as c:
        assert c.execute(sa.text("SELECT name FROM applicants WHERE id = 1")).scalar_one() == NAME
        fields = c.execute(sa.select(_APPLICATIONS.c.fields)).scalars().all()
    assert all({k: f[k] for k in CLEAR} == CLEAR for f in fields)

    migrate(empty_db_url, "0008", empty_engine)
    seal_pending_personal(ServiceContext(empty_engine, VAULT))
    with pytest.raises(RuntimeError, match="sealed personal values"):
        migrate(empty_db_url, "0007", empty_engine, down=True)
