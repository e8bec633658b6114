"""The Redirect URI: the one address the MTT portal knows this Home Assistant by.

The portal asks for the Redirect URI before it hands out a client id, sends the browser
back to it after sign-in and pushes every call event to `<Redirect URI>/events`. So the
integration owns that address: `<external URL>/api/mtt_business/<secret>`, with a secret
path part of 192 random bits made once per installation and kept across restarts.
"""

from __future__ import annotations

from dataclasses import dataclass
import secrets

from homeassistant.core import HomeAssistant
from homeassistant.helpers.network import get_url
from homeassistant.helpers.singleton import singleton
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey
from yarl import URL

from .const import DOMAIN, EVENTS_PATH_SUFFIX, REDIRECT_PATH_PREFIX

STORAGE_KEY = f"{DOMAIN}.redirect_uri"
STORAGE_VERSION = 1
DATA_REDIRECT_ENDPOINT: HassKey[RedirectEndpoint] = HassKey(f"{DOMAIN}_redirect")


@dataclass(frozen=True, slots=True)
class RedirectEndpoint:
    """The secret path part of the Redirect URI and the paths built on it."""

    secret: str

    @property
    def path(self) -> str:
        """Path of the Redirect URI (where the browser comes back after sign-in)."""
        return f"{REDIRECT_PATH_PREFIX}/{self.secret}"

    @property
    def events_path(self) -> str:
        """Path the provider pushes notifications to."""
        return f"{self.path}{EVENTS_PATH_SUFFIX}"

    def matches(self, secret: str) -> bool:
        """Tell whether a path part is this installation's secret (constant time)."""
        return secrets.compare_digest(secret.encode(), self.secret.encode())

    def url(self, hass: HomeAssistant) -> str:
        """The full Redirect URI on Home Assistant's external address.

        Raises `homeassistant.helpers.network.NoURLAvailableError` when Home
        Assistant has no external URL.
        """
        base = get_url(hass, allow_internal=False, allow_ip=True, prefer_external=True)
        return f"{str(base).rstrip('/')}{self.path}"


def meets_provider_requirements(url: str) -> bool:
    """The provider requires https on the standard port 443."""
    parsed = URL(url)
    return parsed.scheme == "https" and parsed.port == 443


@singleton(DATA_REDIRECT_ENDPOINT, async_=True)
async def async_get_redirect_endpoint(hass: HomeAssistant) -> RedirectEndpoint:
    """Load this installation's Redirect URI secret, making it on first use.

    The views that answer at the Redirect URI are registered at the same time, so the
    address works as soon as it is shown to anybody.
    """
    store: Store[dict[str, str]] = Store(
        hass, STORAGE_VERSION, STORAGE_KEY, private=True, atomic_writes=True
    )
    stored = await store.async_load()
    if stored and isinstance(secret := stored.get("secret"), str) and len(secret) >= 32:
        endpoint = RedirectEndpoint(secret)
    else:
        endpoint = RedirectEndpoint(secrets.token_urlsafe(24))
        await store.async_save({"secret": endpoint.secret})

    # Imported here: the views import this module for the endpoint's type.
    from .oauth_callback import async_register_oauth_callback  # noqa: PLC0415
    from .push_receiver import async_register_push_receiver  # noqa: PLC0415

    async_register_oauth_callback(hass, endpoint)
    async_register_push_receiver(hass, endpoint)
    return endpoint
