"""The README's run command, used as a person does: in a browser.

Starts `scripts/develop` as a terminal would (its own process group, so that Ctrl-C
is a SIGINT to that group), logs in on Home Assistant's login page with Debian's
Chromium driven by Playwright, sees the dashboard render (not "Loading..."), adds
MTT Business through its dialogs (the first shows the Redirect URI; the simulator's
sign-in page opens in a new window), and opens the integration's page and the PBX's
device page. A demo call is read in the logbook: exactly one line per call step, no
line of an entity that changes with every step; it is listed in the media browser
and plays there (logbook_media.py); the PBX's device page lists it. The calls card
is added to a new dashboard of its own ("Office") through the README's steps, and
follows a call it transfers and ends; on a phone's width a workplace with a
40-character name calls from the card: names, not SIP IDs, formatted numbers, timer
and play button on their rows (calls_card.py). Home Assistant must have logged no
traceback and shown no notification. Then Ctrl-C, and the same configuration again
with `--language ru`: the recorder reports a clean shutdown, the PBX's device page
shows its model and entities in Russian, another demo call is read in the logbook
and the media browser as in English, and the card is in Russian too (no English
string of the card, the logbook or the media browser, no call id, no SIP ID, the
same phone-width call).

On failure a screenshot of the page is written to `<tmp_path>/failure.png` (the
path is printed); on success `dashboard.png`, `logbook.png`, `media.png`,
`device.png`, `card.png`, `card-phone.png`, `card-phone-recent.png`,
`logbook-ru.png`, `media-ru.png`, `device-ru.png`, `card-ru.png`,
`card-ru-phone.png` and `card-ru-phone-recent.png` show what was seen. With
`MTT_DOCS_SCREENSHOTS=1` the README's pictures are then copied into `docs/`
(`card.png`, `logbook.png`, `card-ru.png` from `card-ru-phone.png`,
`logbook-ru.png`); without it (as under CI) no committed file is written. The
processes' output is in `<tmp_path>/develop-<n>.log` and Home Assistant's log in
`<tmp_path>/config/home-assistant.log`.

Needs /usr/bin/chromium and the `playwright` package (both installed by
`scripts/setup`); without them the test is skipped, except under CI (`CI=true`),
where it fails.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import os
from pathlib import Path
import re
import shutil
import signal
import sys
from typing import Any

import aiohttp
from dev_instance import DevInstance, prepare
import pytest
from running_instance import RunningInstance, free_port

from .calls_card import (
    DASHBOARD_PATH,
    LONG_NAME,
    add_card_to_a_new_dashboard,
    call_back_from_the_card,
    follow_a_call,
    long_names_on_a_phone,
    name_a_workplace,
    times_follow_the_profile,
)
from .logbook_media import demo_call, recordings_in_the_media_browser

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
BANNER_END = "develop: Home Assistant pid"
FIRST_LINE = "incoming call: +7 916 123-45-67 → +7 499 649-78-03"
"""A call's first logbook line: it starts on its parking leg, at the number dialled."""
FIRST_LINE_RU = "входящий вызов: +7 916 123-45-67 → +7 499 649-78-03"
DOCS_SCREENSHOTS = {
    "card.png": "card.png",
    "logbook.png": "logbook.png",
    "card-ru-phone.png": "card-ru.png",
    "logbook-ru.png": "logbook-ru.png",
}
"""The README's pictures (`docs/`), rewritten when MTT_DOCS_SCREENSHOTS=1."""
PIDS = re.compile(r"Home Assistant pid (\d+), simulator pid (\d+)")


def _browser_missing() -> str | None:
    if not CHROMIUM.exists():
        return f"no {CHROMIUM} (scripts/setup installs Debian's chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "no playwright package (scripts/setup installs it)"
    return None


def _as_in_a_terminal() -> None:
    """Ctrl-C reaches the script as in a terminal: SIGINT at its default.

    A shell that starts a command in the background without job control (CI
    runners, `cmd &` in a script) starts it with SIGINT ignored; bash cannot trap a
    signal ignored on entry, so the script's Ctrl-C handler would never run.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Develop:
    """`scripts/develop`, running in a process group of its own, as in a terminal."""

    def __init__(self, tmp_path: Path, instance: DevInstance) -> None:
        """Remember where the configuration and the logs go."""
        self.tmp_path = tmp_path
        self.instance = instance
        self.runs = 0
        self.process: asyncio.subprocess.Process | None = None
        self.children: list[int] = []
        self.output: list[str] = []

    async def start(self, *args: str) -> None:
        """Run the script; return once Home Assistant answers."""
        self.runs += 1
        self.output = []
        ha_port = self.instance.ha_url.rsplit(":", 1)[1]
        simulator_port = self.instance.simulator_url.rsplit(":", 1)[1]
        self.process = await asyncio.create_subprocess_exec(
            str(ROOT / "scripts" / "develop"),
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_as_in_a_terminal,
            env={
                **os.environ,
                "HA_PORT": ha_port,
                "SIMULATOR_PORT": simulator_port,
                "DEVELOP_CONFIG": self.instance.config_dir,
                "PYTHONUNBUFFERED": "1",
            },
        )
        await asyncio.wait_for(self._read_until(BANNER_END), 240)
        self._reader = asyncio.ensure_future(self._read_until(None))

    async def _read_until(self, marker: str | None) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        log = self.tmp_path / f"develop-{self.runs}.log"
        while line := await self.process.stdout.readline():
            text = line.decode(errors="replace")
            self.output.append(text)
            with log.open("a") as file:
                file.write(text)
            if match := PIDS.search(text):
                self.children = [int(match[1]), int(match[2])]
            if marker is not None and marker in text:
                return
        if marker is not None:
            raise RuntimeError(f"scripts/develop ended early: see {log}")

    async def interrupt(self) -> int:
        """Ctrl-C: SIGINT to the script's process group; wait until all ended."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGINT)
        code = await asyncio.wait_for(self.process.wait(), 120)
        await self._reader
        for pid in self.children:
            assert not _alive(pid), f"process {pid} outlived scripts/develop"
        return code

    async def kill(self) -> None:
        """Whatever happened: end the script and the processes it started, by pid."""
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        for pid in self.children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie of a process that ended is not alive.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return False


@contextlib.asynccontextmanager
async def _browser(
    tmp_path: Path, locale: str, timezone: str | None = None
) -> AsyncIterator[Any]:
    """A Chromium page (in `timezone`, else the machine's); a screenshot of it is
    written if the block fails."""
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            # As root (CI containers) Chromium needs --no-sandbox.
            args=["--no-sandbox"] if os.geteuid() == 0 else [],
        )
        try:
            page = await browser.new_page(
                locale=locale,
                timezone_id=timezone,
                viewport={"width": 1280, "height": 900},
            )
            # On localhost the frontend installs its service worker (a cache of
            # its files) and reloads the page when the worker takes control, 15 to
            # 60 s after the first page, whatever the page shows (it closed the
            # card picker in one run). Without the worker (as where a browser
            # refuses one) no page is reloaded behind the test's back.
            await page.context.route("**/sw-modern.js", lambda route: route.abort())
            page.set_default_timeout(60_000)
            try:
                yield page
            except BaseException as err:
                shot = tmp_path / "failure.png"
                with contextlib.suppress(Exception):
                    await page.screenshot(path=str(shot), full_page=True)
                    sys.stderr.write(f"\nScreenshot of the failure: {shot}\n")
                    err.add_note(f"Screenshot of the failure: {shot}")
                raise
        finally:
            await browser.close()


async def _log_in(page: Any, instance: DevInstance) -> None:
    """The login page, as a person fills it in; then the dashboard renders."""
    await page.goto(instance.ha_url)
    await page.locator("input[name=username]").fill(instance.username)
    await page.locator("input[name=password]").fill(instance.password)
    await page.keyboard.press("Enter")
    # The default dashboard: the sidebar and a rendered view, no launch screen.
    await page.locator("ha-sidebar").wait_for()
    await page.locator("hui-view").first.wait_for()
    await page.locator("#ha-launch-screen").wait_for(state="detached")
    assert await page.get_by_text("Loading...").count() == 0


def _log_problems(config_dir: str) -> list[str]:
    log = Path(config_dir) / "home-assistant.log"
    lines = log.read_text(errors="replace").splitlines()
    return [line for line in lines if "Traceback" in line or " ERROR " in line[:40]]


@pytest.mark.timeout(600)
async def test_develop_in_a_browser(tmp_path: Path, socket_enabled: None) -> None:
    missing = _browser_missing()
    if missing is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"The browser test must run under CI: {missing}")
        pytest.skip(missing)

    loop = asyncio.get_running_loop()
    instance = await loop.run_in_executor(
        None,
        lambda: prepare(
            tmp_path / "config", ha_port=free_port(), simulator_port=free_port()
        ),
    )
    develop = Develop(tmp_path, instance)
    running = RunningInstance(tmp_path, instance=instance)
    try:
        await develop.start()
        async with (
            _browser(tmp_path, "en-US") as page,
            aiohttp.ClientSession() as session,
        ):
            await _log_in(page, instance)
            await page.screenshot(path=str(tmp_path / "dashboard.png"))

            await _add_integration(page, instance)
            await running.login(session)
            (entry,) = await running.websocket(
                session, {"type": "config_entries/get", "domain": "mtt_business"}
            )
            assert entry["state"] == "loaded", entry
            pbx = await _pbx_device(running, session, entry["entry_id"])

            await page.goto(
                f"{instance.ha_url}/config/integrations/integration/mtt_business"
            )
            await page.get_by_text(entry["title"]).first.wait_for()

            await page.goto(f"{instance.ha_url}/config/devices/device/{pbx}")
            await page.get_by_text("MTT Business virtual PBX").first.wait_for()
            # (Last call and the Call event entities are disabled by default.)
            for name in ("Active calls", "Calls today", "Talk time today"):
                await page.get_by_text(name, exact=True).first.wait_for()
            # A demo call: each step is one logbook line, the integration's, with
            # the workplace named (not one line per Call event entity).
            call_id = await demo_call(
                page,
                instance,
                running,
                session,
                tmp_path / "logbook.png",
                language="en",
            )
            started = page.get_by_text(re.compile(re.escape(FIRST_LINE) + "$"))
            assert await started.count() == 1
            assert await page.get_by_text("Answered", exact=True).count() == 0
            await recordings_in_the_media_browser(
                page,
                instance,
                running,
                session,
                call_id,
                tmp_path / "media.png",
                language="en",
            )
            # The PBX's device page lists the call too (its Call entity is disabled).
            await page.goto(f"{instance.ha_url}/config/devices/device/{pbx}")
            await page.get_by_text(re.compile(re.escape(FIRST_LINE))).first.wait_for()
            await page.screenshot(path=str(tmp_path / "device.png"))

            await add_card_to_a_new_dashboard(page, instance, running)
            # The portal names its last workplace (40 characters): no SIP ID is left
            # for the card to show.
            await name_a_workplace(session, instance)
            await follow_a_call(page, instance, running, session, tmp_path / "card.png")
            await long_names_on_a_phone(
                page, instance, session, tmp_path / "card-phone.png", russian=False
            )
            await call_back_from_the_card(
                page,
                instance,
                session,
                tmp_path / "card-call-back.png",
                caller="79035550101",
                russian=False,
            )

            notifications = await running.websocket(
                session, {"type": "persistent_notification/get"}
            )
            assert notifications == [], notifications
        assert _log_problems(instance.config_dir) == []

        # Ctrl-C, as in a terminal; then the same configuration in Russian.
        await develop.interrupt()
        await develop.start("--language", "ru")
        async with (
            # A browser far from Home Assistant's Moscow: the profile's time zone
            # option decides which zone the card's times are in.
            _browser(tmp_path, "ru-RU", "Asia/Vladivostok") as page,
            aiohttp.ClientSession() as session,
        ):
            await _log_in(page, instance)
            await page.goto(f"{instance.ha_url}/config/devices/device/{pbx}")
            await page.get_by_text("Виртуальная АТС МТТ Бизнес").first.wait_for()
            for name in (
                "Активные вызовы",
                "Вызовов сегодня",
                "Время разговоров сегодня",
            ):
                await page.get_by_text(name, exact=True).first.wait_for()
            await running.login(session)
            call_id = await demo_call(
                page,
                instance,
                running,
                session,
                tmp_path / "logbook-ru.png",
                language="ru",
            )
            await recordings_in_the_media_browser(
                page,
                instance,
                running,
                session,
                call_id,
                tmp_path / "media-ru.png",
                language="ru",
            )
            await page.goto(f"{instance.ha_url}/config/devices/device/{pbx}")
            await page.get_by_text(
                re.compile(re.escape(FIRST_LINE_RU))
            ).first.wait_for()
            await page.screenshot(path=str(tmp_path / "device-ru.png"))
            await page.goto(f"{instance.ha_url}/{DASHBOARD_PATH}/0")
            card = page.locator("mtt-business-card")
            for text in ("Текущие звонки", "Сейчас звонков нет.", "Рабочие места"):
                await card.get_by_text(text).wait_for()
            # The simulator started afresh: the portal's name is given again.
            await name_a_workplace(session, instance)
            await card.locator("li.workplace").get_by_text(LONG_NAME).wait_for()
            await card.screenshot(path=str(tmp_path / "card-ru.png"))
            await long_names_on_a_phone(
                page, instance, session, tmp_path / "card-ru-phone.png", russian=True
            )
            await call_back_from_the_card(
                page,
                instance,
                session,
                tmp_path / "card-ru-call-back.png",
                caller="79035550202",
                russian=True,
            )
            await times_follow_the_profile(page, running, session)
        log = (Path(instance.config_dir) / "home-assistant.log").read_text()
        assert "shutdown cleanly" not in log
        assert _log_problems(instance.config_dir) == []
        await develop.interrupt()
        if os.environ.get("MTT_DOCS_SCREENSHOTS") == "1":
            for shot, doc in DOCS_SCREENSHOTS.items():
                shutil.copyfile(tmp_path / shot, ROOT / "docs" / doc)
    finally:
        await develop.kill()


async def _add_integration(page: Any, instance: DevInstance) -> None:
    """Settings → Devices & services → Add integration → MTT Business: the first
    dialog shows the Redirect URI; Submit opens the simulator's sign-in page in a new
    window, which closes itself after Allow; the dialog then finishes."""
    await page.goto(f"{instance.ha_url}/config/integrations/dashboard")
    await page.get_by_role("button", name="Add integration").click()
    await page.get_by_placeholder("Search for a brand name").fill("MTT")
    await page.get_by_text("MTT Business", exact=True).click()
    await page.get_by_text(instance.redirect_uri, exact=True).wait_for()
    async with page.expect_popup() as opened:
        await page.get_by_role("button", name="Submit").click()
    portal = await opened.value
    await portal.locator("input[name=login]").fill(instance.username)
    await portal.locator("input[name=password]").fill(instance.password)
    await portal.get_by_role("button", name="Allow").click()
    if not portal.is_closed():
        await portal.wait_for_event("close")
    await page.get_by_text("Signed in to MTT Business.").wait_for()
    await page.get_by_role("button", name=re.compile("finish", re.IGNORECASE)).click()
    await page.get_by_text("Signed in to MTT Business.").wait_for(state="hidden")


async def _pbx_device(
    running: RunningInstance, session: aiohttp.ClientSession, entry_id: str
) -> str:
    devices = await running.websocket(session, {"type": "config/device_registry/list"})
    (pbx,) = [
        d["id"]
        for d in devices
        if entry_id in d["config_entries"] and d["via_device_id"] is None
    ]
    return str(pbx)
