"""The file format of trained world models: one zip of JSON, LightGBM model text and parquet.

A bundle holds

- ``manifest.json``: format name and version, the model versions, a fingerprint of the identity
  HMAC key the fraud history was hashed with, and the sha256 and size of every other entry;
- ``a_card.json``: the A-card (``creditfactory.scorecard`` model file dict);
- ``challenger.lgb.txt`` and ``fraud.lgb.txt``: LightGBM model text of the challenger and of the
  fraud model;
- ``features.json``, ``packaging.json``, ``fraud_live.json``: the feature encodings, the
  channel packaging scores and the fraud model's feature columns;
- ``fraud_batch.parquet``: batch fraud score and rule hits by world application id (what
  back-tests and replays of world applications read);
- ``channel_card.json``, ``channel_features.parquet`` and ``channel.json`` (when trained with
  the channel scorecard): the channel card (``creditfactory.scorecard`` model file dict), the
  channels' features as of the end of the development period, and the population's shares,
  the development channel rates and the fallback rate; what re-scores channels with findings;
- ``fraud_ranks.parquet`` and ``fraud_seed.parquet``: the rank table of fraud probabilities and
  the identity history the live fraud graph is seeded with. The history is keyed hashes and
  epoch seconds only, never a personal value; it is only usable with the same key, which is
  why the manifest carries the key's fingerprint and reading refuses another key.

Writing the same models twice gives the same bytes, so the sha256 of a bundle names it.
Never pickle: reading a bundle runs no code from it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from creditfactory.models.channel import ChannelModel
from creditfactory.models.errors import ModelBundleInvalid
from creditfactory.models.features import CardFeatures
from creditfactory.models.fraud import FraudModel
from creditfactory.models.training import TrainedModels, key_check

__all__ = [
    "BUNDLE_NAME",
    "FORMAT",
    "FORMAT_VERSION",
    "ModelBundleInvalid",
    "bundle_digest",
    "dump_models",
    "load_models",
    "read_manifest",
    "read_models",
    "save_models",
]

FORMAT = "creditfactory.world-models"
FORMAT_VERSION = 1
BUNDLE_NAME = "world-models"
_MANIFEST = "manifest.json"
_EPOCH = (1980, 1, 1, 0, 0, 0)
_BAD_COLUMN = "known_bad_at"


def bundle_digest(data: bytes) -> str:
    """The sha256 hex digest that names a bundle."""
    return hashlib.sha256(data).hexdigest()


def _json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, allow_nan=False, separators=(",", ":")).encode()


def _parquet(frame: pd.DataFrame) -> bytes:
    buf = io.BytesIO()
    frame.to_parquet(buf, index=False, compression="zstd")
    return buf.getvalue()


def _entries(models: TrainedModels) -> dict[str, bytes]:
    from creditfactory.scorecard import card_to_dict

    fraud = models.fraud
    entries = {
        "a_card.json": _json(card_to_dict(models.card)),
        "challenger.lgb.txt": models.challenger.model_to_string().encode(),
        "features.json": _json(
            {
                "channel_types": models.features.channel_types,
                "categories": models.features.categories,
            }
        ),
        "packaging.json": _json(
            {"by_channel": models.packaging, "default": models.packaging_default}
        ),
        "fraud_batch.parquet": _parquet(
            pd.DataFrame(
                {
                    "application_id": fraud.index.to_numpy(np.int64),
                    "fraud_score": fraud["fraud_score"].to_numpy(float),
                    "fraud_rule_hits": fraud["fraud_rule_hits"].astype(str).to_numpy(object),
                }
            )
        ),
    }
    cm = models.channel_model
    if cm is not None:
        if cm.card is not None:
            entries["channel_card.json"] = _json(card_to_dict(cm.card))
        entries |= {
            "channel_features.parquet": _parquet(cm.features.reset_index()),
            "channel.json": _json({"base": cm.base, "ranks": [float(r) for r in cm.ranks],
                                   "fallback": cm.fallback}),
        }
    fm = models.fraud_model
    if fm is not None:
        seed = fm.identity.copy()
        seed[_BAD_COLUMN] = np.asarray(fm.bad_time, np.int64)
        entries |= {
            "fraud.lgb.txt": fm.booster.model_to_string().encode(),
            "fraud_live.json": _json({"columns": list(fm.columns)}),
            "fraud_ranks.parquet": _parquet(pd.DataFrame({"p": np.asarray(fm.ranks, float)})),
            "fraud_seed.parquet": _parquet(seed),
        }
    return entries


def dump_models(models: TrainedModels) -> bytes:
    """The bundle bytes of ``models``."""
    import lightgbm as lgb

    entries = _entries(models)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "versions": models.versions(),
        "key_check": models.key_check,
        "lightgbm": lgb.__version__,
        "files": {
            n: {"sha256": bundle_digest(b), "size": len(b)} for n, b in sorted(entries.items())
        },
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in [(_MANIFEST, _json(manifest)), *sorted(entries.items())]:
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = (
                zipfile.ZIP_STORED if name.endswith(".parquet") else zipfile.ZIP_DEFLATED
            )
            zf.writestr(info, data)
    return buf.getvalue()


def _open(data: bytes) -> tuple[zipfile.ZipFile, dict[str, Any]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        manifest = json.loads(zf.read(_MANIFEST))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ModelBundleInvalid(f"not a model bundle: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ModelBundleInvalid(f"not a {FORMAT} bundle")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ModelBundleInvalid(
            f"bundle format_version {manifest.get('format_version')!r} is not "
            f"supported (this version reads {FORMAT_VERSION})"
        )
    return zf, manifest


def read_manifest(data: bytes) -> dict[str, Any]:
    """The manifest of a bundle, without reading the models."""
    return _open(data)[1]


def _checked_entries(zf: zipfile.ZipFile, manifest: dict[str, Any]) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    try:
        for name, meta in manifest["files"].items():
            blob = zf.read(name)
            if len(blob) != meta["size"] or bundle_digest(blob) != meta["sha256"]:
                raise ModelBundleInvalid(
                    f"bundle entry {name!r} does not match its manifest digest"
                )
            out[name] = blob
    except (KeyError, TypeError, zipfile.BadZipFile, OSError) as exc:
        raise ModelBundleInvalid(f"bundle is incomplete or damaged: {exc!r}") from exc
    return out


def load_models(data: bytes, key: bytes) -> TrainedModels:
    """The models in a bundle; ``key`` must be the identity key the fraud history was hashed
    with."""
    import lightgbm as lgb

    from creditfactory.scorecard import card_from_dict

    zf, manifest = _open(data)
    if manifest.get("key_check") != key_check(key):
        raise ModelBundleInvalid(
            "the bundle's identity history was hashed with another secret key "
            "(CREDITFACTORY_SECRET_KEY differs from the one used at training)"
        )
    entries = _checked_entries(zf, manifest)
    try:
        features = json.loads(entries["features.json"])
        packaging = json.loads(entries["packaging.json"])
        batch = pd.read_parquet(io.BytesIO(entries["fraud_batch.parquet"]))
        fraud = pd.DataFrame(
            {
                "fraud_score": batch["fraud_score"].to_numpy(float),
                "fraud_rule_hits": batch["fraud_rule_hits"].to_numpy(object),
            },
            index=pd.Index(batch["application_id"].to_numpy(np.int64), name="application_id"),
        )
        fraud_model = None
        if "fraud.lgb.txt" in entries:
            seed = pd.read_parquet(io.BytesIO(entries["fraud_seed.parquet"]))
            fraud_model = FraudModel(
                lgb.Booster(model_str=entries["fraud.lgb.txt"].decode()),
                tuple(json.loads(entries["fraud_live.json"])["columns"]),
                pd.read_parquet(io.BytesIO(entries["fraud_ranks.parquet"]))["p"].to_numpy(float),
                seed.drop(columns=[_BAD_COLUMN]),
                seed[_BAD_COLUMN].to_numpy(np.int64),
            )
        channel_model = None
        if "channel.json" in entries:
            meta = json.loads(entries["channel.json"])
            feats = pd.read_parquet(io.BytesIO(entries["channel_features.parquet"]))
            channel_model = ChannelModel(
                card_from_dict(json.loads(entries["channel_card.json"]))
                if "channel_card.json" in entries else None,
                feats.set_index("channel_id"),
                {k: float(v) for k, v in meta["base"].items()},
                np.asarray(meta["ranks"], float),
                float(meta["fallback"]),
            )
        return TrainedModels(
            card_from_dict(json.loads(entries["a_card.json"])),
            lgb.Booster(model_str=entries["challenger.lgb.txt"].decode()),
            CardFeatures(
                dict(features["channel_types"]),
                {k: list(v) for k, v in features["categories"].items()},
            ),
            fraud,
            packaging["by_channel"],
            float(packaging["default"]),
            dict(manifest["versions"]),
            fraud_model,
            key,
            channel_model,
        )
    except ModelBundleInvalid:
        raise
    except Exception as exc:  # a bundle whose digests match but whose content does not parse
        raise ModelBundleInvalid(f"bundle content is malformed: {exc!r}") from exc


def save_models(models: TrainedModels, target: str | Path | IO[bytes]) -> str:
    """Write the models as one bundle file (or into a binary stream); its sha256 digest."""
    data = dump_models(models)
    if isinstance(target, str | Path):
        Path(target).write_bytes(data)
    else:
        target.write(data)
    return bundle_digest(data)


def read_models(source: str | Path | bytes | IO[bytes], key: bytes) -> TrainedModels:
    """Read models written by :func:`save_models`; they score exactly as the ones written."""
    if isinstance(source, str | Path):
        return load_models(Path(source).read_bytes(), key)
    return load_models(source if isinstance(source, bytes) else source.read(), key)
