"""The Parking switches of the demo PBX: one per external number."""

from __future__ import annotations

from unittest.mock import AsyncMock

from homeassistant.components.switch import DOMAIN as SWITCH_DOMAIN
from homeassistant.const import ATTR_ENTITY_ID, SERVICE_TURN_ON, Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.mtt_business.api import RequestRejectedError
from custom_components.mtt_business.const import DOMAIN

from .conftest import EXTERNAL, SnapshotEntities

PLATFORM = Platform.SWITCH
PARKING = "switch.mtt_business_7_499_649_78_03_parking_7_499_649_78_03"


async def test_parking_switches(snapshot_entities: SnapshotEntities) -> None:
    """Every Parking switch: its registry entry, and off at rest."""
    await snapshot_entities()


@pytest.mark.usefixtures("entry")
async def test_turning_parking_on_asks_the_pbx(
    hass: HomeAssistant, client: AsyncMock
) -> None:
    """On asks MTT to park that number's calls; on is shown once MTT agreed."""
    await hass.services.async_call(
        SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: PARKING}, blocking=True
    )

    client.set_parking_numbers.assert_awaited_once_with([EXTERNAL], is_parking=True)
    assert hass.states.get(PARKING).state == "on"


@pytest.mark.usefixtures("entry")
async def test_parking_refused_by_the_pbx_stays_off(
    hass: HomeAssistant, client: AsyncMock
) -> None:
    """MTT refusing it is a translated error with its message; the switch stays off."""
    client.set_parking_numbers.side_effect = RequestRejectedError(0, "Номер занят")

    with pytest.raises(HomeAssistantError) as raised:
        await hass.services.async_call(
            SWITCH_DOMAIN, SERVICE_TURN_ON, {ATTR_ENTITY_ID: PARKING}, blocking=True
        )

    assert raised.value.translation_domain == DOMAIN
    assert raised.value.translation_key == "provider_error"
    assert raised.value.translation_placeholders == {"error": "Номер занят"}
    assert hass.states.get(PARKING).state == "off"
