"""The neighbourhood picture: rings by hop around the case, links between placed nodes only."""

from __future__ import annotations

import math
import random
import xml.etree.ElementTree as ET
from typing import Any

from creditfactory.web.neighbourhood_layout import layout
from creditfactory.web.neighbourhood_svg import to_svg


def _nbh(truncated: bool = False) -> dict[str, Any]:
    nodes = [{"application_id": 100, "hop": 0, "applied_at": "2024-03-01", "channel_id": "C1",
              "known_bad_since": None}]
    links = []
    for i in range(1, 6):
        nodes.append({"application_id": 100 + i, "hop": 1, "applied_at": f"2024-02-0{i}",
                      "channel_id": "C2", "known_bad_since": "2024-05-01" if i == 2 else None})
        links.append({"source": 100, "target": 100 + i, "kinds": ["phone"]})
        for j in range(2):
            child = 200 + 10 * i + j
            nodes.append({"application_id": child, "hop": 2, "applied_at": "2023-12-01",
                          "channel_id": "C<3>", "known_bad_since": None})
            links.append({"source": 100 + i, "target": child, "kinds": ["device", "address"]})
    links.append({"source": 100, "target": 999, "kinds": ["phone"]})  # 999 is not a node
    return {"center": 100, "nodes": nodes, "links": links, "truncated": truncated}


def _dist(p: Any, cx: float, cy: float) -> float:
    return math.hypot(p.x - cx, p.y - cy)


def test_centre_in_the_middle_and_each_hop_on_its_own_ring_inside_the_picture() -> None:
    placed = layout(_nbh(), width=600, height=400)
    cx, cy = 300, 200
    by_id = {n.key: n for n in placed.nodes}
    assert (by_id["100"].x, by_id["100"].y) == (cx, cy)
    ring1 = {round(_dist(n, cx, cy)) for n in placed.nodes if n.hop == 1}
    ring2 = {round(_dist(n, cx, cy)) for n in placed.nodes if n.hop == 2}
    assert len(ring1) == 1 and len(ring2) == 1 and ring2.pop() > ring1.pop() > 0
    for n in placed.nodes:
        assert placed.node_radius <= n.x <= 600 - placed.node_radius
        assert placed.node_radius <= n.y <= 400 - placed.node_radius


def test_links_join_placed_nodes_and_drop_unknown_ends() -> None:
    placed = layout(_nbh())
    by_id = {n.key: n for n in placed.nodes}
    assert len(placed.links) == 15
    for link in placed.links:
        assert (link.x1, link.y1) == (by_id[link.source].x, by_id[link.source].y)
        assert (link.x2, link.y2) == (by_id[link.target].x, by_id[link.target].y)
    assert {link.kinds for link in placed.links} == {("phone",), ("address", "device")}


def test_outer_nodes_sit_near_the_inner_node_they_hang_from() -> None:
    placed = layout(_nbh())
    by_id = {n.key: n for n in placed.nodes}
    for i in range(1, 6):
        for child in (by_id[str(200 + 10 * i)], by_id[str(201 + 10 * i)]):
            nearest = min((n for n in placed.nodes if n.hop == 1),
                          key=lambda n, c=child: math.hypot(n.x - c.x, n.y - c.y))
            assert nearest is by_id[str(100 + i)]


def test_the_same_neighbourhood_in_any_order_gives_the_same_picture() -> None:
    nbh = _nbh()
    shuffled = dict(nbh, nodes=random.Random(3).sample(nbh["nodes"], len(nbh["nodes"])),
                    links=random.Random(4).sample(nbh["links"], len(nbh["links"])))
    assert layout(nbh) == layout(shuffled)
    assert to_svg(layout(nbh)) == to_svg(layout(shuffled))


def test_a_lone_application_is_drawn_alone_even_when_missing_from_the_nodes() -> None:
    placed = layout({"center": 7, "nodes": [], "links": [], "truncated": False})
    assert [(n.key, n.hop) for n in placed.nodes] == [("7", 0)]
    assert placed.links == ()


def test_svg_marks_centre_and_known_bad_escapes_text_and_notes_truncation() -> None:
    svg = str(to_svg(layout(_nbh(truncated=True))))
    root = ET.fromstring(svg)
    circles = root.findall("circle")
    classes = {c.get("data-node"): c.get("class") for c in circles}
    assert classes["100"] == "nb-centre" and classes["102"] == "nb-bad" and classes["101"] == "nb-node"
    assert len(circles) == 16 and len(root.findall("line")) == 15
    assert "channel C<3>" in root.find("circle[@data-node='210']/title").text  # type: ignore[union-attr]
    assert "C<3>" not in svg and "C&lt;3&gt;" in svg
    assert "known bad since 2024-05-01" in svg
    assert "truncated" in "".join(root.find("text").itertext())  # type: ignore[union-attr]
    assert "truncated" not in str(to_svg(layout(_nbh(truncated=False))))


def test_online_graph_nodes_are_told_apart_by_key_and_say_where_they_came_from() -> None:
    nbh = {
        "center": "store:7",
        "nodes": [
            {"key": "store:7", "origin": "store", "application_id": 7, "hop": 0,
             "applied_at": "2026-11-28T10:00:00", "same_channel_as_center": True, "known_bad_since": None},
            {"key": "training:7", "origin": "training", "application_id": 7, "hop": 1,
             "applied_at": "2024-01-02T00:00:00", "same_channel_as_center": False,
             "known_bad_since": "2024-03-01T00:00:00"},
            {"key": "unsaved:1", "origin": "unsaved", "application_id": None, "hop": 1,
             "applied_at": None, "same_channel_as_center": True, "known_bad_since": None},
        ],
        "links": [{"source": "training:7", "target": "store:7", "kinds": ["phone"]},
                  {"source": "unsaved:1", "target": "store:7", "kinds": ["bank_card", "device"]}],
        "truncated": False,
    }
    placed = layout(nbh)
    titles = {n.key: n.title for n in placed.nodes}
    assert len(placed.nodes) == 3 and len(placed.links) == 2
    assert titles["store:7"].startswith("application 7 (this case)")
    assert titles["training:7"].startswith("training application 7") and "another channel" in titles["training:7"]
    assert "not yet saved" in titles["unsaved:1"] and "same channel" in titles["unsaved:1"]
    root = ET.fromstring(str(to_svg(placed)))
    assert root.find("circle[@data-node='training:7']").get("class") == "nb-bad"  # type: ignore[union-attr]
