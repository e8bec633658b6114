"""The logbook and the media browser in a browser, as a person reads them (steps of
test_browser.py).

A demo call from the simulator (answered at Ресепшн, recorded): the logbook page,
opened on the call's minutes, shows exactly one line per call step (as many lines
as `mtt_business_call` events, no line of Last push, Last call, Call state or a Call
event entity); the media browser (Media → MTT Business → the day → the call list)
lists the call, which opens in the media bar and plays (headless Chromium plays the
simulator's silent MP3). Everywhere: names, not SIP IDs; formatted numbers; no call
id; in Russian no English sentence of the integration.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
from datetime import UTC, datetime, timedelta
import json
from pathlib import Path
import re
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
from dev_instance import DevInstance
from running_instance import RunningInstance

from custom_components.mtt_business.logbook_texts import LOGBOOK_TEXTS

ROOT = Path(__file__).resolve().parents[2]
DEMO = json.loads((ROOT / "mtt_simulator" / "scenarios" / "demo.json").read_text())
SIP_IDS = [w["workplace"] for w in DEMO["workplaces"]] + [
    t["terminal"] for t in DEMO["terminals"]
]
"""The demo directory's SIP IDs (workplaces and terminals): none may show."""
RAW_NUMBER = re.compile(r"\+?7\d{10}")
RAW_ID = re.compile(r"[0-9a-fA-F]{12,}|[0-9a-fA-F]{8,}[_~]")
"""A call id (32+ hex characters with `_` or `~`), a SIP ID, any long hex run."""
OTHER_LINES = re.compile(
    r"Last push|Last call|Call state|detected an event|"
    r"\b(trying|showing|connected|hiding|finished|recorded|routing_failed)\b|"
    r"Последний|Состояние вызова|обнаружено событие"
)
"""Lines of the entities that change with every step (disabled by default)."""
BRAND = re.compile(r"MTT Business|Home Assistant")
ENGLISH_SENTENCE_WORDS = sorted(
    {
        word
        for text in LOGBOOK_TEXTS["en"].values()
        for word in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", "", text))
        if word not in ("Home", "Assistant")
    }
)
"""The words of the logbook's English sentences: none may show in Russian."""
MONTHS = {
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "ru": [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
}
MEDIA_ENGLISH = (*MONTHS["en"], "missed", "recording", "call", "MTT keeps")
"""The media browser's English titles and errors: none may show in Russian."""
DEMO_CALLER = "+7 916 123-45-67"
DEMO_PARTIES = f"{DEMO_CALLER} → +7 499 649-78-03"
AT_RECEPTION = f"{DEMO_CALLER} → Ресепшн"
READY = {"en": "the recording is ready", "ru": "запись разговора готова"}
AUDIO_PROBE = """
(() => {
    const Original = window.Audio;
    window.__mttAudio = [];
    window.Audio = function (src) {
        const audio = new Original(src);
        for (const name of ["playing", "ended", "error"]) {
            audio.addEventListener(name, () => window.__mttAudio.push(name));
        }
        return audio;
    };
    window.Audio.prototype = Original.prototype;
})();
"""
"""Records what the media bar's audio (`new Audio(url)`, in no DOM) does."""


@contextlib.asynccontextmanager
async def call_events(
    running: RunningInstance, session: aiohttp.ClientSession
) -> AsyncIterator[list[dict[str, Any]]]:
    """The `mtt_business_call` events fired while the block runs (one per step)."""
    events: list[dict[str, Any]] = []
    async with session.ws_connect(f"{running.ha_url}/api/websocket") as ws:
        await ws.receive_json()
        await ws.send_json({"type": "auth", "access_token": running.token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        await ws.send_json(
            {"id": 1, "type": "subscribe_events", "event_type": "mtt_business_call"}
        )
        assert (await ws.receive_json())["success"]

        async def read() -> None:
            async for message in ws:
                data = json.loads(message.data)
                if data.get("type") == "event":
                    events.append(data["event"]["data"])

        reader = asyncio.ensure_future(read())
        try:
            yield events
        finally:
            reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await reader


async def demo_call(
    page: Any,
    instance: DevInstance,
    running: RunningInstance,
    session: aiohttp.ClientSession,
    screenshot: Path,
    *,
    language: str,
) -> str:
    """The README's demo call (shorter); its logbook lines, one per step. Returns
    the call's id."""
    start = datetime.now(UTC) - timedelta(seconds=2)
    async with call_events(running, session) as events:
        async with session.post(
            f"{instance.simulator_url}/control/calls/incoming",
            json={
                "from": "79161234567",
                "to": "74996497803",
                "answer_after": 1,
                "hangup_after": 2,
            },
        ) as response:
            assert response.status == 200, await response.text()
        # The whole call first: a logbook opened during it may miss lines that are
        # on their way to the database (Home Assistant's, not ours).
        await _wait_for_logbook(running, session, start, READY[language])
        await asyncio.sleep(1)
    call_ids = {event["call_id"] for event in events}
    assert len(call_ids) == 1, events
    steps = [event["state"] for event in events]
    assert steps[0] == "trying", steps
    assert "recorded" in steps, steps

    end = datetime.now(UTC) + timedelta(seconds=2)
    await page.goto(
        f"{instance.ha_url}/logbook?start_date={_iso(start)}&end_date={_iso(end)}"
    )
    rows = page.locator("ha-logbook-entry")
    await rows.filter(has_text=READY[language]).wait_for()
    texts = [
        " ".join(" ".join(await row.evaluate(_DEEP_TEXTS)).split())
        for row in await rows.all()
    ]
    # One line per step, each the integration's, with the call's parties.
    assert len(texts) == len(events), (steps, texts)
    assert all("MTT Business" in text for text in texts), texts
    assert all(DEMO_CALLER in text for text in texts), texts
    assert not [t for t in texts if OTHER_LINES.search(t)], texts
    assert sum(DEMO_PARTIES in text for text in texts) >= 2, texts
    assert any("Ресепшн" in text for text in texts), texts
    _reads_as_a_person_reads(" | ".join(texts), call_ids, russian=language == "ru")
    if language == "ru":
        shown = " | ".join(BRAND.sub("", text) for text in texts)
        english = [w for w in ENGLISH_SENTENCE_WORDS if re.search(rf"\b{w}\b", shown)]
        assert english == [], (english, texts)
        assert not re.search("[A-Za-z]", shown), texts
    await page.screenshot(path=str(screenshot))
    return call_ids.pop()


async def recordings_in_the_media_browser(
    page: Any,
    instance: DevInstance,
    running: RunningInstance,
    session: aiohttp.ClientSession,
    call_id: str,
    screenshot: Path,
    *,
    language: str,
) -> None:
    """Media → MTT Business → today → the call: listed by time, names and formatted
    numbers; a click plays it in the media bar."""
    calls = await recent_calls(running, session, 20)
    (record,) = [c for c in calls if c["call_id"] == call_id]
    config = await running.websocket(session, {"type": "get_config"})
    started = datetime.fromisoformat(record["started"]).astimezone(
        ZoneInfo(config["time_zone"])
    )
    offset = started.utcoffset() or timedelta()
    hours = int(offset.total_seconds() // 3600)
    day = (
        f"{started.day} {MONTHS[language][started.month - 1]} {started.year} "
        f"(UTC{hours:+d})"
    )
    title = re.compile(rf"^{started:%H:%M} {re.escape(AT_RECEPTION)}, 0:0\d$")

    await page.add_init_script(AUDIO_PROBE)
    await page.goto(f"{instance.ha_url}/media-browser/browser")
    browser = page.locator("ha-media-player-browse")
    # (Each title has a tooltip with the same text.)
    await browser.get_by_text("MTT Business", exact=True).filter(visible=True).click()
    await browser.get_by_text(day, exact=True).filter(visible=True).click()
    await browser.get_by_text(title).filter(visible=True).first.wait_for()
    # Two calls of the same minute read the same: the call is the item of its media
    # id (the frontend's `item` property; the page shows no id).
    item = (await browser.evaluate_handle(_ITEM_OF_CALL, call_id)).as_element()
    assert item is not None, call_id
    texts = [" ".join(t.split()) for t in await item.evaluate(_DEEP_TEXTS)]
    assert any(title.match(t) for t in texts), (title, texts)
    listed = [
        " ".join(t.split())
        for t in await browser.evaluate(_DEEP_TEXTS)
        if "→" in t or re.search(r"\d{4}", t)
    ]
    assert any(title.match(t) for t in listed), listed
    shown = " | ".join(listed)
    _reads_as_a_person_reads(shown, {call_id}, russian=language == "ru")
    if language == "ru":
        english = [w for w in MEDIA_ENGLISH if re.search(rf"\b{re.escape(w)}\b", shown)]
        assert english == [], (english, listed)
        assert not re.search("[A-Za-z]", BRAND.sub("", shown)), listed

    await item.click()
    # The media bar at the bottom plays it (audio has no dialog, nor an element).
    bar = page.locator("ha-bar-media-player")
    await bar.get_by_text(title).first.wait_for()
    await page.wait_for_function(
        "() => (window.__mttAudio || []).some((e) => e !== 'error')"
    )
    played = await page.evaluate("window.__mttAudio")
    assert "error" not in played and "playing" in played, played
    assert await page.locator("ha-dialog, dialog-box").count() == 0
    await page.screenshot(path=str(screenshot))


_ITEM_OF_CALL = """(root, callId) => {
    const found = [];
    const walk = (node) => {
        for (const child of node.children) {
            const id = child.item && child.item.media_content_id;
            // The row (a list's item, a grid's card), not its play button.
            const row = child.tagName === "HA-LIST-ITEM"
                || child.classList.contains("child");
            if (row && typeof id === "string" && id.endsWith("/" + callId)
                    && child.getBoundingClientRect().height > 0) {
                found.push(child);
            }
            if (child.shadowRoot) walk(child.shadowRoot);
            walk(child);
        }
    };
    if (root.shadowRoot) walk(root.shadowRoot);
    walk(root);
    return found.length === 1 ? found[0] : null;
}"""
"""The one shown item of the media browser that plays the call `callId`."""

_DEEP_TEXTS = """(root) => {
    const texts = [];
    const walk = (node) => {
        if (node.shadowRoot) walk(node.shadowRoot);
        for (const child of node.childNodes) {
            if (child.nodeType === Node.TEXT_NODE) {
                const text = child.textContent.trim();
                if (text) texts.push(text);
            } else if (child.nodeType === Node.ELEMENT_NODE
                    && !["STYLE", "SCRIPT"].includes(child.tagName)) {
                walk(child);
            }
        }
    };
    walk(root);
    return texts;
}"""
"""Every text under an element, its shadow roots included."""


def _reads_as_a_person_reads(shown: str, call_ids: set[str], *, russian: bool) -> None:
    for sip_id in SIP_IDS:
        assert sip_id not in shown, (sip_id, shown)
    for call_id in call_ids:
        assert call_id not in shown, (call_id, shown)
    assert not RAW_ID.search(shown), shown
    assert not RAW_NUMBER.search(shown), shown
    assert DEMO_CALLER in shown, shown


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


async def _wait_for_logbook(
    running: RunningInstance,
    session: aiohttp.ClientSession,
    start: datetime,
    text: str,
) -> None:
    """Until the recorder has written the call's last line (the page reads the
    lines from the database; a line still on its way there would be missing)."""
    url = f"{running.ha_url}/api/logbook/{start.isoformat()}"
    messages: list[str] = []
    for _ in range(120):
        async with session.get(url, headers=running.headers()) as response:
            messages = [str(e.get("message")) for e in await response.json()]
        if any(text in m for m in messages):
            return
        await asyncio.sleep(0.25)
    raise TimeoutError(f"Logbook line {text!r} not written: {messages}")


async def recent_calls(
    running: RunningInstance, session: aiohttp.ClientSession, limit: int
) -> list[dict[str, Any]]:
    """The newest `limit` calls of the (only) entry's journal, newest first."""
    (entry,) = await running.websocket(
        session, {"type": "config_entries/get", "domain": "mtt_business"}
    )
    journal = await running.websocket(
        session,
        {
            "type": "mtt_business/journal/list",
            "entry_id": entry["entry_id"],
            "limit": limit,
        },
    )
    calls: list[dict[str, Any]] = journal["calls"]
    return calls
