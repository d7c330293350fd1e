"""Jinja2 pages: one environment per template folder, HTML autoescaped, number filters."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

__all__ = ["num", "pct", "render_page"]


def num(value: float, digits: int = 2) -> str:
    """``value`` with thousands separators and ``digits`` decimals; a dash for NaN.

    >>> num(1234.5, 1), num(float("nan")), num(float("inf"))
    ('1,234.5', '–', '∞')
    """
    value = float(value)
    if math.isnan(value):
        return "–"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    return f"{value:,.{digits}f}"


def pct(value: float, digits: int = 1) -> str:
    """``value`` as a percentage; a dash for NaN.

    >>> pct(0.1234), pct(0.1234, 2), pct(float("nan"))
    ('12.3%', '12.34%', '–')
    """
    value = float(value)
    return "–" if math.isnan(value) else f"{100 * value:.{digits}f}%"


@cache
def _environment(folder: Path) -> Environment:
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    env = Environment(
        loader=FileSystemLoader(folder),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["num"] = num
    env.filters["pct"] = pct
    return env


def render_page(folder: Path, template: str, *,
                filters: Mapping[str, Callable[..., Any]] | None = None, **context: Any) -> str:
    """Render ``template`` from ``folder`` with ``context``; values are HTML-escaped unless
    marked ``|safe`` (the charts' SVG). ``filters`` adds the template's own filters to
    ``num`` and ``pct``."""
    env = _environment(Path(folder))
    if filters:
        env.filters.update(filters)
    return env.get_template(template).render(**context)
