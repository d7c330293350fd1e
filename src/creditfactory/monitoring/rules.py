"""Traffic-light alerts from a declarative rules file (``rules.yaml`` beside this module).

A rule names a metric, the dimensions it watches, either thresholds or popmon-style σ bounds
against a trailing reference window, a minimum volume, its owner and the action each level
suggests. :func:`evaluate` reads a long metrics table (``month``, ``dimension``, ``value``,
``metric``, ``observed``, ``volume``) and returns one row per amber or red light. The σ-rules
are computed for every group at once on a month x group matrix (pandas' rolling window over
the months before each one), never group by group.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from creditfactory.errors import InvalidArgument

__all__ = ["ALERT_COLUMNS", "DEFAULT_RULES", "OUTLOOK_KEYS", "Rule", "evaluate", "load_outlook",
           "load_rules"]

DEFAULT_RULES = Path(__file__).with_name("rules.yaml")
ALERT_COLUMNS = ("month", "dimension", "value", "metric", "level", "action", "owner", "rule",
                 "observed", "bound", "reference", "volume")
_LEVELS = ("amber", "red")


@dataclass(frozen=True)
class Rule:
    """One rule of the file, its defaults filled in."""

    name: str
    metric: str
    dimensions: tuple[str, ...]
    owner: str
    action: dict[str, str]
    threshold: dict[str, float] = field(default_factory=dict)
    sigma: dict[str, float] = field(default_factory=dict)
    direction: str = "up"
    min_volume: int = 0
    reference_months: int = 12
    min_reference: int = 6
    min_sigma: float = 0.0


def _rule(raw: dict[str, Any], defaults: dict[str, Any], where: str) -> Rule:
    known = set(Rule.__dataclass_fields__)
    unknown = set(raw) - known
    if unknown:
        raise InvalidArgument(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("name", "metric", "dimensions", "owner", "action"):
        if key not in raw:
            raise InvalidArgument(f"{where}: '{key}' is required")
    if bool(raw.get("threshold")) == bool(raw.get("sigma")):
        raise InvalidArgument(f"{where}: give either 'threshold' or 'sigma'")
    bounds: dict[str, Any] = dict(raw.get("threshold") or raw.get("sigma") or {})
    if not set(bounds) <= set(_LEVELS) or not set(bounds) <= set(raw["action"]):
        raise InvalidArgument(f"{where}: levels must be amber and/or red, each with an action")
    if raw.get("direction", "up") not in ("up", "down", "both"):
        raise InvalidArgument(f"{where}: direction must be up, down or both")
    values = {k: v for k, v in defaults.items() if k in known} | raw
    values["dimensions"] = tuple(values["dimensions"])
    values["threshold"] = {k: float(v) for k, v in dict(values.get("threshold") or {}).items()}
    values["sigma"] = {k: float(v) for k, v in dict(values.get("sigma") or {}).items()}
    return Rule(**values)


OUTLOOK_KEYS = ("rise", "min_rise", "z", "index_z", "persist", "baseline_months", "min_loans")
"""What the file's ``outlook`` section may set of :func:`~creditfactory.monitoring.outlook.industry_outlook`."""


def _document(path: str | Path | None) -> tuple[Path, dict[str, Any]]:
    source = Path(path) if path is not None else DEFAULT_RULES
    try:
        return source, dict(yaml.safe_load(source.read_text("utf-8")) or {})
    except (OSError, yaml.YAMLError, ValueError) as exc:
        raise InvalidArgument(f"rules file {source}: {exc}") from exc


def load_outlook(path: str | Path | None = None) -> dict[str, float]:
    """The industry outlook's settings in the rules file's ``outlook`` section."""
    source, doc = _document(path)
    settings = dict(doc.get("outlook") or {})
    unknown = set(settings) - set(OUTLOOK_KEYS)
    if unknown:
        raise InvalidArgument(f"{source.name} outlook: unknown keys {sorted(unknown)}")
    return {k: float(v) if k in ("rise", "min_rise", "z", "index_z") else int(v)
            for k, v in settings.items()}


def load_rules(path: str | Path | None = None) -> list[Rule]:
    """The rules of ``path`` (the shipped ``rules.yaml`` by default), checked."""
    source, doc = _document(path)
    defaults = dict(doc.get("defaults") or {})
    rules = [_rule(dict(r), defaults, f"{source.name} rule {i + 1}")
             for i, r in enumerate(doc.get("rules") or [])]
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise InvalidArgument(f"{source.name}: rule names repeat")
    return rules


def _light(score: np.ndarray, bounds: dict[str, float]) -> np.ndarray:
    level = np.full(score.shape, "", dtype=object)
    for name in _LEVELS:  # red last: it wins where both hold
        if name in bounds:
            level[score >= bounds[name]] = name
    return level


def _sigma_frame(rows: pd.DataFrame, rule: Rule) -> pd.DataFrame:
    """Mean and standard deviation of each group's trailing window before each month."""
    wide = rows.pivot_table(index="month", columns=["dimension", "value"], values="observed",
                            aggfunc="first").sort_index()
    months = pd.PeriodIndex(wide.index, freq="M")
    full = pd.period_range(months.min(), months.max(), freq="M")
    wide = wide.set_axis(months).reindex(full)
    window = wide.shift(1).rolling(rule.reference_months, min_periods=rule.min_reference)
    mean, std = window.mean(), window.std(ddof=1)
    stats = pd.concat({"reference": mean.stack(["dimension", "value"], future_stack=True),
                       "sd": std.stack(["dimension", "value"], future_stack=True)}, axis=1)
    keys = stats.index.to_frame(index=False)
    stats.index = pd.MultiIndex.from_arrays(
        [pd.PeriodIndex(keys.iloc[:, 0], freq="M").strftime("%Y-%m"), keys.iloc[:, 1],
         keys.iloc[:, 2]], names=["month", "dimension", "value"])
    return rows.join(stats, on=["month", "dimension", "value"])


def _apply(rule: Rule, metrics: pd.DataFrame) -> pd.DataFrame:
    rows = metrics[(metrics["metric"] == rule.metric)
                   & metrics["dimension"].isin(rule.dimensions)]
    if rows.empty:
        return pd.DataFrame(columns=list(ALERT_COLUMNS))
    obs = rows["observed"].to_numpy(np.float64)
    if rule.threshold:
        sign = -1.0 if rule.direction == "down" else 1.0
        level = _light(sign * obs, {k: sign * v for k, v in rule.threshold.items()})
        reference = np.full(len(rows), np.nan)
        top = rule.threshold.get("red", rule.threshold.get("amber", np.nan))
        bound = np.where(level == "red", top, rule.threshold.get("amber", top))
    else:
        rows = _sigma_frame(rows, rule)
        reference = rows["reference"].to_numpy(np.float64)
        sd = np.maximum(rows["sd"].to_numpy(np.float64), rule.min_sigma)
        with np.errstate(invalid="ignore", divide="ignore"):
            pull = (obs - reference) / sd
        pull = {"up": pull, "down": -pull, "both": np.abs(pull)}[rule.direction]
        level = _light(np.nan_to_num(pull, nan=-np.inf), rule.sigma)
        k = np.where(level == "red", rule.sigma.get("red", np.nan), rule.sigma.get("amber", np.nan))
        bound = reference + (-k if rule.direction == "down" else k) * sd
    level[rows["volume"].to_numpy() < rule.min_volume] = ""
    out = rows.assign(level=level, action=[rule.action.get(lv, "") for lv in level],
                      owner=rule.owner, rule=rule.name, bound=bound, reference=reference)
    return out[out["level"] != ""][list(ALERT_COLUMNS)]


def evaluate(metrics: pd.DataFrame, rules: list[Rule]) -> pd.DataFrame:
    """The amber and red lights of ``rules`` over the long ``metrics`` table, most severe and
    latest first."""
    frames = [f for f in (_apply(rule, metrics) for rule in rules) if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=float if c in ("observed", "bound", "reference")
                                          else object) for c in ALERT_COLUMNS})
    out = pd.concat(frames, ignore_index=True)
    out["volume"] = out["volume"].astype(np.int64)
    out["_sev"] = (out["level"] == "red").astype(int)
    out = out.sort_values(["month", "_sev", "rule", "dimension", "value"],
                          ascending=[False, False, True, True, True], kind="stable")
    return out.drop(columns="_sev").reset_index(drop=True)
