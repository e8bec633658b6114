"""Which links Home Assistant fetches, and which it offers to a browser.

A push is not authenticated beyond the secret in its URL, and it names the link a
recording is downloaded from: fetched blindly, a push naming `http://192.168.1.1/…`
or `http://127.0.0.1:8123/…` would make Home Assistant reach inside the office
network (server-side request forgery). So a link is fetched only when:

- it is `https`;
- every address a connection is opened to is public (`is_public_address`): not
  loopback, private (RFC 1918, IPv6 unique local), link-local (169.254.0.0/16, where
  clouds answer metadata requests, and fe80::/10), shared (100.64.0.0/10),
  multicast, reserved, unspecified, documentation or benchmarking ranges, nor an
  IPv4-mapped or 6to4 form of one of these. The check is made on the very address
  a socket is about to be opened to (the connector's socket factory), after the
  name was resolved: a name that resolves to a public address when checked and to
  a private one when connected (DNS rebinding) gains nothing, and an address
  literal is checked the same way;
- a redirect is followed by hand, at most `MAX_REDIRECTS` times, its target checked
  as the first link was.

Everything else is refused with `RefusedLinkError`, whose message names the link's
scheme and host only (never its path or query, which may hold a token).

The one exception: when `configuration.yaml` points the integration at a simulator
(`oauth_url`, `api_url`: development and tests), links on those very origins are
fetched as they are (the simulator serves `http` on loopback), through Home
Assistant's shared session.

`playable_url` is the same rule for a link given to a browser (the card's recent
calls, the media browser): only `https`, or the simulator's origin when configured.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
import ipaddress
import socket
from typing import Final

from aiohappyeyeballs import AddrInfoType
import aiohttp
from aiohttp import hdrs
from aiohttp.abc import AbstractResolver
from homeassistant.const import EVENT_HOMEASSISTANT_CLOSE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.helpers.aiohttp_client import async_get_clientsession
from homeassistant.util.hass_dict import HassKey
from homeassistant.util.ssl import client_context
from yarl import URL

from .const import DOMAIN
from .settings import ProviderSettings, get_settings

MAX_REDIRECTS: Final = 3
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
_NAT64: Final = ipaddress.IPv6Network("64:ff9b::/96")
"""The well-known NAT64 prefix: an IPv4 address seen from an IPv6-only network."""

DATA_FETCHER: HassKey[LinkFetcher] = HassKey(f"{DOMAIN}_link_fetcher")


class RefusedLinkError(Exception):
    """A link that is not fetched; the message names its scheme and host only."""


def is_public_address(address: str) -> bool:
    """Whether an IP address (as a socket reports it) may be connected to."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return is_public_address(str(ip.ipv4_mapped))
        if ip in _NAT64:
            return is_public_address(str(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        if ip.is_site_local:
            return False
    return (
        ip.is_global
        and not ip.is_multicast
        and not ip.is_reserved
        and not ip.is_unspecified
    )


def describe(url: URL) -> str:
    """A link as a log line may name it: its scheme and host, no path or query."""
    return f"{url.scheme}://{url.host}" if url.host else f"{url.scheme}:"


def _origins(settings: ProviderSettings) -> frozenset[URL]:
    """The simulator's origins: the endpoints `configuration.yaml` overrides."""
    defaults = ProviderSettings()
    return frozenset(
        URL(configured).origin()
        for configured, default in (
            (settings.oauth_url, defaults.oauth_url),
            (settings.api_url, defaults.api_url),
        )
        if configured != default
    )


def _is_simulator(hass: HomeAssistant, url: URL) -> bool:
    origins = _origins(get_settings(hass))
    return bool(origins) and url.absolute and url.origin() in origins


@callback
def playable_url(hass: HomeAssistant, url: str | None) -> str | None:
    """The link, if a browser may be given it to play; else None."""
    if url is None:
        return None
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if (parsed.scheme == "https" and parsed.host) or _is_simulator(hass, parsed):
        return url
    return None


def _public_socket(addr_info: AddrInfoType) -> socket.socket:
    """The connector's socket factory: a socket only to a public address."""
    family, kind, proto, _, address = addr_info
    host = str(address[0])
    if not is_public_address(host):
        raise RefusedLinkError(f"connects to {host}, not a public address")
    return socket.socket(family=family, type=kind, proto=proto)


class LinkFetcher:
    """Fetches links named by pushes, only where `url_guard` allows."""

    def __init__(
        self, hass: HomeAssistant, *, resolver: AbstractResolver | None = None
    ) -> None:
        """Resolve names with `resolver` (tests give their own), else the system's."""
        self._hass = hass
        self._resolver = resolver
        self._session: aiohttp.ClientSession | None = None

    def _guarded_session(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=self._resolver,  # None: aiohttp's own, closed with it
                socket_factory=_public_socket,
                # One address after the other, so that a refusal ends the attempt
                # (happy eyeballs would only count it as a failed connection).
                happy_eyeballs_delay=None,
                use_dns_cache=False,
                ssl=client_context(),
            )
            self._session = session = aiohttp.ClientSession(
                connector=connector, trust_env=False
            )

            @callback
            def _close(_event: Event) -> None:
                self._hass.async_create_task(session.close(), eager_start=True)

            self._hass.bus.async_listen_once(EVENT_HOMEASSISTANT_CLOSE, _close)
        return self._session

    async def async_close(self) -> None:
        """Close the guarded session (Home Assistant's close does it too)."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _session_for(self, url: URL) -> aiohttp.ClientSession:
        if _is_simulator(self._hass, url):
            return async_get_clientsession(self._hass)
        if url.scheme != "https" or not url.host:
            raise RefusedLinkError(f"{describe(url)} is not an https link")
        try:
            literal = ipaddress.ip_address(url.host)
        except ValueError:  # a name: its addresses are checked as connected to
            pass
        else:  # an address: refused here already, without a connection
            if not is_public_address(str(literal)):
                raise RefusedLinkError(f"{describe(url)} is not a public address")
        return self._guarded_session()

    @asynccontextmanager
    async def async_get(
        self,
        url: str,
        *,
        timeout: aiohttp.ClientTimeout,  # noqa: ASYNC109  (aiohttp's, per request)
    ) -> AsyncIterator[aiohttp.ClientResponse]:
        """GET a link (following at most `MAX_REDIRECTS` redirects); its response.

        Raises `RefusedLinkError` for a link, a redirect target or an address that is
        not fetched, before any connection to it is opened; `aiohttp.ClientError`
        and `TimeoutError` as a download does.
        """
        try:
            target = URL(url)
        except ValueError as err:
            raise RefusedLinkError("not a link") from err
        for _ in range(MAX_REDIRECTS + 1):
            session = self._session_for(target)
            try:
                response = await session.get(
                    target, timeout=timeout, allow_redirects=False
                )
            except RefusedLinkError as err:  # by the socket factory: name the link
                raise RefusedLinkError(f"{describe(target)} {err}") from None
            try:
                location = response.headers.get(hdrs.LOCATION)
                if response.status not in REDIRECT_STATUSES or not location:
                    yield response
                    return
                try:
                    following = response.url.join(URL(location))
                except ValueError as err:
                    raise RefusedLinkError(
                        f"{describe(target)} redirects to no valid link"
                    ) from err
            finally:
                response.release()
            target = following.with_fragment(None)
        raise RefusedLinkError(
            f"more than {MAX_REDIRECTS} redirects from {describe(URL(url))}"
        )


@callback
def async_get_fetcher(hass: HomeAssistant) -> LinkFetcher:
    """Home Assistant's one `LinkFetcher` (its session closes with Home Assistant)."""
    if (fetcher := hass.data.get(DATA_FETCHER)) is None:
        fetcher = hass.data[DATA_FETCHER] = LinkFetcher(hass)
    return fetcher
