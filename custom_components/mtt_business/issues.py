"""Repair issues: what keeps MTT's pushes or tokens from working, and its fix.

Each issue is raised when its cause is seen and deleted when the cause is gone:

- `external_url` (one per installation): Home Assistant has no external URL, or it
  is not https on port 443, which the MTT portal requires of a Redirect URI. When
  `configuration.yaml` points the integration at other endpoints than MTT's (a
  simulator, see `settings.py`), only a missing external URL is raised, worded for
  that case: a simulator pushes to any address, so an http one is no problem there.
- `redirect_uri_changed` (per entry): the external URL now gives another Redirect URI
  than the one registered at sign-in; it shows the new one and where to paste it. Its
  fix flow (`repairs.py`) records the new one once the user has pasted it.
- `pushes_not_arriving` (per entry): a call placed through `make_call` got no push
  within a minute (`push_health.py`).
- `refresh_token_expiring` (per entry): renewing the access token keeps failing and
  the refresh token, which lives 3 days, expires within a day; then the user must
  sign in again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import CONF_REDIRECT_URI, DOMAIN, PROVIDER_PORTAL_URL
from .data import MttBusinessConfigEntry
from .redirect_uri import RedirectUri, meets_provider_requirements
from .settings import ProviderSettings, get_settings

EXTERNAL_URL = "external_url"
REDIRECT_URI_CHANGED = "redirect_uri_changed"
PUSHES_NOT_ARRIVING = "pushes_not_arriving"
REFRESH_TOKEN_EXPIRING = "refresh_token_expiring"  # noqa: S105 (an issue id)

REFRESH_TOKEN_LIFETIME = timedelta(days=3)
"""How long MTT's refresh token lives after it was issued (SPEC §1)."""
REFRESH_TOKEN_WARNING = timedelta(days=1)
"""How long before the refresh token expires a failing renewal is raised."""
ACCESS_TOKEN_LIFETIME = 7200
"""Seconds an access token lives, when the token does not say (SPEC §1)."""


def entry_issue_id(issue: str, entry: MttBusinessConfigEntry) -> str:
    """The id of one of an entry's issues."""
    return f"{issue}_{entry.entry_id}"


@callback
def _async_create_entry_issue(
    hass: HomeAssistant,
    entry: MttBusinessConfigEntry,
    issue: str,
    severity: ir.IssueSeverity,
    placeholders: dict[str, str],
    *,
    data: dict[str, str | int | float | None] | None = None,
) -> None:
    """Raise one of an entry's issues (fixable when it carries `data`)."""
    ir.async_create_issue(
        hass,
        DOMAIN,
        entry_issue_id(issue, entry),
        is_fixable=data is not None,
        severity=severity,
        translation_key=issue,
        translation_placeholders={"title": entry.title, **placeholders},
        data=data,
    )


@callback
def _async_delete_entry_issue(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, issue: str
) -> None:
    ir.async_delete_issue(hass, DOMAIN, entry_issue_id(issue, entry))


@callback
def async_check_redirect_uri(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, redirect_uri: RedirectUri
) -> bool:
    """Raise or clear the external URL's and the Redirect URI's issues.

    Returns whether the Redirect URI differs from the one registered at sign-in.
    """
    url = redirect_uri.url_or_none(hass)
    settings = get_settings(hass)
    simulated = settings != ProviderSettings()
    if url is not None and (simulated or meets_provider_requirements(url)):
        ir.async_delete_issue(hass, DOMAIN, EXTERNAL_URL)
    else:
        if simulated:
            key = "external_url_missing_simulator"
            placeholders = {"url": redirect_uri.path, "simulator": settings.api_url}
        elif url is None:
            key = "external_url_missing"
            placeholders = {"url": redirect_uri.path}
        else:
            key = "external_url_not_https"
            placeholders = {"url": url}
        ir.async_create_issue(
            hass,
            DOMAIN,
            EXTERNAL_URL,
            is_fixable=False,
            severity=ir.IssueSeverity.WARNING,
            translation_key=key,
            translation_placeholders=placeholders,
        )
    registered = entry.data.get(CONF_REDIRECT_URI)
    changed = url is not None and registered is not None and registered != url
    if changed:
        assert url is not None
        _async_create_entry_issue(
            hass,
            entry,
            REDIRECT_URI_CHANGED,
            ir.IssueSeverity.ERROR,
            {
                "registered": str(registered),
                "redirect_uri": url,
                "portal": PROVIDER_PORTAL_URL,
            },
            data={"entry_id": entry.entry_id, "redirect_uri": url},
        )
    else:
        _async_delete_entry_issue(hass, entry, REDIRECT_URI_CHANGED)
    return changed


@callback
def async_raise_pushes_not_arriving(
    hass: HomeAssistant, entry: MttBusinessConfigEntry, since: datetime
) -> None:
    """A call placed at `since` got no push in time."""
    _async_create_entry_issue(
        hass,
        entry,
        PUSHES_NOT_ARRIVING,
        ir.IssueSeverity.ERROR,
        {
            "time": dt_util.as_local(since).strftime("%H:%M:%S"),
            "redirect_uri": str(entry.data.get(CONF_REDIRECT_URI, "")),
            "portal": PROVIDER_PORTAL_URL,
        },
    )


@callback
def async_clear_pushes_not_arriving(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> None:
    """A push arrived."""
    _async_delete_entry_issue(hass, entry, PUSHES_NOT_ARRIVING)


def refresh_token_expires(token: dict[str, object]) -> datetime | None:
    """When the entry's refresh token expires: 3 days after it was issued.

    It was issued with the access token, which lives `expires_in` seconds up to
    `expires_at` (Home Assistant stores both).
    """
    expires_at = token.get("expires_at")
    expires_in = token.get("expires_in", ACCESS_TOKEN_LIFETIME)
    if not isinstance(expires_at, (int, float)) or not isinstance(
        expires_in, (int, float)
    ):
        return None
    issued = dt_util.utc_from_timestamp(float(expires_at) - float(expires_in))
    return issued + REFRESH_TOKEN_LIFETIME


@callback
def async_note_refresh_failed(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> None:
    """Renewing the access token failed: warn when the refresh token is near its end."""
    token = entry.data.get("token")
    expires = refresh_token_expires(token) if isinstance(token, dict) else None
    if expires is None or expires - dt_util.utcnow() > REFRESH_TOKEN_WARNING:
        return
    _async_create_entry_issue(
        hass,
        entry,
        REFRESH_TOKEN_EXPIRING,
        ir.IssueSeverity.WARNING,
        {"expires": dt_util.as_local(expires).strftime("%Y-%m-%d %H:%M")},
    )


@callback
def async_note_refresh_worked(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> None:
    """The access token was renewed (or did not need to be)."""
    _async_delete_entry_issue(hass, entry, REFRESH_TOKEN_EXPIRING)


@callback
def async_delete_entry_issues(
    hass: HomeAssistant, entry: MttBusinessConfigEntry
) -> None:
    """The entry is removed: so are its issues."""
    for issue in (REDIRECT_URI_CHANGED, PUSHES_NOT_ARRIVING, REFRESH_TOKEN_EXPIRING):
        _async_delete_entry_issue(hass, entry, issue)
