"""Trained world models written to one bundle and read back score exactly as before."""

from __future__ import annotations

import io
import json
import math
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from creditfactory.models.bundle import (
    FORMAT_VERSION,
    ModelBundleInvalid,
    bundle_digest,
    load_models,
    read_manifest,
    read_models,
    save_models,
)
from creditfactory.settings import DEV_SECRET_KEY

pytest.importorskip("lightgbm")


@pytest.fixture(scope="module")
def trained() -> tuple[Any, Any, bytes]:
    from creditfactory.models.training import train_lending_models
    from creditfactory.world import generate

    world = generate(2500, months=18, seed=5)
    models = train_lending_models(world, key=DEV_SECRET_KEY.encode())
    buf = io.BytesIO()
    save_models(models, buf)
    return world, models, buf.getvalue()


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    def norm(v: Any) -> Any:
        return "nan" if isinstance(v, float) and math.isnan(v) else v

    return {k: norm(v) for k, v in a.items()} == {k: norm(v) for k, v in b.items()}


def _newcomer(row: dict[str, Any], n: int) -> dict[str, Any]:
    """A world application re-entered by a new person, sharing the device of ``row``."""
    return {
        **row,
        "application_id": 0,
        "applied_at": "2021-01-04T09:00:00",
        "resident_id": f"44030119800101{n:04d}",
        "phone": f"1990000{n:04d}",
        "contact_phones": f"1991000{n:04d},{row['phone']}",
        "bank_card": f"62229900{n:08d}",
    }


def test_loaded_models_score_frames_and_records_exactly_as_the_trained_ones(
    trained: tuple[Any, Any, bytes], tmp_path: Path
) -> None:
    world, models, data = trained
    path = tmp_path / "models.zip"
    digest = save_models(models, path)
    assert digest == bundle_digest(path.read_bytes()) == bundle_digest(data)
    loaded = read_models(path, DEV_SECRET_KEY.encode())
    assert loaded.versions() == models.versions()
    apps = world.applications
    pd.testing.assert_frame_equal(loaded.score_frame(apps), models.score_frame(apps), check_exact=True)
    records = apps.sample(300, random_state=1).to_dict("records")
    assert all(_same(loaded.score_record(r), models.score_record(r)) for r in records)
    assert save_models(loaded, io.BytesIO()) == digest


def test_a_new_application_gets_the_same_live_fraud_score_after_loading(
    trained: tuple[Any, Any, bytes],
) -> None:
    world, models, data = trained
    loaded = load_models(data, DEV_SECRET_KEY.encode())
    live = loaded.fraud_model.live(DEV_SECRET_KEY.encode())
    fresh = models.fraud_model.live(DEV_SECRET_KEY.encode()).empty()
    fresh.seed(models.fraud_model.identity, models.fraud_model.bad_time)
    rows = world.applications.tail(30).to_dict("records")
    newcomers = [_newcomer(r, n) for n, r in enumerate(rows)]
    got = [loaded.score_record(app, live.assess(app)) for app in newcomers]
    want = [fresh.score(app) for app in newcomers]
    assert [(g["fraud_score"], g["fraud_rule_hits"]) for g in got] == want
    assert len({s for s, _ in want}) > 1


def test_the_manifest_names_format_versions_and_digests_of_every_entry(
    trained: tuple[Any, Any, bytes],
) -> None:
    _, models, data = trained
    manifest = read_manifest(data)
    assert manifest["format_version"] == FORMAT_VERSION
    assert manifest["versions"] == models.versions()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist()) - {"manifest.json"}
        assert names == set(manifest["files"])
        for name in names:
            assert bundle_digest(zf.read(name)) == manifest["files"][name]["sha256"]


def test_the_bundle_holds_no_personal_value_in_clear(trained: tuple[Any, Any, bytes]) -> None:
    world, _, data = trained
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = b"".join(zf.read(n) for n in zf.namelist())
    apps = world.applications.head(50)
    for column in ("resident_id", "phone", "bank_card", "device_id", "uscc"):
        for value in apps[column].dropna().astype(str):
            assert value.encode() not in text, column


def _rewrite(data: bytes, name: str, change: Any) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            blob = src.read(info)
            dst.writestr(info, change(blob) if info.filename == name else blob)
    return out.getvalue()


def _bump_version(blob: bytes) -> bytes:
    manifest = json.loads(blob)
    manifest["format_version"] = FORMAT_VERSION + 1
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("challenger.lgb.txt", lambda b: b.replace(b"tree", b"tRee", 1), "manifest digest"),
        ("fraud_seed.parquet", lambda b: b[:-10], "manifest digest"),
        ("manifest.json", _bump_version, "format_version"),
    ],
)
def test_a_damaged_or_foreign_bundle_is_refused_with_a_reason(
    trained: tuple[Any, Any, bytes], name: str, change: Any, message: str
) -> None:
    _, _, data = trained
    with pytest.raises(ModelBundleInvalid, match=message):
        load_models(_rewrite(data, name, change), DEV_SECRET_KEY.encode())


def test_truncated_bytes_and_another_identity_key_are_refused(
    trained: tuple[Any, Any, bytes],
) -> None:
    _, _, data = trained
    with pytest.raises(ModelBundleInvalid, match="not a model bundle"):
        load_models(data[: len(data) // 2], DEV_SECRET_KEY.encode())
    with pytest.raises(ModelBundleInvalid, match="another secret key"):
        load_models(data, key=b"some-other-identity-key")
