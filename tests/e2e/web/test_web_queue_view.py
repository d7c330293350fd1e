"""The station queue: its total, the user's own tasks, and its orders."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from playwright.sync_api import expect

if TYPE_CHECKING:
    from conftest import Web


def _task(web: Web, case_id: int) -> int:
    return int(next(t["task_id"] for t in web.case_json(case_id)["tasks"]
                    if t["step"] == "phone_verification"))


def test_the_queue_counts_its_tasks_and_shows_mine_and_the_largest_first(web: Web, context: Any) -> None:
    small = _task(web, web.submit(44, amount=260000.0, declared_monthly_revenue=90000.0)["case_id"])
    large = _task(web, web.submit(45, amount=395000.0, declared_monthly_revenue=90000.0)["case_id"])
    context.add_cookies([web.session_cookie("verifier")])
    page = context.new_page()
    page.goto(f"{web.root}/ui/queue")
    station = page.locator("#station-phone_verification")
    total = int(station.locator(".queue-total").get_attribute("data-total") or 0)
    assert total >= 2
    expect(station.locator(".queue-total")).to_contain_text(f"{total:,} open or claimed")

    station.locator(f"#task-{small} button[name=claim]").click()
    page.select_option("#queue-view select[name=mine]", "1")
    page.click("#queue-view button")
    station = page.locator("#station-phone_verification")
    expect(station.locator(f"#task-{small}")).to_have_count(1)
    expect(station.locator(f"#task-{large}")).to_have_count(0)
    expect(station.locator("tr[data-task]")).to_have_count(
        int(station.locator(".queue-total").get_attribute("data-total") or 0))
    assert all(s == "claimed" for s in station.locator("tr[data-task]").evaluate_all(
        "rows => rows.map(r => r.dataset.status)"))

    page.goto(f"{web.root}/ui/queue?order=amount")
    amounts = page.locator("#station-phone_verification tr[data-task] td.num").all_inner_texts()
    values = [float(a.replace(",", "")) for a in amounts]
    assert values == sorted(values, reverse=True) and 395000.0 in values
    expect(page.locator("#queue-view select[name=order]")).to_have_value("amount")
