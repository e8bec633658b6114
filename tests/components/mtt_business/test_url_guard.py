"""Links a push names: fetched only when https and public, offered only when https.

No packet leaves loopback here: names "resolve" through a resolver the tests give
the guard, and every connection Home Assistant's loop opens is counted (and only
one to 127.0.0.1 is really made); a connection to any other address is answered
"refused" without a packet, so that a link the guard lets through shows the very
address it would have connected to.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import timedelta
import logging
from pathlib import Path
import socket
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.test_utils import TestServer
from homeassistant.components import media_source
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.journal_record import JournalRecord
from custom_components.mtt_business.recording_archive import (
    CONF_ARCHIVE_RECORDINGS,
    RecordingArchive,
)
from custom_components.mtt_business.settings import async_store_settings
from custom_components.mtt_business.url_guard import (
    LinkFetcher,
    RefusedLinkError,
    async_get_fetcher,
    is_public_address,
    playable_url,
)
from mtt_simulator.app import SILENT_MP3

from .conftest import SimulatorServer, journal_call

TIMEOUT = aiohttp.ClientTimeout(total=5)
PUBLIC = "93.184.216.34"
SECRET = "s3cr3t-t0ken"
MEDIA_ROOT = "media-source://mtt_business"


class Resolver(AbstractResolver):
    """Names as the test says they resolve; every question is noted."""

    def __init__(self, names: dict[str, list[str]]) -> None:
        self.names = names
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.names:
            raise OSError(f"no such name: {host}")
        return [
            {
                "hostname": host,
                "host": address,
                "port": port,
                "family": socket.AF_INET6 if ":" in address else socket.AF_INET,
                "proto": 0,
                "flags": socket.AI_NUMERICHOST,
            }
            for address in self.names[host]
        ]

    async def close(self) -> None:
        """Nothing to close."""


@dataclass
class Connections:
    """Every connection Home Assistant's loop opened (address, port)."""

    opened: list[tuple[str, int]] = field(default_factory=list)

    @property
    def outside_loopback(self) -> list[tuple[str, int]]:
        return [(host, port) for host, port in self.opened if host != "127.0.0.1"]


@pytest.fixture
def connections(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> Connections:
    """Count each socket connected; only 127.0.0.1 is really connected to."""
    seen = Connections()
    connect = hass.loop.sock_connect

    async def _counted(sock: socket.socket, address: Any) -> None:
        seen.opened.append((str(address[0]), int(address[1])))
        if address[0] != "127.0.0.1":
            raise ConnectionRefusedError(111, "not connected by the test")
        await connect(sock, address)

    monkeypatch.setattr(hass.loop, "sock_connect", _counted)
    return seen


@dataclass
class Redirector:
    """A server on 127.0.0.1 that redirects where a test says (a simulator's origin)."""

    url: str
    targets: dict[str, str]


@pytest.fixture
async def redirector(
    hass: HomeAssistant, socket_enabled: None
) -> AsyncIterator[Redirector]:
    """The redirecting server, configured as the simulator in `configuration.yaml`."""
    targets: dict[str, str] = {}

    async def _redirect(request: web.Request) -> web.StreamResponse:
        if (target := targets.get(request.match_info["name"])) is None:
            return web.Response(body=b"ID3", content_type="audio/mpeg")
        raise web.HTTPFound(target)

    app = web.Application()
    app.router.add_get("/records/{name}", _redirect)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    async_store_settings(hass, {DOMAIN: {"oauth_url": url, "api_url": url}})
    try:
        yield Redirector(url, targets)
    finally:
        await server.close()


def _fetcher(hass: HomeAssistant, **names: list[str]) -> tuple[LinkFetcher, Resolver]:
    resolver = Resolver({name.replace("_", "."): a for name, a in names.items()})
    return LinkFetcher(hass, resolver=resolver), resolver


async def _get(fetcher: LinkFetcher, url: str) -> bytes:
    try:
        async with fetcher.async_get(url, timeout=TIMEOUT) as response:
            return await response.read()
    finally:
        await fetcher.async_close()


@pytest.mark.parametrize(
    "address",
    ["10.0.0.5", "fe80::1", "169.254.169.254", "::ffff:10.0.0.1", "127.0.0.1"],
)
async def test_a_name_resolving_inside_is_refused_before_connecting(
    hass: HomeAssistant, connections: Connections, address: str
) -> None:
    """A name that resolves to a private address: refused, no connection opened."""
    fetcher, resolver = _fetcher(hass, records_evil=[address])
    with pytest.raises(RefusedLinkError, match=rf"connects to {address}, not a public"):
        await _get(fetcher, "https://records.evil/r1.mp3")
    assert resolver.asked == ["records.evil"]
    assert connections.opened == []


@pytest.mark.parametrize(
    "url",
    [
        "https://10.0.0.5/r1.mp3",
        "https://192.168.1.1/r1.mp3",
        "https://[fe80::1]/r1.mp3",
        "https://[::ffff:10.0.0.1]/r1.mp3",
        "https://169.254.169.254/latest/meta-data/",
        "https://[fd12:3456::1]/r1.mp3",
        "https://0.0.0.0:8123/r1.mp3",
    ],
)
async def test_an_address_inside_is_refused_before_connecting(
    hass: HomeAssistant, connections: Connections, url: str
) -> None:
    """An address literal that is not public: refused without resolving or connecting."""
    fetcher, resolver = _fetcher(hass)
    with pytest.raises(RefusedLinkError, match="not a public address"):
        await _get(fetcher, url)
    assert resolver.asked == []
    assert connections.opened == []


@pytest.mark.parametrize(
    "url",
    [
        f"http://{PUBLIC}/r1.mp3",
        "http://records.example/r1.mp3",
        "ftp://records.example/r1.mp3",
        "javascript:alert(1)",
        "data:audio/mpeg;base64,SUQz",
        "file:///etc/passwd",
        "/api/mtt_business/recordings/x.mp3",
    ],
)
async def test_only_https_is_fetched(
    hass: HomeAssistant, connections: Connections, url: str
) -> None:
    """Plain http (even to a public address) and other schemes: refused."""
    fetcher, resolver = _fetcher(hass, records_example=[PUBLIC])
    with pytest.raises(RefusedLinkError, match="not an https link"):
        await _get(fetcher, url)
    assert resolver.asked == []
    assert connections.opened == []


async def test_a_public_https_link_is_connected_to(
    hass: HomeAssistant, connections: Connections
) -> None:
    """Public: the guard lets it through, to the very address the name resolved to."""
    fetcher, _ = _fetcher(hass, records_mtt_example=[PUBLIC])
    with pytest.raises(aiohttp.ClientConnectorError):
        await _get(fetcher, "https://records.mtt.example/r1.mp3")
    assert connections.opened == [(PUBLIC, 443)]


async def test_a_public_address_is_connected_to(
    hass: HomeAssistant, connections: Connections
) -> None:
    """Home Assistant's own fetcher: a public address literal needs no resolver."""
    fetcher = async_get_fetcher(hass)
    assert async_get_fetcher(hass) is fetcher
    with pytest.raises(aiohttp.ClientConnectorError):
        await _get(fetcher, f"https://{PUBLIC}:8443/r1.mp3")
    assert connections.opened == [(PUBLIC, 8443)]


async def test_each_address_is_checked_as_connected_to(
    hass: HomeAssistant, connections: Connections
) -> None:
    """A name with a public and a private address: the private one is never opened."""
    fetcher, _ = _fetcher(hass, records_mixed=[PUBLIC, "10.0.0.5"])
    with pytest.raises(RefusedLinkError, match=r"connects to 10\.0\.0\.5"):
        await _get(fetcher, "https://records.mixed/r1.mp3")
    assert connections.opened == [(PUBLIC, 443)]


async def test_a_name_is_resolved_again_for_each_fetch(
    hass: HomeAssistant, connections: Connections
) -> None:
    """A name that changes its address after a fetch (DNS rebinding) is caught."""
    fetcher, resolver = _fetcher(hass, records_rebind=[PUBLIC])
    with pytest.raises(aiohttp.ClientConnectorError):
        await _get(fetcher, "https://records.rebind/r1.mp3")
    resolver.names["records.rebind"] = ["10.0.0.5"]
    with pytest.raises(RefusedLinkError, match=r"connects to 10\.0\.0\.5"):
        await _get(fetcher, "https://records.rebind/r1.mp3")
    assert connections.opened == [(PUBLIC, 443)]


@pytest.mark.parametrize(
    "target",
    [
        "https://records.evil/r1.mp3",
        "https://[fe80::1]/r1.mp3",
        "http://records.example/r1.mp3",
        "https://169.254.169.254/latest/meta-data/",
    ],
)
async def test_a_redirect_inside_is_refused(
    hass: HomeAssistant,
    connections: Connections,
    redirector: Redirector,
    target: str,
) -> None:
    """The simulator redirects inside: only the simulator (127.0.0.1) was contacted."""
    redirector.targets["r1.mp3"] = target
    fetcher, _ = _fetcher(hass, records_evil=["10.0.0.5"], records_example=[PUBLIC])
    with pytest.raises(RefusedLinkError):
        await _get(fetcher, f"{redirector.url}/records/r1.mp3")
    assert len(connections.opened) == 1
    assert connections.outside_loopback == []


async def test_a_redirect_to_a_public_link_is_followed(
    hass: HomeAssistant, connections: Connections, redirector: Redirector
) -> None:
    """A redirect to a public https link is followed, to that address."""
    redirector.targets["r1.mp3"] = "https://records.mtt.example/r1.mp3"
    fetcher, _ = _fetcher(hass, records_mtt_example=[PUBLIC])
    with pytest.raises(aiohttp.ClientConnectorError):
        await _get(fetcher, f"{redirector.url}/records/r1.mp3")
    assert connections.outside_loopback == [(PUBLIC, 443)]


async def test_at_most_three_redirects(
    hass: HomeAssistant, connections: Connections, redirector: Redirector
) -> None:
    """Three redirects are followed; a fourth is refused."""
    for hop in range(1, 5):
        redirector.targets[f"hop{hop}"] = f"/records/hop{hop + 1}"
    fetcher, _ = _fetcher(hass)
    assert await _get(fetcher, f"{redirector.url}/records/hop2") == b"ID3"
    with pytest.raises(RefusedLinkError, match="more than 3 redirects"):
        await _get(fetcher, f"{redirector.url}/records/hop1")
    assert connections.outside_loopback == []


async def test_the_simulator_only_when_configured(
    hass: HomeAssistant, connections: Connections, simulator: SimulatorServer
) -> None:
    """The simulator's http link is refused unless `configuration.yaml` names it."""
    simulator.simulator.records.add("r1")
    link = f"{simulator.url}/records/r1.mp3"
    fetcher, _ = _fetcher(hass)
    with pytest.raises(RefusedLinkError):
        await _get(fetcher, link)
    assert connections.opened == []
    assert playable_url(hass, link) is None

    async_store_settings(hass, {DOMAIN: {"api_url": simulator.url}})
    assert await _get(fetcher, link) == SILENT_MP3
    assert playable_url(hass, link) == link
    assert connections.outside_loopback == []


async def test_a_refused_recording_keeps_mtt_link(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    connections: Connections,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Archiving: refused once, one short line without the query, the link kept."""
    hass.config.media_dirs = {"local": str(tmp_path / "media")}
    hass.config_entries.async_update_entry(
        config_entry, options={**config_entry.options, CONF_ARCHIVE_RECORDINGS: True}
    )
    await hass.async_block_till_done()
    fetcher, resolver = _fetcher(hass, records_evil=["192.168.1.1"])
    archive = RecordingArchive(
        hass, config_entry.entry_id, fetcher=fetcher, retry_delays=(0.01,) * 3
    )
    link = f"https://records.evil/r1.mp3?token={SECRET}"
    record = journal_call(1, dt_util.utcnow() - timedelta(days=1), record_url=link)
    journal = config_entry.runtime_data.journal
    journal.add(record)
    caplog.set_level(logging.WARNING, "custom_components.mtt_business")
    download = archive.async_archive_in_background(config_entry, record)
    assert download is not None
    await hass.async_block_till_done(wait_background_tasks=True)
    await fetcher.async_close()
    assert download.result() is None  # no path for the history to write

    kept: JournalRecord | None = journal.get(record.call_id)
    assert kept is not None
    assert kept.record_url == link
    assert kept.recording is None
    assert not (tmp_path / "media").exists()
    assert resolver.asked == ["records.evil"]  # not asked again
    assert connections.opened == []
    lines = [r.getMessage() for r in caplog.records if "not archived" in r.getMessage()]
    assert len(lines) == 1
    assert lines[0].endswith(
        "the link is refused: https://records.evil connects to 192.168.1.1, "
        "not a public address"
    )
    assert SECRET not in caplog.text
    assert "r1.mp3" not in lines[0]


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:4700::1", True),
        ("::ffff:8.8.8.8", True),
        ("64:ff9b::808:808", True),  # 8.8.8.8 through NAT64
        ("10.0.0.5", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("127.0.0.1", False),
        ("127.1.2.3", False),
        ("0.0.0.0", False),  # noqa: S104
        ("100.64.0.1", False),  # shared address space (carrier NAT)
        ("169.254.169.254", False),
        ("192.0.2.1", False),  # documentation
        ("198.18.0.1", False),  # benchmarking
        ("224.0.0.1", False),
        ("239.255.255.250", False),
        ("240.0.0.1", False),
        ("255.255.255.255", False),
        ("::", False),
        ("::1", False),
        ("fe80::1", False),
        ("fe80::1%eth0", False),
        ("fec0::1", False),  # site-local
        ("fc00::1", False),
        ("fd12:3456::1", False),
        ("ff02::1", False),
        ("ff0e::1", False),  # global-scope multicast
        ("::ffff:10.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("2002:a00:1::", False),  # 6to4 of 10.0.0.1
        ("64:ff9b::a00:1", False),  # 10.0.0.1 through NAT64
        ("2001:db8::1", False),
        ("localhost", False),
        ("", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    """Public means reachable on the internet, by each form an address takes."""
    assert is_public_address(address) is public


@pytest.mark.parametrize(
    ("url", "playable"),
    [
        ("https://records.mtt.example/r1.mp3?token=1", True),
        ("HTTPS://records.mtt.example/r1.mp3", True),
        ("http://records.mtt.example/r1.mp3", False),
        ("http://192.168.1.1/r1.mp3", False),
        ("javascript:alert(1)", False),
        ("data:audio/mpeg;base64,SUQz", False),
        ("https:///r1.mp3", False),
        ("//records.mtt.example/r1.mp3", False),
        (None, False),
    ],
)
async def test_playable_links(
    hass: HomeAssistant, url: str | None, playable: bool
) -> None:
    """What a browser is offered to play: https only (no simulator configured)."""
    assert playable_url(hass, url) == (url if playable else None)


@pytest.fixture
async def browser(hass: HomeAssistant, tmp_path: Path) -> None:
    """The media browser (set up before Home Assistant's HTTP server starts)."""
    hass.config.media_dirs = {"local": str(tmp_path / "media")}
    assert await async_setup_component(hass, "media_source", {})


@pytest.mark.usefixtures("browser")
async def test_only_https_links_are_offered_to_play(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    hass_ws_client: WebSocketGenerator,
) -> None:
    """The card's recent calls and the media browser play https links, no other."""
    started = dt_util.utcnow() - timedelta(hours=1)
    https = journal_call(1, started, record_url="https://records.mtt.example/1.mp3")
    inside = journal_call(
        2, started + timedelta(minutes=1), record_url="http://192.168.1.1/2.mp3"
    )
    journal = config_entry.runtime_data.journal
    journal.add(https)
    journal.add(inside)

    ws = await hass_ws_client(hass)
    await ws.send_json_auto_id(
        {"type": "mtt_business/journal/list", "entry_id": config_entry.entry_id}
    )
    listed = (await ws.receive_json())["result"]["calls"]
    assert {c["call_id"]: c["record_url"] for c in listed} == {
        https.call_id: https.record_url,
        inside.call_id: None,
    }

    day = dt_util.as_local(started).date().isoformat()
    node = f"{MEDIA_ROOT}/{config_entry.entry_id}/{day}"
    calls = (await media_source.async_browse_media(hass, node)).children
    # The media browser lists only the calls that can play.
    assert {c.media_content_id.rsplit("/", 1)[1]: c.can_play for c in calls} == {
        https.call_id: True,
    }
    played = await media_source.async_resolve_media(
        hass, f"{node}/{https.call_id}", None
    )
    assert played.url == https.record_url
    with pytest.raises(media_source.Unresolvable):
        await media_source.async_resolve_media(hass, f"{node}/{inside.call_id}", None)
