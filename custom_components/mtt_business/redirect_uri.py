"""The Redirect URI: the one address the MTT portal knows this Home Assistant by.

The portal asks for the Redirect URI before it hands out a client id, sends the browser
back to it after sign-in and pushes every call event to `<Redirect URI>/events`. So the
integration owns that address: `<external URL>/api/mtt_business/<secret>`, with a secret
path part of 192 random bits made once per installation and kept across restarts.
"""

from __future__ import annotations

import secrets

from homeassistant.components import webhook
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.network import NoURLAvailableError, get_url
from homeassistant.helpers.singleton import singleton
from homeassistant.helpers.storage import Store
from yarl import URL

from .const import DATA_REDIRECT_URI, DOMAIN, REDIRECT_PATH_PREFIX
from .oauth_callback import OAuthCallbackView
from .push_receiver import (
    WEBHOOK_METHODS,
    PushHandler,
    PushReceiverView,
    webhook_handler,
)

STORAGE_KEY = f"{DOMAIN}.redirect_uri"
STORAGE_VERSION = 1


class RedirectUri:
    """This installation's Redirect URI: its secret, and what answers at it.

    It serves the browser's return after sign-in (`OAuthCallbackView`) and the
    provider's pushes at `<Redirect URI>/events` (`PushReceiverView`) and at Home
    Assistant's webhook URL of the same secret. It keeps the registry of the loaded
    entries' hubs that every push is handed to (filled at an entry's setup, emptied
    at its unload).
    """

    def __init__(self, secret: str) -> None:
        """The Redirect URI with this secret path part; no hub yet."""
        self.secret = secret
        self.hubs: dict[str, PushHandler] = {}
        """The hub of each loaded entry, by entry id."""

    @callback
    def async_add_hub(self, entry_id: str, hub: PushHandler) -> CALLBACK_TYPE:
        """Hand the pushes to `hub` too; returns the callback that stops it."""
        self.hubs[entry_id] = hub

        @callback
        def _async_remove() -> None:
            if self.hubs.get(entry_id) is hub:
                self.async_remove_hub(entry_id)

        return _async_remove

    @callback
    def async_remove_hub(self, entry_id: str) -> None:
        """The entry unloads: its hub gets no more pushes."""
        self.hubs.pop(entry_id, None)

    @property
    def path(self) -> str:
        """Path of the Redirect URI (where the browser comes back after sign-in)."""
        return f"{REDIRECT_PATH_PREFIX}/{self.secret}"

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

    def url_or_none(self, hass: HomeAssistant) -> str | None:
        """The full Redirect URI, or None when Home Assistant has no external URL."""
        try:
            return self.url(hass)
        except NoURLAvailableError:
            return None

    @callback
    def async_serve(self, hass: HomeAssistant) -> None:
        """Answer at the Redirect URI, at `/events` and at the webhook URL."""
        hass.http.register_view(OAuthCallbackView(self.matches))
        hubs = self.hubs.values()
        hass.http.register_view(PushReceiverView(self.path, hubs))
        webhook.async_register(
            hass,
            DOMAIN,
            "MTT Business",
            self.secret,
            webhook_handler(hubs),
            local_only=False,
            allowed_methods=WEBHOOK_METHODS,
        )


def meets_provider_requirements(url: str) -> bool:
    """The provider requires https on the standard port 443."""
    parsed = URL(url)
    return parsed.scheme == "https" and parsed.port == 443


@singleton(DATA_REDIRECT_URI, async_=True)
async def async_get_redirect_uri(hass: HomeAssistant) -> RedirectUri:
    """Load this installation's Redirect URI, making its secret on first use.

    It is served at once, so the address works as soon as it is shown to anybody.
    """
    store: Store[dict[str, str]] = Store(
        hass, STORAGE_VERSION, STORAGE_KEY, private=True, atomic_writes=True
    )
    stored = await store.async_load()
    if stored and isinstance(secret := stored.get("secret"), str) and len(secret) >= 32:
        redirect_uri = RedirectUri(secret)
    else:
        redirect_uri = RedirectUri(secrets.token_urlsafe(24))
        await store.async_save({"secret": redirect_uri.secret})
    redirect_uri.async_serve(hass)
    return redirect_uri
