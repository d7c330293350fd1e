"""Token keys: the first key of the ring signs, every key verifies, and keys rotate without
touching the personal-data vault; settings refuse bad rings and, in production, the
development secret anywhere."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest

from creditfactory.errors import InvalidArgument
from creditfactory.http.security import InvalidToken, TokenSigner
from creditfactory.services.ports import Actor
from creditfactory.settings import DEV_SECRET_KEY, load_settings
from creditfactory.store import PersonalDataVault

OLD = ("2026a", "o" * 40)
NEW = ("2026b", "n" * 40)
ALICE = Actor("alice", "verifier")


def _token(signer: TokenSigner, minutes: int = 10, session: str = "s1") -> str:
    now = datetime.now(UTC)
    return signer.sign(ALICE, session, now, now + timedelta(minutes=minutes))


def _header(token: str) -> dict[str, str]:
    head = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))))


def test_a_token_names_its_key_and_its_session() -> None:
    token = _token(TokenSigner([OLD], 10), session="abc")
    assert _header(token) == {"alg": "HS256", "typ": "JWT", "kid": "2026a"}
    claims = TokenSigner([OLD], 10).verify(token)
    assert (claims.session_id, claims.username, claims.role, claims.key_id) == (
        "abc", "alice", "verifier", "2026a")


def test_rotation_keeps_old_tokens_valid_while_new_ones_use_the_new_key() -> None:
    before = _token(TokenSigner([OLD], 10))
    rotated = TokenSigner([NEW, OLD], 10)
    assert rotated.verify(before).key_id == "2026a"
    after = _token(rotated)
    assert _header(after)["kid"] == "2026b"
    assert TokenSigner([NEW], 10).verify(after).username == "alice"
    with pytest.raises(InvalidToken, match="unknown key"):
        TokenSigner([NEW], 10).verify(before)  # the old key retired: its tokens stop


def test_a_key_id_cannot_be_borrowed_by_another_secret() -> None:
    forged = _token(TokenSigner([("2026a", "x" * 40)], 10))
    with pytest.raises(InvalidToken, match="forged"):
        TokenSigner([OLD], 10).verify(forged)


def test_expired_unsigned_and_tampered_tokens_are_refused() -> None:
    signer = TokenSigner([OLD], 10)
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify(_token(signer, minutes=-1))
    unsigned = jwt.encode({"sub": "alice", "role": "admin", "jti": "s", "iss": "creditfactory",
                           "iat": 0, "exp": 2**40}, None, algorithm="none", headers={"kid": "2026a"})
    with pytest.raises(InvalidToken):
        signer.verify(unsigned)
    good = _token(signer)
    head, body, mac = good.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims["role"] = "admin"
    evil = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    for bad in (f"{head}.{evil}.{mac}", "garbage", "", good + "x"):
        with pytest.raises(InvalidToken):
            signer.verify(bad)


def test_token_keys_are_not_the_vaults_keys() -> None:
    # the same secret feeds both; each derives under its own label, so neither key is the other
    signer = TokenSigner([("sk", DEV_SECRET_KEY)], 10)
    vault = PersonalDataVault(DEV_SECRET_KEY)
    sealed = vault.seal("13800000000", "phone", "138****0000")
    rotated = TokenSigner([NEW, ("sk", DEV_SECRET_KEY)], 10)
    assert rotated.key_id == "2026b"
    assert PersonalDataVault(DEV_SECRET_KEY).decrypt(sealed.encrypted, "phone") == "13800000000"
    token = _token(signer)
    raw_secret_key = jwt.encode({"sub": "alice"}, DEV_SECRET_KEY.encode(), algorithm="HS256")
    assert token.split(".")[2] != raw_secret_key.split(".")[2]


def test_settings_read_the_ring_first_key_signing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDITFACTORY_SECRET_KEY", raising=False)
    monkeypatch.delenv("CREDITFACTORY_TOKEN_KEYS", raising=False)
    assert load_settings().token_secrets == (("sk", DEV_SECRET_KEY),)
    monkeypatch.setenv("CREDITFACTORY_TOKEN_KEYS", f"2026b:{'n' * 40}, sk")
    assert load_settings().token_secrets == (("2026b", "n" * 40), ("sk", DEV_SECRET_KEY))


@pytest.mark.parametrize(
    ("ring", "message"),
    [
        ("2026b:short", "32\\+ characters"),
        (f"bad key:{'n' * 40}", "key id"),
        (f"a:{'n' * 40},a:{'m' * 40}", "given twice"),
        ("mystery", "neither"),
    ],
)
def test_settings_refuse_a_bad_ring(ring: str, message: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CREDITFACTORY_SECRET_KEY", raising=False)
    with pytest.raises(InvalidArgument, match=message):
        load_settings(token_keys=ring)


def test_production_refuses_the_development_secret_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "ADMIN_PASSWORD", "TOKEN_KEYS"):
        monkeypatch.delenv(f"CREDITFACTORY_{name}", raising=False)
    safe = {"env": "production", "secret_key": "p" * 40, "admin_password": "a-long-admin-pass"}
    assert load_settings(**safe).token_secrets == (("sk", "p" * 40),)
    with pytest.raises(InvalidArgument, match="CREDITFACTORY_SECRET_KEY"):
        load_settings(**{**safe, "secret_key": DEV_SECRET_KEY})
    with pytest.raises(InvalidArgument, match="CREDITFACTORY_ADMIN_PASSWORD"):
        load_settings(**{**safe, "admin_password": DEV_SECRET_KEY})
    with pytest.raises(InvalidArgument, match="CREDITFACTORY_ADMIN_PASSWORD"):
        load_settings(env="production", secret_key="p" * 40)  # the default admin password
    with pytest.raises(InvalidArgument, match="CREDITFACTORY_TOKEN_KEYS"):
        load_settings(**safe, token_keys=f"new:{DEV_SECRET_KEY}")
    # development keeps working on the one development secret
    dev = load_settings(env="development")
    assert dev.secret_key == dev.admin_password == DEV_SECRET_KEY


def test_a_token_checked_before_is_still_refused_once_it_expires(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import creditfactory.http.security as security

    signer = TokenSigner([OLD], 10)
    token = _token(signer, minutes=1)
    assert signer.verify(token).username == "alice"
    assert signer.verify(token).username == "alice"  # the remembered signature check
    later = datetime.now(UTC).timestamp() + 61
    monkeypatch.setattr(security.time, "time", lambda: later)
    with pytest.raises(InvalidToken, match="expired"):
        signer.verify(token)
    forged = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    with pytest.raises(InvalidToken):
        signer.verify(forged)
