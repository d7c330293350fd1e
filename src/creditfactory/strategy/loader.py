"""Load a strategy by shipped name or file path: parse, validate with line numbers, compile."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from creditfactory.strategy._yaml_lines import line_of, load_with_lines
from creditfactory.strategy.compiler import CompiledStrategy, compile_strategy
from creditfactory.strategy.errors import StrategyInvalid, StrategyNotFound
from creditfactory.strategy.fields import KNOWN_FIELDS, SCORE_COLUMNS
from creditfactory.strategy.spec import Grade, StrategySpec

SHIPPED = ("default", "policy_only")
_CONDITION_FIELDS = KNOWN_FIELDS - frozenset(SCORE_COLUMNS)


def shipped_text(name: str) -> str:
    """The text of a strategy shipped with the package."""
    return resources.files("creditfactory.strategy").joinpath(f"{name}.yaml").read_text("utf-8")


def load_strategy(name_or_file: str | Path) -> CompiledStrategy:
    """A shipped strategy by name (``default``, ``policy_only``) or a YAML file by path."""
    key = str(name_or_file)
    if key in SHIPPED:
        return parse_strategy(shipped_text(key), source=f"{key}.yaml")
    path = Path(key)
    if not path.is_file():
        raise StrategyNotFound(f"no strategy named '{key}' (shipped: {', '.join(SHIPPED)})")
    return parse_strategy(path.read_text("utf-8"), source=str(path))


def parse_strategy(text: str, *, source: str = "<strategy>") -> CompiledStrategy:
    """Validate and compile strategy text; a malformed file raises ``StrategyInvalid``."""
    data, lines = load_with_lines(text, source)
    if not isinstance(data, dict):
        raise StrategyInvalid("the top level must be a mapping", source=source, line=1)
    try:
        spec = StrategySpec.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        if err["type"] == "extra_forbidden":
            msg = f"unknown field '{loc[-1]}' (at {where})"
        else:
            msg = f"{where}: {err['msg']}"
        raise StrategyInvalid(msg, source=source, line=line_of(loc, lines)) from exc
    if spec.calibration is not None:
        spec = calibrated(spec, spec.calibration.grades, spec.calibration.product_max_limits)
    _check_meaning(spec, lines, source)
    return compile_strategy(spec, text)


def calibrated(spec: StrategySpec, grades: list[Grade], product_max_limits: dict[str, Decimal]) -> StrategySpec:
    """``spec`` deciding with ``grades`` and the products' caps in ``product_max_limits``."""
    products = [p.model_copy(update={"max_limit": product_max_limits[p.code]}) if p.code in product_max_limits else p
                for p in spec.products]
    return spec.model_copy(update={"grades": list(grades), "products": products})


def _fail(msg: str, loc: tuple[Any, ...], lines: dict[Any, int], source: str) -> StrategyInvalid:
    return StrategyInvalid(msg, source=source, line=line_of(loc, lines))


def _check_meaning(spec: StrategySpec, lines: dict[Any, int], source: str) -> None:
    for section, items in (("policy", spec.policy), ("segments", spec.segments), ("products", spec.products)):
        for i, item in enumerate(items):
            for j, cond in enumerate(item.when):
                if cond.field not in _CONDITION_FIELDS:
                    raise _fail(f"unknown input field '{cond.field}'", (section, i, "when", j, "field"), lines, source)
    codes = [r.code for r in spec.policy]
    for i, code in enumerate(codes):
        if code in codes[:i]:
            raise _fail(f"policy code '{code}' used twice", ("policy", i, "code"), lines, source)
    grades = [g.name for g in spec.grades]
    if any(b.max_pd < a.max_pd for a, b in zip(spec.grades, spec.grades[1:], strict=False)):
        raise _fail("grades must be ordered by max_pd, best first", ("grades",), lines, source)
    if spec.scoring.unscored_grade not in grades:
        raise _fail(f"unknown grade '{spec.scoring.unscored_grade}'", ("scoring", "unscored_grade"), lines, source)
    if spec.grades[grades.index(spec.scoring.unscored_grade)].decline:
        raise _fail("the unscored grade cannot be a decline grade", ("scoring", "unscored_grade"), lines, source)
    bands = [b.name for b in spec.fraud.bands]
    if any(b.max_score < a.max_score for a, b in zip(spec.fraud.bands, spec.fraud.bands[1:], strict=False)):
        raise _fail("fraud bands must be ordered by max_score", ("fraud", "bands"), lines, source)
    if spec.fraud.missing_band not in bands:
        raise _fail(f"unknown fraud band '{spec.fraud.missing_band}'", ("fraud", "missing_band"), lines, source)
    for i, p in enumerate(spec.products):
        if p.min_term > p.max_term or p.min_limit > p.max_limit:
            raise _fail(f"product '{p.code}' has min above max", ("products", i), lines, source)
    for i, row in enumerate(spec.tiers):
        for g in row.grades or []:
            if g not in grades:
                raise _fail(f"unknown grade '{g}'", ("tiers", i, "grades"), lines, source)
        for b in row.fraud_bands or []:
            if b not in bands:
                raise _fail(f"unknown fraud band '{b}'", ("tiers", i, "fraud_bands"), lines, source)
