"""Config flow: sign in to MTT Business with OAuth 2.0."""

from __future__ import annotations

import logging
from typing import Any, cast

from homeassistant.config_entries import (
    SOURCE_REAUTH,
    SOURCE_RECONFIGURE,
    SOURCE_USER,
    ConfigEntry,
    ConfigFlowResult,
)
from homeassistant.core import callback
from homeassistant.helpers.config_entry_oauth2_flow import (
    AbstractOAuth2FlowHandler,
    LocalOAuth2Implementation,
)
from yarl import URL

from .api import AuthenticationError, MttBusinessError
from .api.models import PbxDirectory
from .api.phone_number import format_number, normalize_number
from .auth import StaticTokenAuth, create_client
from .const import CONF_REDIRECT_URI, DOMAIN, PROVIDER_PORTAL_URL
from .data import MttBusinessConfigEntry
from .options_flow import MttBusinessOptionsFlow
from .redirect_uri import async_get_redirect_uri, meets_provider_requirements

_LOGGER = logging.getLogger(__name__)

NETWORK_SETTINGS_PATH = "/config/network"


def account_title(directory: PbxDirectory) -> str:
    """Name an entry after the account: its first external number."""
    for external in directory.external_numbers:
        if number := normalize_number(external.number):
            return f"MTT Business {format_number(number)}"
    return "MTT Business"


def _numbers(directory: PbxDirectory) -> set[str]:
    return {
        number
        for external in directory.external_numbers
        if (number := normalize_number(external.number))
    }


class MttBusinessFlowHandler(AbstractOAuth2FlowHandler, domain=DOMAIN):
    """Sign in at the MTT portal; one entry per MTT integration (client id)."""

    DOMAIN = DOMAIN
    VERSION = 1
    _warned_about_url = False

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> MttBusinessOptionsFlow:
        """The routing table of personal managers, and the phone book."""
        return MttBusinessOptionsFlow()

    @property
    def logger(self) -> logging.Logger:
        """Logger of the OAuth steps."""
        return _LOGGER

    async def _async_redirect_url(self) -> str | None:
        """This installation's Redirect URI, or None without an external URL."""
        redirect_uri = await async_get_redirect_uri(self.hass)
        if (redirect_url := redirect_uri.url_or_none(self.hass)) is None:
            return None
        if not meets_provider_requirements(redirect_url) and not self._warned_about_url:
            # The Redirect URI holds the secret that guards the push receiver: it
            # is shown in the dialogs only, never logged. Warned once per flow.
            self._warned_about_url = True
            _LOGGER.warning(
                "Home Assistant's external URL %s is not https on port 443: the MTT "
                "portal only accepts such addresses, so sign-in works only with a "
                "simulator",
                URL(redirect_url).origin(),
            )
        return redirect_url

    def _abort_no_external_url(self) -> ConfigFlowResult:
        return self.async_abort(
            reason="no_external_url",
            description_placeholders={"network_settings": NETWORK_SETTINGS_PATH},
        )

    async def async_step_user(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Show the Redirect URI to enter in the portal, then sign in."""
        if (redirect_url := await self._async_redirect_url()) is None:
            return self._abort_no_external_url()
        if user_input is None:
            return self.async_show_form(
                step_id="user",
                description_placeholders={
                    "redirect_url": redirect_url,
                    "portal_url": PROVIDER_PORTAL_URL,
                },
            )
        return await self.async_step_pick_implementation()

    async def async_step_auth(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Before sending the user to the portal: credentials already set up stop here.

        The entry's unique id is the credential's client id, known from the
        application credential chosen (`flow_impl`) before anyone signs in.
        """
        if user_input is None and self.source == SOURCE_USER:
            await self.async_set_unique_id(self._client_id())
            self._abort_if_unique_id_configured()
        return await super().async_step_auth(user_input)

    def _client_id(self) -> str:
        """The client id of the application credential the flow signs in with."""
        return cast("LocalOAuth2Implementation", self.flow_impl).client_id

    async def async_step_reauth(self, entry_data: dict[str, Any]) -> ConfigFlowResult:
        """The refresh token expired or was refused: sign in again."""
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask before sending the user to the portal with the same credentials."""
        redirect_url = await self._async_redirect_url()
        if user_input is None:
            return self.async_show_form(
                step_id="reauth_confirm",
                description_placeholders={"redirect_url": redirect_url or "—"},
            )
        if redirect_url is None:
            return self._abort_no_external_url()
        implementation = self._get_reauth_entry().data["auth_implementation"]
        return await self.async_step_pick_implementation(
            {"implementation": implementation}
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Sign in again, possibly with new credentials from the portal."""
        return await self.async_step_user(user_input)

    async def async_step_authorize_rejected(
        self, data: None = None
    ) -> ConfigFlowResult:
        """The user denied access at the portal, or the portal refused the request."""
        error = str(self.external_data.get("error", ""))
        if error == "access_denied":
            return self.async_abort(reason="access_denied")
        return self.async_abort(
            reason="authorize_failed", description_placeholders={"error": error}
        )

    async def async_oauth_create_entry(self, data: dict[str, Any]) -> ConfigFlowResult:
        """Test the account, then create or update the entry."""
        # The Redirect URI signed in with: a later change of it is a repair issue.
        data = {**data, CONF_REDIRECT_URI: await self._async_redirect_url()}
        client = create_client(
            self.hass, StaticTokenAuth(data["token"]["access_token"])
        )
        try:
            directory = await client.directory()
        except AuthenticationError:
            return self.async_abort(reason="invalid_auth")
        except MttBusinessError as err:
            _LOGGER.warning("MTT Business did not answer while signing in: %s", err)
            return self.async_abort(reason="cannot_connect")

        client_id = self._client_id()
        await self.async_set_unique_id(client_id)
        if self.source == SOURCE_REAUTH:
            self._abort_if_unique_id_mismatch(reason="wrong_account")
            return self.async_update_reload_and_abort(
                self._get_reauth_entry(), data_updates=data
            )
        if self.source == SOURCE_RECONFIGURE:
            entry: MttBusinessConfigEntry = self._get_reconfigure_entry()
            if entry.unique_id != client_id:
                self._abort_if_unique_id_configured()
                known = getattr(entry, "runtime_data", None)
                if (
                    known is not None
                    and known.directory.data is not None
                    and not _numbers(known.directory.data) & _numbers(directory)
                ):
                    return self.async_abort(reason="wrong_account")
            return self.async_update_reload_and_abort(
                entry, unique_id=client_id, data_updates=data
            )
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title=account_title(directory), data=data)
