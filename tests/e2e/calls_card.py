"""The calls card in a browser, used as a person does (steps of test_browser.py).

A dashboard is made through Settings → Dashboards, the card is added through the
dashboard's editor (Add card → By card → search "MTT" → the card's own editor →
Save), and a call from the simulator is followed in it: it appears with a running
timer, is transferred to another workplace with the card's button and moves there,
and is ended with the card's button and disappears.
"""

from __future__ import annotations

from pathlib import Path
import re
from typing import Any

import aiohttp
from dev_instance import DevInstance
from running_instance import RunningInstance

DASHBOARD = "Phones"
DASHBOARD_PATH = "dashboard-phones"
CARD_TITLE = "Office calls"
TIMER = re.compile(r"^\d+:\d\d$")


async def add_card_to_a_new_dashboard(
    page: Any, instance: DevInstance, running: RunningInstance
) -> None:
    """A new dashboard from scratch, with the card added through the UI."""
    from playwright.async_api import expect

    await page.goto(f"{instance.ha_url}/config/lovelace/dashboards")
    await page.get_by_role("button", name="Add dashboard").click()
    await page.get_by_text("New dashboard from scratch").click()
    await page.get_by_role("textbox", name="Title").fill(DASHBOARD)
    await page.get_by_role("button", name="Create").click()
    await page.locator("ha-sidebar").get_by_text(DASHBOARD, exact=True).click()
    await page.wait_for_url(re.compile(f"/{DASHBOARD_PATH}"))
    add_card = page.get_by_role("button", name="Add card")
    edit = page.get_by_role("button", name="Edit dashboard")
    # A new, empty dashboard opens in edit mode; otherwise the pencil opens it.
    await expect(add_card.or_(edit).first).to_be_visible()
    if not await add_card.count():
        await edit.click()
    await add_card.first.click()

    await page.get_by_role("tab", name="By card").click()
    # The search filters the cards once the picker has listed them.
    await page.get_by_text("Core cards").wait_for()
    await page.get_by_placeholder("Search cards").fill("MTT")
    picked = page.locator("div.card").filter(has_text="MTT Business calls")
    # The picker shows a live preview of the card under an overlay that takes the click.
    await picked.locator("mtt-business-card").get_by_text("Workplaces").wait_for()
    await picked.locator(".overlay").click()

    editor = page.locator("mtt-business-card-editor")
    await editor.locator("input.title").fill(CARD_TITLE)
    await expect(editor.locator("input.show-workplaces")).to_be_checked()
    await expect(editor.locator("input.show-call-form")).to_be_checked()
    await page.get_by_role("button", name="Save").click()
    await page.get_by_role("button", name="Done").click()

    card = page.locator("mtt-business-card")
    await expect(card.locator(".card-header")).to_have_text(CARD_TITLE)
    await card.get_by_text("No calls right now.").wait_for()

    async with aiohttp.ClientSession() as session:
        await running.login(session)
        config = await running.websocket(
            session, {"type": "lovelace/config", "url_path": DASHBOARD_PATH}
        )
    cards = [
        card
        for view in config["views"]
        for section in view.get("sections", [])
        for card in section.get("cards", [])
    ] + [card for view in config["views"] for card in view.get("cards", [])]
    assert {
        "type": "custom:mtt-business-card",
        "title": CARD_TITLE,
        "show_workplaces": True,
        "show_call_form": True,
    } in cards, config


async def follow_a_call(
    page: Any,
    instance: DevInstance,
    running: RunningInstance,
    session: aiohttp.ClientSession,
    screenshot: Path,
) -> None:
    """On the card's dashboard: a call appears with a running timer; the card
    transfers it, then ends it. The recent calls are shown exactly where Home
    Assistant has the integration's call journal."""
    from playwright.async_api import expect

    card = page.locator("mtt-business-card")
    await card.get_by_text("No calls right now.").wait_for()
    async with session.post(
        f"{instance.simulator_url}/control/calls/incoming",
        json={"from": "79161234567", "to": "74996497803", "answer_after": 1},
    ) as response:
        assert response.status == 200, await response.text()

    call = card.locator("li.call")
    await expect(call).to_have_count(1)
    await expect(call.locator(".parties")).to_have_text("+79161234567 → +74996497803")
    await expect(call.locator(".state")).to_have_text("Talking")
    await expect(call.locator(".workplace")).to_have_text("at Ресепшн")
    timer = call.locator(".timer")
    await expect(timer).to_have_text(TIMER)
    shown = await timer.text_content()
    await expect(timer).not_to_have_text(shown or "")
    await expect(timer).to_have_text(TIMER)
    reception = card.locator("li.workplace").filter(has_text="Ресепшн")
    await expect(reception.locator(".state")).to_have_text("Talking")
    await card.screenshot(path=str(screenshot))

    await call.get_by_role("button", name="Transfer").click()
    await call.locator("select.target").select_option(label="Менеджер Иван")
    await call.locator("button.confirm-transfer").click()
    await expect(call.locator(".workplace")).to_have_text("at Менеджер Иван")
    await expect(call.locator(".state")).to_have_text("Ringing")
    ivan = card.locator("li.workplace").filter(has_text="Менеджер Иван")
    await expect(ivan.locator(".state")).to_have_text("Ringing")
    await expect(reception.locator(".state")).to_have_text("Free")
    await expect(call.locator("form.transfer-form")).to_be_hidden()

    await call.get_by_role("button", name="End").click()
    await expect(call).to_have_count(0)
    await card.get_by_text("No calls right now.").wait_for()
    await expect(ivan.locator(".state")).to_have_text("Free")
    await expect(card.locator(".error")).to_be_hidden()

    history = card.locator("section.history-section")
    if await _has_journal(running, session):
        await expect(history.locator("li.journal-call").first).to_be_visible()
    else:
        await expect(history).to_be_hidden()


async def _has_journal(
    running: RunningInstance, session: aiohttp.ClientSession
) -> bool:
    """Whether Home Assistant answers `mtt_business/journal/list`."""
    (entry,) = await running.websocket(
        session, {"type": "config_entries/get", "domain": "mtt_business"}
    )
    try:
        await running.websocket(
            session,
            {
                "type": "mtt_business/journal/list",
                "entry_id": entry["entry_id"],
                "limit": 1,
            },
        )
    except RuntimeError as err:
        if "unknown_command" in str(err):
            return False
        raise
    return True
