"""Export a strategy's policy and tier table as GoRules JDM decision tables (for comparison).

Used by ``bench/decision.py`` to run the same knock-outs and tier table in zen-engine, and by
analysts who want to view the policy in the JDM editor.
"""

from __future__ import annotations

from typing import Any

from creditfactory.strategy.compiler import CompiledStrategy
from creditfactory.strategy.spec import Condition


def _lit(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "\\'") + "'"
    return repr(value)


def _cell(cond: Condition) -> str:
    if cond.op in ("in", "not_in"):
        items = ", ".join(_lit(v) for v in cond.value)  # type: ignore[union-attr]
        test = f"$ in [{items}]" if cond.op == "in" else f"not ($ in [{items}])"
    else:
        test = f"$ {cond.op} {_lit(cond.value)}"
    return f"$ == null or ({test})" if cond.if_missing else f"$ != null and ({test})"


def _graph(hit_policy: str, inputs: list[dict[str, str]], outputs: list[dict[str, str]], rules: list[dict[str, str]]) -> dict[str, Any]:
    return {
        "nodes": [
            {"id": "in", "type": "inputNode", "name": "Request", "position": {"x": 0, "y": 0}},
            {
                "id": "table",
                "type": "decisionTableNode",
                "name": "table",
                "position": {"x": 300, "y": 0},
                "content": {"hitPolicy": hit_policy, "inputs": inputs, "outputs": outputs, "rules": rules},
            },
            {"id": "out", "type": "outputNode", "name": "Response", "position": {"x": 600, "y": 0}},
        ],
        "edges": [
            {"id": "e1", "sourceId": "in", "targetId": "table", "type": "edge"},
            {"id": "e2", "sourceId": "table", "targetId": "out", "type": "edge"},
        ],
    }


def policy_jdm(s: CompiledStrategy) -> dict[str, Any]:
    """The knock-outs as one ``collect`` decision table: every matching row returns its code."""
    rules = [r for r in s.spec.policy if r.enabled]
    fields = sorted({c.field for r in rules for c in r.when})
    inputs = [{"id": f"i_{f}", "name": f, "field": f} for f in fields]
    rows = []
    for k, rule in enumerate(rules):
        row = {"_id": f"r{k}", "o_code": _lit(rule.code)}
        row.update({f"i_{f}": "" for f in fields})
        for cond in rule.when:
            row[f"i_{cond.field}"] = _cell(cond)
        rows.append(row)
    return _graph("collect", inputs, [{"id": "o_code", "name": "code", "field": "code"}], rows)


def tier_jdm(s: CompiledStrategy) -> dict[str, Any]:
    """The tier table as a ``first`` decision table over grade, fraud band, limit, disagreement."""
    names = ("grade", "fraud_band", "limit", "disagreement")
    inputs = [{"id": f"i_{n}", "name": n, "field": n} for n in names]
    grades = [g.name for g in s.spec.grades]
    bands = [b.name for b in s.spec.fraud.bands]
    rows = []
    for k, t in enumerate(s.tiers):
        limit = " and ".join(
            p for p in (
                None if t.min_amount is None else f"$ >= {t.min_amount}",
                None if t.max_amount is None else f"$ <= {t.max_amount}",
            ) if p
        )
        rows.append({
            "_id": f"t{k}",
            "i_grade": "" if t.grades is None else ", ".join(_lit(grades[g]) for g in sorted(t.grades)),
            "i_fraud_band": "" if t.bands is None else ", ".join(_lit(bands[b]) for b in sorted(t.bands)),
            "i_limit": limit,
            "i_disagreement": "" if t.disagreement is None else _lit(t.disagreement),
            "o_tier": _lit(("auto_approve", "remote_verification", "field_investigation", "reject")[t.tier]),
        })
    return _graph("first", inputs, [{"id": "o_tier", "name": "tier", "field": "tier"}], rows)
