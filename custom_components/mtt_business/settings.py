"""Where the provider is: its endpoints, overridable in YAML for a simulator.

```yaml
mtt_business:
  oauth_url: http://127.0.0.1:8124   # development and tests only
  api_url: http://127.0.0.1:8124
```
"""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import config_validation as cv
from homeassistant.helpers.typing import ConfigType
from homeassistant.util.hass_dict import HassKey

from .api.const import DEFAULT_API_URL, DEFAULT_OAUTH_URL
from .compat import vol
from .const import CONF_API_URL, CONF_OAUTH_URL, DOMAIN

CONFIG_SCHEMA = vol.Schema(
    {
        vol.Optional(DOMAIN): vol.Schema(
            {
                vol.Optional(CONF_OAUTH_URL): cv.url,
                vol.Optional(CONF_API_URL): cv.url,
            }
        )
    },
    extra=vol.ALLOW_EXTRA,
)


@dataclass(frozen=True, slots=True)
class ProviderSettings:
    """Base URLs of the provider's OAuth server and Open API."""

    oauth_url: str = DEFAULT_OAUTH_URL
    api_url: str = DEFAULT_API_URL


DATA_SETTINGS: HassKey[ProviderSettings] = HassKey(f"{DOMAIN}_settings")


@callback
def async_store_settings(hass: HomeAssistant, config: ConfigType) -> None:
    """Keep the endpoints given in `configuration.yaml`, if any."""
    conf = config.get(DOMAIN) or {}
    defaults = ProviderSettings()
    hass.data[DATA_SETTINGS] = ProviderSettings(
        oauth_url=str(conf.get(CONF_OAUTH_URL, defaults.oauth_url)).rstrip("/"),
        api_url=str(conf.get(CONF_API_URL, defaults.api_url)).rstrip("/"),
    )


@callback
def get_settings(hass: HomeAssistant) -> ProviderSettings:
    """The endpoints in force (the provider's own unless YAML says otherwise)."""
    return hass.data.get(DATA_SETTINGS) or ProviderSettings()
