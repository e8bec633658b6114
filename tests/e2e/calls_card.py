"""The calls card in a browser, used as a person does (steps of test_browser.py).

The card is added exactly as the README's "A dashboard" says, on a fresh Home
Assistant: Settings → Dashboards → Add dashboard → New dashboard from scratch →
title "Office" → Create → Office in the sidebar → ✏️ (Edit dashboard) → Add card →
By card → search "MTT" → MTT Business calls → the card's editor → Save → Done.
A call from the simulator is followed in it: it appears with a running timer, is
transferred to another workplace with the card's button and moves there, and is
ended with the card's button and disappears.

Then, as a person reads it on a phone (320 px wide), in English and in Russian: a
workplace named with 40 characters places a call from the card's form; the card
names it (its SIP ID nowhere, no SIP ID of the demo directory anywhere in the
card), numbers are formatted, the running timer and the play button stay on their
rows (the long name ends in an ellipsis, whole in its tooltip), and in Russian no
English string of the card and no call id shows. In Russian, too, the recent
calls' times follow the profile's time zone option (the browser's zone, then Home
Assistant's).
"""

from __future__ import annotations

import asyncio
from pathlib import Path
import re
from typing import Any

import aiohttp
from dev_instance import DevInstance
from running_instance import RunningInstance

from .logbook_media import SIP_IDS, recent_calls

DASHBOARD = "Office"
"""Not "Calls": the demo configuration ships a dashboard of that name already."""
DASHBOARD_PATH = "dashboard-office"
CARD_TITLE = "Звонки офиса"
"""What the office (a Russian one, as its workplaces) types as the card's title."""
TIMER = re.compile(r"^\d+:\d\d$")
RECEPTION = "883140777716581"
IVAN = "883140777828305"
UNNAMED = "883140582526566"
"""The demo's workplace without a name: the test names it `LONG_NAME`."""
WORKPLACES = {RECEPTION: "Ресепшн", IVAN: "Менеджер Иван"}
LONG_NAME = "Отдел продаж и обслуживания клиентов Мск"
assert len(LONG_NAME) == 40
NARROW = {"width": 320, "height": 900}
"""A phone's width: the dashboard is one column, the card as wide as the screen."""
RAW_NUMBER = re.compile(r"\+?7\d{10}")
CARD_ENGLISH = (
    "Active calls",
    "No calls right now.",
    "Workplaces",
    "Place a call",
    "From",
    "Number",
    "Call",
    "Transfer",
    "End",
    "Recent calls",
    "No calls yet.",
    "Missed",
    "Play the recording",
    "Incoming",
    "Outgoing",
    "Connecting",
    "Ringing",
    "Talking",
    "Transferring",
    "Free",
    "Dialing",
    "unknown",
    "Call back",
)
"""The card's English strings: none may show in the Russian card."""


async def add_card_to_a_new_dashboard(
    page: Any, instance: DevInstance, running: RunningInstance
) -> None:
    """The README's steps, word for word: a new dashboard, the card added to it."""
    from playwright.async_api import expect

    # Settings → Dashboards → Add dashboard → New dashboard from scratch → Create.
    await page.locator("ha-sidebar").get_by_text("Settings", exact=True).click()
    await (
        page.locator("ha-config-dashboard")
        .get_by_text("Dashboards", exact=True)
        .first.click()
    )
    await page.wait_for_url(re.compile("/config/lovelace/dashboards"))
    await page.get_by_role("button", name="Add dashboard").click()
    await page.get_by_text("New dashboard from scratch").click()
    await page.get_by_role("textbox", name="Title").fill(DASHBOARD)
    await page.get_by_role("button", name="Create").click()
    # Office in the sidebar → ✏️ (Edit dashboard) → Add card.
    await page.locator("ha-sidebar").get_by_text(DASHBOARD, exact=True).click()
    await page.wait_for_url(re.compile(f"/{DASHBOARD_PATH}"))
    await page.get_by_role("button", name="Edit dashboard").click()
    await page.get_by_role("button", name="Add card").first.click()

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
    # Numbers as people write them, as in the logbook and the media browser.
    await expect(call.locator(".parties")).to_have_text(
        "+7 916 123-45-67 → +7 499 649-78-03"
    )
    await expect(call.locator(".state")).to_have_text("Talking")
    await expect(call.locator(".workplace")).to_have_text("Ресепшн")
    await expect(call.locator(".workplace")).to_have_attribute(
        "title", "At the workplace Ресепшн"
    )
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
    await expect(call.locator(".workplace")).to_have_text("Менеджер Иван")
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


async def name_a_workplace(
    session: aiohttp.ClientSession, instance: DevInstance
) -> None:
    """In the PBX's portal, the unnamed workplace gets a 40-character name."""
    async with session.get(f"{instance.simulator_url}/control/state") as response:
        directory = (await response.json())["directory"]
    workplaces = [
        {"workplace": w["workplace"], "name": w.get("name") or ""}
        for w in directory["workplaces"]
    ]
    for workplace in workplaces:
        if workplace["workplace"] == UNNAMED:
            workplace["name"] = LONG_NAME
    async with session.put(
        f"{instance.simulator_url}/control/directory", json={"workplaces": workplaces}
    ) as response:
        assert response.status == 200, await response.text()


async def long_names_on_a_phone(
    page: Any,
    instance: DevInstance,
    session: aiohttp.ClientSession,
    screenshot: Path,
    *,
    russian: bool,
) -> None:
    """At 320 px: the long-named workplace calls +7 916 123-45-67 from the card's
    form; while it talks and once it is in the recent calls, names show (no SIP ID),
    numbers are formatted, the timer and the play button keep their rows."""
    from playwright.async_api import expect

    await page.set_viewport_size(NARROW)
    card = page.locator("mtt-business-card")
    long_workplace = card.locator(f'li.workplace[data-sip-id="{UNNAMED}"]')
    # The portal's new name reaches the card (the directory is read again).
    await expect(long_workplace.locator(".name")).to_have_text(
        LONG_NAME, timeout=30_000
    )
    await card.locator("select.caller").select_option(label=LONG_NAME)
    await card.locator("input.callee").fill("89161234567")
    await card.locator("button.place-call").click()

    call = card.locator("li.call")
    await expect(call).to_have_count(1)
    parties = call.locator(".parties")
    await expect(parties).to_have_text(f"{LONG_NAME} → +7 916 123-45-67")
    await expect(parties).to_have_attribute("title", f"{LONG_NAME} → +7 916 123-45-67")
    (live,) = await _live_calls(session, instance)
    call_id = str(await call.get_attribute("data-call-id"))
    call_ids = [live, call_id]
    async with session.post(
        f"{instance.simulator_url}/control/calls/{live}/answer", json={}
    ) as response:
        assert response.status == 200, await response.text()
    await expect(call.locator(".state")).to_have_text(
        "Разговор" if russian else "Talking"
    )
    timer = call.locator(".timer")
    await expect(timer).to_have_text(TIMER)
    await _cut_not_wrapped(parties)
    await _on_one_row(parties, timer, card)
    await _on_one_row(
        long_workplace.locator(".name"), long_workplace.locator(".state"), card
    )
    await _reads_as_a_person_reads(card, call_ids, russian=russian)
    await card.screenshot(path=str(screenshot))

    async with session.post(
        f"{instance.simulator_url}/control/calls/{live}/hangup",
        json={"side": "callee"},
    ) as response:
        assert response.status == 200, await response.text()
    await expect(call).to_have_count(0)
    # The recent calls: read again after the call, with its recording.
    recent = card.locator(f'li.journal-call[data-call-id="{call_id}"]')
    await expect(recent).to_be_visible(timeout=30_000)
    play = recent.locator("button.play")
    await expect(play).to_be_visible(timeout=30_000)
    recent_parties = recent.locator(".parties")
    await expect(recent_parties).to_have_text(f"{LONG_NAME} → +7 916 123-45-67")
    await _cut_not_wrapped(recent_parties)
    await _on_one_row(recent_parties, play, card)
    await _reads_as_a_person_reads(card, call_ids, russian=russian)
    await card.screenshot(
        path=str(screenshot.with_name(f"{screenshot.stem}-recent.png"))
    )


async def times_follow_the_profile(
    page: Any, running: RunningInstance, session: aiohttp.ClientSession
) -> None:
    """The recent calls' times: in the browser's zone by default (the profile's
    "local"), in Home Assistant's once the profile says "server"; in the profile's
    language. The browser runs in another zone than Home Assistant's (Moscow)."""
    from playwright.async_api import expect

    started = (await recent_calls(running, session, 1))[0]["started"]
    card = page.locator("mtt-business-card")
    when = card.locator("li.journal-call").first.locator(".when")

    async def in_zone(zone: str) -> str:
        return str(
            await page.evaluate(
                """([started, zone]) => new Intl.DateTimeFormat("ru", {
                    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
                    timeZone: zone,
                }).format(new Date(started))""",
                [started, zone],
            )
        )

    browser_zone = str(
        await page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
    )
    local, server = await in_zone(browser_zone), await in_zone("Europe/Moscow")
    assert local != server, (browser_zone, local, server)
    await expect(when).to_have_text(local)

    # Profile → Time zone: "Use server time zone" (what the profile page saves).
    locale = await running.websocket(
        session, {"type": "frontend/get_user_data", "key": "language"}
    )
    await running.websocket(
        session,
        {
            "type": "frontend/set_user_data",
            "key": "language",
            "value": {
                "number_format": "language",
                "time_format": "language",
                "date_format": "language",
                "first_weekday": "language",
                **(locale.get("value") or {}),
                "time_zone": "server",
            },
        },
    )
    await page.reload()
    await expect(when).to_have_text(server, timeout=30_000)


async def _live_calls(
    session: aiohttp.ClientSession, instance: DevInstance
) -> list[str]:
    async with session.get(f"{instance.simulator_url}/control/state") as response:
        return [c["call_id"] for c in (await response.json())["calls"]]


async def _box(locator: Any) -> dict[str, float]:
    box = await locator.bounding_box()
    assert box is not None, locator
    return dict(box)


async def _on_one_row(text: Any, end: Any, card: Any) -> None:
    """`end` (a timer, a state, a button) sits right of `text` on the same line,
    inside the card: not wrapped onto a line of its own, not pushed out."""
    first, second, frame = await _box(text), await _box(end), await _box(card)
    assert second["y"] < first["y"] + first["height"], (first, second)
    assert first["y"] < second["y"] + second["height"], (first, second)
    assert second["x"] >= first["x"] + first["width"] - 1, (first, second)
    assert second["x"] + second["width"] <= frame["x"] + frame["width"], (
        second,
        frame,
    )


async def _cut_not_wrapped(text: Any) -> None:
    """A long text is on one line, cut with an ellipsis, whole in its tooltip."""
    style = await text.evaluate(
        """(e) => ({
            overflow: getComputedStyle(e).textOverflow,
            wrap: getComputedStyle(e).whiteSpace,
            cut: e.scrollWidth > e.clientWidth,
            title: e.title,
            text: e.textContent,
        })"""
    )
    assert style["overflow"] == "ellipsis", style
    assert style["wrap"] == "nowrap", style
    assert style["cut"], style
    assert style["title"].startswith(style["text"].split(" → ")[0]), style


async def _reads_as_a_person_reads(
    card: Any, call_ids: list[str], *, russian: bool
) -> None:
    """The card's text and tooltips: names, not SIP IDs; formatted numbers; in
    Russian none of the card's English strings and no call id."""
    shown = await card.evaluate(
        """(card) => {
            const root = card.shadowRoot;
            const texts = [root.querySelector(".entries").innerText];
            for (const e of root.querySelectorAll("[title], [placeholder], [aria-label]")) {
                for (const a of ["title", "placeholder", "aria-label"]) {
                    if (e.hasAttribute(a)) texts.push(e.getAttribute(a));
                }
            }
            for (const o of root.querySelectorAll("option")) texts.push(o.textContent);
            return texts.join(" | ");
        }"""
    )
    for sip_id in SIP_IDS:
        assert sip_id not in shown, (sip_id, shown)
    assert not RAW_NUMBER.search(shown), shown
    assert "+7 916 123-45-67" in shown, shown
    if russian:
        english = [t for t in CARD_ENGLISH if re.search(rf"\b{re.escape(t)}\b", shown)]
        assert english == [], (english, shown)
        for call_id in call_ids:
            assert call_id not in shown, (call_id, shown)
        assert not re.search(r"[0-9a-f]{12,}", shown), shown


async def call_back_from_the_card(
    page: Any,
    instance: DevInstance,
    session: aiohttp.ClientSession,
    screenshot: Path,
    *,
    caller: str,
    russian: bool,
) -> None:
    """A missed call appears in the card's call-back list; its **Call back** button
    places the call (the simulator gets a makeCall to that number from the form's
    workplace); answered, the item leaves the list."""
    from playwright.async_api import expect

    card = page.locator("mtt-business-card")
    async with session.post(
        f"{instance.simulator_url}/control/calls/incoming",
        json={"from": caller, "to": "74996497803", "hangup_after": 1},
    ) as response:
        assert response.status == 200, await response.text()
    shown = f"+7 {caller[1:4]} {caller[4:7]}-{caller[7:9]}-{caller[9:]}"
    item = card.locator("li.call-back").filter(has_text=shown)
    await expect(item).to_have_count(1, timeout=30_000)
    await expect(item.locator(".count")).to_have_text("1 раз" if russian else "once")
    button = item.get_by_role("button", name="Перезвонить" if russian else "Call back")
    await _on_one_row(item.locator(".name"), button, card)
    await _reads_as_a_person_reads(card, [], russian=russian)
    await card.screenshot(path=str(screenshot))
    chosen = await card.locator("select.caller").input_value()

    await button.click()
    async with asyncio.timeout(30):
        while True:
            async with session.get(f"{instance.simulator_url}/control/state") as r:
                state = await r.json()
            made = [
                q
                for q in state["requests"]
                if q["method"] == "makeCall"
                and q["params"]["params"]["calleeId"] == "8" + caller[1:]
            ]
            if made:
                break
            await asyncio.sleep(0.3)
    assert made[-1]["params"]["params"]["callerId"] == chosen, made
    await expect(card.locator(".error")).to_be_hidden()
    (live,) = await _live_calls(session, instance)
    async with session.post(
        f"{instance.simulator_url}/control/calls/{live}/answer", json={}
    ) as response:
        assert response.status == 200, await response.text()
    async with session.post(
        f"{instance.simulator_url}/control/calls/{live}/hangup",
        json={"side": "callee"},
    ) as response:
        assert response.status == 200, await response.text()
    await expect(item).to_have_count(0, timeout=30_000)
    # The recent calls offer the same button on a call with an outside number.
    recent = card.locator("li.journal-call").first
    await expect(
        recent.get_by_role("button", name="Перезвонить" if russian else "Call back")
    ).to_be_visible(timeout=30_000)
