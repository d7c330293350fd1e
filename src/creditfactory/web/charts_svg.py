"""Small charts written as inline ``<svg>`` (no script, no style attribute: the pages' CSP).

The dashboard draws several charts per request; matplotlib took about 180 ms for one chart of
30 stacked days, these take well under a millisecond. The palette is the reports' own
(``reporting/_charts.py``), so a chart reads the same on a page and in a report. Each chart is
kept (LRU) by its inputs, which are tuples.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from creditfactory.reporting import GRID, INK, SERIES

__all__ = ["stacked_days", "grouped_bars", "nice_max"]

_FONT = 'font-family="sans-serif"'
Series = tuple[tuple[str, tuple[float, ...]], ...]


def nice_max(value: float, ticks: int = 4) -> float:
    """The top of an axis of ``ticks`` equal steps holding ``value``, each step 1, 2, 2.5 or 5
    times a power of ten (and at least 1, the charts counting or timing whole things); 4 when
    ``value`` is not positive."""
    need = max(value, 0.0) / ticks
    power = 1.0
    while power * 10 <= need:
        power *= 10
    steps = (1, 2, 2.5, 5, 10) if power >= 10 else (1, 2, 5, 10)
    step = next((m * power for m in steps if m * power >= need), 10 * power)
    return step * ticks


def _fmt(v: float) -> str:
    return f"{v:,.0f}" if v >= 10 or v == int(v) else f"{v:.1f}"


def _axis(out: list[str], left: int, top: int, width: int, height: int, top_value: float) -> None:
    for k in range(5):
        y = top + height - height * k / 4
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + width}" y2="{y:.1f}" '
                   f'stroke="{GRID}" stroke-width="0.6"/>')
        out.append(f'<text x="{left - 4}" y="{y + 3:.1f}" text-anchor="end" font-size="9" '
                   f'{_FONT} fill="{INK}">{_fmt(top_value * k / 4)}</text>')


def _legend(out: list[str], names: list[str], x: int, y: int) -> None:
    for i, name in enumerate(names):
        yy = y + 13 * i
        out.append(f'<rect x="{x}" y="{yy}" width="9" height="9" fill="{SERIES[i % len(SERIES)]}"/>')
        out.append(f'<text x="{x + 13}" y="{yy + 8}" font-size="9" {_FONT} fill="{INK}">'
                   f"{escape(name)}</text>")


@lru_cache(maxsize=64)
def stacked_days(title: str, days: tuple[str, ...], series: Series, chart_id: str) -> Markup:
    """Stacked bars, one per day (``MM-DD`` labels every seventh day), one colour per series;
    each bar's title gives the day and the counts."""
    w, h, left, top, right = 640, 220, 44, 24, 150
    pw, ph = w - left - right, h - top - 30
    totals = [sum(s[i] for _n, s in series) for i in range(len(days))]
    top_value = nice_max(max(totals, default=0))
    slot = pw / max(len(days), 1)
    out = [f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {w} {h}" width="{w}" '
           f'height="{h}" role="img" aria-label="{escape(title)}">',
           f'<text x="4" y="14" font-size="12" {_FONT} fill="{INK}">{escape(title)}</text>']
    _axis(out, left, top, pw, ph, top_value)
    for i, day in enumerate(days):
        x = left + slot * i + slot * 0.1
        base: float = top + ph
        tip = ", ".join(f"{n} {_fmt(s[i])}" for n, s in series if s[i])
        out.append(f"<g><title>{escape(day)}: {escape(tip or '0')}</title>")
        for k, (_name, values) in enumerate(series):
            if not values[i]:
                continue
            bh = ph * values[i] / top_value
            base -= bh
            out.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.8:.1f}" '
                       f'height="{bh:.1f}" fill="{SERIES[k % len(SERIES)]}"/>')
        out.append("</g>")
        if i % 7 == (len(days) - 1) % 7:
            out.append(f'<text x="{x + slot * 0.4:.1f}" y="{top + ph + 13}" text-anchor="middle" '
                       f'font-size="9" {_FONT} fill="{INK}">{escape(day[5:])}</text>')
    _legend(out, [n for n, _s in series], left + pw + 12, top)
    out.append("</svg>")
    return Markup("".join(out))


@lru_cache(maxsize=64)
def grouped_bars(title: str, categories: tuple[str, ...], series: Series, chart_id: str,
                 unit: str = "") -> Markup:
    """Horizontal bars, one group per category and one bar per series, each labelled with its
    value (and ``unit``)."""
    left, top, w, bar = 170, 24, 640, 11
    group = bar * len(series) + 8
    pw = w - left - 150
    h = top + group * max(len(categories), 1) + 10
    top_value = nice_max(max((v for _n, s in series for v in s), default=0))
    out = [f'<svg id="{escape(chart_id)}" class="chart" viewBox="0 0 {w} {h}" width="{w}" '
           f'height="{h}" role="img" aria-label="{escape(title)}">',
           f'<text x="4" y="14" font-size="12" {_FONT} fill="{INK}">{escape(title)}</text>']
    for i, cat in enumerate(categories):
        y0 = top + group * i
        out.append(f'<text x="{left - 6}" y="{y0 + group / 2:.1f}" text-anchor="end" '
                   f'font-size="10" {_FONT} fill="{INK}">{escape(cat)}</text>')
        for k, (name, values) in enumerate(series):
            v = values[i]
            bw = pw * v / top_value
            y = y0 + bar * k
            out.append(f'<rect x="{left}" y="{y}" width="{bw:.1f}" height="{bar - 2}" '
                       f'fill="{SERIES[k % len(SERIES)]}"><title>{escape(cat)}, {escape(name)}: '
                       f"{_fmt(v)}{escape(unit)}</title></rect>")
            out.append(f'<text x="{left + bw + 3:.1f}" y="{y + bar - 3}" font-size="9" {_FONT} '
                       f'fill="{INK}">{_fmt(v)}{escape(unit)}</text>')
    _legend(out, [n for n, _s in series], left + pw + 50, top)
    out.append("</svg>")
    return Markup("".join(out))
