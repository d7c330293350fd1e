"""Tiny self-contained SVG charts for the back-test report (no external assets)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b")
W, H, PAD = 560, 300, 48


def _scale(lo: float, hi: float, a: float, b: float):  # type: ignore[no-untyped-def]
    span = (hi - lo) or 1.0
    return lambda v: a + (v - lo) / span * (b - a)


def _axes(x0: float, x1: float, y0: float, y1: float, xlabel: str, ylabel: str, pct: bool) -> list[str]:
    sx, sy = _scale(x0, x1, PAD, W - 12), _scale(y0, y1, H - PAD, 12)
    out = [f'<line x1="{PAD}" y1="{H - PAD}" x2="{W - 12}" y2="{H - PAD}" stroke="#333"/>',
           f'<line x1="{PAD}" y1="12" x2="{PAD}" y2="{H - PAD}" stroke="#333"/>']
    for i in range(5):
        xv, yv = x0 + (x1 - x0) * i / 4, y0 + (y1 - y0) * i / 4
        fx = f"{xv:.0%}" if pct else f"{xv:,.3g}"
        fy = f"{yv:.1%}" if pct else f"{yv:,.3g}"
        out.append(f'<text x="{sx(xv):.1f}" y="{H - PAD + 16}" font-size="10" text-anchor="middle">{fx}</text>')
        out.append(f'<text x="{PAD - 4}" y="{sy(yv) + 3:.1f}" font-size="10" text-anchor="end">{fy}</text>')
    out.append(f'<text x="{(PAD + W) / 2}" y="{H - 8}" font-size="11" text-anchor="middle">{escape(xlabel)}</text>')
    out.append(f'<text x="12" y="{H / 2}" font-size="11" text-anchor="middle" transform="rotate(-90 12 {H / 2})">{escape(ylabel)}</text>')
    return out


def line_chart(series: Sequence[tuple[str, Sequence[float], Sequence[float]]], xlabel: str, ylabel: str,
               points: Sequence[tuple[str, float, float]] = (), pct: bool = True) -> str:
    """Lines (name, xs, ys) plus labelled single points, on shared axes."""
    xs = [x for _, sx_, _ in series for x in sx_] + [p[1] for p in points]
    ys = [y for _, _, sy_ in series for y in sy_] + [p[2] for p in points]
    if not xs:
        return ""
    x0, x1, y0, y1 = 0.0, max(xs) * 1.05, 0.0, max(ys) * 1.1 or 1.0
    sx, sy = _scale(x0, x1, PAD, W - 12), _scale(y0, y1, H - PAD, 12)
    out = _axes(x0, x1, y0, y1, xlabel, ylabel, pct)
    legend = []
    for i, (name, lx, ly) in enumerate(series):
        pts = " ".join(f"{sx(a):.1f},{sy(b):.1f}" for a, b in zip(lx, ly, strict=True))
        out.append(f'<polyline fill="none" stroke="{COLOURS[i % 6]}" stroke-width="2" points="{pts}"/>')
        legend.append((name, COLOURS[i % 6]))
    for j, (name, px, py) in enumerate(points):
        colour = COLOURS[(len(series) + j) % 6]
        out.append(f'<circle cx="{sx(px):.1f}" cy="{sy(py):.1f}" r="5" fill="{colour}"/>')
        legend.append((name, colour))
    for k, (name, colour) in enumerate(legend):
        out.append(f'<rect x="{PAD + 10}" y="{16 + 14 * k}" width="10" height="10" fill="{colour}"/>'
                   f'<text x="{PAD + 24}" y="{25 + 14 * k}" font-size="11">{escape(name)}</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}">{"".join(out)}</svg>'


def bar_chart(groups: Sequence[str], series: Sequence[tuple[str, Sequence[float]]], ylabel: str, pct: bool = True) -> str:
    """Grouped bars: one group per label, one bar per series."""
    top = max((v for _, vals in series for v in vals), default=0.0) * 1.1 or 1.0
    sy = _scale(0.0, top, H - PAD, 12)
    out = _axes(0, 1, 0, top, "", ylabel, pct)[:2]
    for i in range(5):
        yv = top * i / 4
        out.append(f'<text x="{PAD - 4}" y="{sy(yv) + 3:.1f}" font-size="10" text-anchor="end">{yv:.0%}</text>' if pct else
                   f'<text x="{PAD - 4}" y="{sy(yv) + 3:.1f}" font-size="10" text-anchor="end">{yv:,.3g}</text>')
    gw = (W - PAD - 12) / max(len(groups), 1)
    bw = gw * 0.8 / max(len(series), 1)
    for g, label in enumerate(groups):
        x = PAD + g * gw + gw * 0.1
        out.append(f'<text x="{x + gw * 0.4:.1f}" y="{H - PAD + 14}" font-size="10" text-anchor="middle">{escape(label)}</text>')
        for s, (_, vals) in enumerate(series):
            y = sy(vals[g])
            out.append(f'<rect x="{x + s * bw:.1f}" y="{y:.1f}" width="{bw - 1:.1f}" height="{H - PAD - y:.1f}" fill="{COLOURS[s % 6]}"/>')
    for k, (name, _) in enumerate(series):
        out.append(f'<rect x="{W - 170}" y="{16 + 14 * k}" width="10" height="10" fill="{COLOURS[k % 6]}"/>'
                   f'<text x="{W - 156}" y="{25 + 14 * k}" font-size="11">{escape(name)}</text>')
    return f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}">{"".join(out)}</svg>'
