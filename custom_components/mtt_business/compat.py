"""What differs between the Home Assistant releases this integration supports.

Supported: Home Assistant 2026.6 to the newest (README, `hacs.json`). Each name here
is the newer release's, with what the older releases offer in its place; the rest of
the integration imports these names from here and checks no version itself.
"""

from __future__ import annotations

from homeassistant.helpers import device_registry as dr

try:
    from homeassistant.exceptions import OAuth2TokenRequestBaseError
except ImportError:  # older releases (2026.6): a failed token request is one class
    from homeassistant.exceptions import (  # type: ignore[assignment]
        OAuth2TokenRequestError as OAuth2TokenRequestBaseError,
    )

try:
    # Home Assistant's own fork of voluptuous, which its schemas are made of since
    # 2026.9 (a schema of the other package would not serialize in a form).
    import probatio as vol
except ImportError:  # before 2026.9
    import voluptuous as vol  # type: ignore[no-redef]

try:
    from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
except ImportError:  # older releases (2026.6): only the package has it
    from homeassistant.components.binary_sensor import (  # type: ignore[attr-defined]
        BinarySensorDeviceClass,
    )

try:
    from homeassistant.components.http.server import StaticPathConfig
except ImportError:  # older releases (2026.6): only the package has it
    from homeassistant.components.http import (  # type: ignore[attr-defined]
        StaticPathConfig,
    )

try:
    from homeassistant.components.todo.entity import TodoItem, TodoListEntity
except ImportError:  # older releases (2026.6): only the package has them
    from homeassistant.components.todo import (  # type: ignore[attr-defined]
        TodoItem,
        TodoListEntity,
    )


def device_by_identifier(
    registry: dr.DeviceRegistry, identifier: tuple[str, str], config_entry_id: str
) -> dr.DeviceEntry | None:
    """The entry's device with this identifier (main devices only)."""
    if hasattr(registry, "async_get_device_by_identifier"):
        return registry.async_get_device_by_identifier(identifier, config_entry_id)
    # Older releases (2026.6): identifiers are unique across entries.
    device = registry.async_get_device(identifiers={identifier})
    if device is None or config_entry_id not in device.config_entries:
        return None
    return device


__all__ = [
    "BinarySensorDeviceClass",
    "OAuth2TokenRequestBaseError",
    "StaticPathConfig",
    "TodoItem",
    "TodoListEntity",
    "device_by_identifier",
    "vol",
]
