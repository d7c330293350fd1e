"""A placed fraud neighbourhood written as an inline ``<svg>`` (no script, no inline style)."""

from __future__ import annotations

from markupsafe import Markup, escape

from creditfactory.web.neighbourhood_layout import NeighbourhoodLayout

__all__ = ["to_svg"]


def to_svg(placed: NeighbourhoodLayout) -> Markup:
    """The layout as an ``<svg>`` element; titles show on hover, classes carry the colours."""
    w, h, r = placed.width, placed.height, placed.node_radius
    out = [
        f'<svg class="neighbourhood" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="fraud neighbourhood of {escape(placed.centre)}">'
    ]
    for link in placed.links:
        kinds = ", ".join(link.kinds) or "linked"
        out.append(
            f'<line class="nb-link" x1="{link.x1}" y1="{link.y1}" x2="{link.x2}" y2="{link.y2}">'
            f"<title>{escape(f'{link.source} - {link.target}: {kinds}')}</title></line>"
        )
    for node in placed.nodes:
        cls = "nb-centre" if node.hop == 0 else "nb-bad" if node.known_bad else "nb-node"
        size = r * 1.6 if node.hop == 0 else r
        out.append(
            f'<circle class="{cls}" data-node="{escape(node.key)}" '
            f'cx="{node.x}" cy="{node.y}" r="{size:.1f}"><title>{escape(node.title)}</title>'
            "</circle>"
        )
    if placed.truncated:
        out.append(
            f'<text class="nb-note" x="6" y="{h - 6}">more neighbours than shown (truncated)</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
