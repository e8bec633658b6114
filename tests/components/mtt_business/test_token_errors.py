"""The token endpoint failing during an action: our translated message, not aiohttp's.

Every action and the Parking switch need a valid access token first. When the
provider's token endpoint fails while renewing it, the user sees one of our translated
messages; a refusal for good (the refresh token expired) also asks to sign in again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
import pytest

from custom_components.mtt_business.const import DOMAIN

from .conftest import SimulatorServer

RECEPTION = "883140777716581"
IVAN = "883140777828305"
EXTERNAL = "74996497803"
SWITCH = "switch.mtt_business_7_499_649_78_03_parking_7_499_649_78_03"

type Action = Callable[[HomeAssistant, str], Awaitable[Any]]


async def _make_call(hass: HomeAssistant, call_id: str) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "make_call",
        {"caller_id": RECEPTION, "callee_id": "89219462761"},
        blocking=True,
        return_response=True,
    )


async def _transfer(hass: HomeAssistant, call_id: str) -> None:
    await hass.services.async_call(
        DOMAIN,
        "transfer_call",
        {"call_id": call_id, "callee_id": IVAN},
        blocking=True,
    )


async def _terminate(hass: HomeAssistant, call_id: str) -> None:
    await hass.services.async_call(
        DOMAIN, "terminate_call", {"call_id": call_id}, blocking=True
    )


async def _set_parking(hass: HomeAssistant, call_id: str) -> None:
    await hass.services.async_call(
        DOMAIN, "set_parking", {"is_parking": True}, blocking=True
    )


async def _switch_on(hass: HomeAssistant, call_id: str) -> None:
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": SWITCH}, blocking=True
    )


ACTIONS: dict[str, Action] = {
    "make_call": _make_call,
    "transfer_call": _transfer,
    "terminate_call": _terminate,
    "set_parking": _set_parking,
    "switch": _switch_on,
}
COMMANDS = {"makeCall", "transferCall", "terminateCall", "setParkingNumbers"}


async def _ringing_call(hass: HomeAssistant, simulator: SimulatorServer) -> str:
    call_id = await simulator.simulator.start_incoming_call("79161234567", EXTERNAL)
    await simulator.simulator.wait_pushed()
    await hass.async_block_till_done()
    return call_id


def _token_expired(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """The stored access token has run out: the next action must renew it first."""
    token = dict(entry.data["token"], expires_at=0)
    hass.config_entries.async_update_entry(entry, data={**entry.data, "token": token})


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"status": 500}, "the token endpoint answered HTTP 500"),
        ({"status": 429}, "the token endpoint answered HTTP 429"),
        ({"status": 200, "html": True}, "the token endpoint gave no usable token"),
    ],
    ids=["500", "429", "html"],
)
async def test_token_endpoint_failing_is_a_translated_error(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    action: str,
    fault: dict[str, Any],
    error: str,
) -> None:
    """5xx, 429 or an unusable answer: "try again later", nothing sent, no reauth."""
    call_id = await _ringing_call(hass, simulator)
    _token_expired(hass, config_entry)
    simulator.simulator.faults.set_api_fault(methods=["token"], **fault)
    before = len(simulator.simulator.requests)
    with pytest.raises(HomeAssistantError) as err:
        await ACTIONS[action](hass, call_id)
    assert err.value.translation_key == "token_refresh_failed"
    assert err.value.translation_placeholders == {"error": error}
    assert str(err.value) == (
        f"MTT Business could not renew this Home Assistant's access token ({error}); "
        "try again later"
    )
    sent = [r.method for r in simulator.simulator.requests[before:]]
    assert sent == ["token"]
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert hass.states.get(SWITCH).state == "off"

    simulator.simulator.faults.clear()
    await ACTIONS[action](hass, call_id)  # works again once the endpoint is back
    sent = [r.method for r in simulator.simulator.requests[before:]]
    assert sent[-2] == "token"
    assert sent[-1] in COMMANDS


@pytest.mark.parametrize("action", list(ACTIONS))
async def test_refresh_refused_for_good_asks_to_sign_in_again(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    action: str,
) -> None:
    """The refresh token has expired: "sign in again", and the reauth flow starts."""
    call_id = await _ringing_call(hass, simulator)
    _token_expired(hass, config_entry)
    simulator.simulator.expire_refresh_tokens()
    with pytest.raises(HomeAssistantError) as err:
        await ACTIONS[action](hass, call_id)
    assert err.value.translation_key == "authentication_failed"
    assert str(err.value) == (
        "MTT Business refused this Home Assistant's access token; sign in again"
    )
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]


async def test_token_endpoint_failing_after_a_401(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A 401 on the command, then the forced refresh fails: translated as well."""
    simulator.simulator.expire_access_tokens()
    simulator.simulator.faults.set_api_fault(methods=["token"], status=503)
    with pytest.raises(HomeAssistantError) as err:
        await _make_call(hass, "")
    assert err.value.translation_key == "token_refresh_failed"
    assert err.value.translation_placeholders == {
        "error": "the token endpoint answered HTTP 503"
    }
    methods = [r.method for r in simulator.simulator.requests]
    assert methods[-2:] == ["makeCall", "token"]
    assert [r.status for r in simulator.simulator.requests[-2:]] == [401, 503]


async def test_token_endpoint_unreachable(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """The provider is down altogether: translated, without aiohttp's text."""
    _token_expired(hass, config_entry)
    await simulator.server.close()
    with pytest.raises(HomeAssistantError) as err:
        await _set_parking(hass, "")
    assert err.value.translation_key == "token_refresh_failed"
    assert err.value.translation_placeholders == {
        "error": "the token endpoint could not be reached or gave no usable token"
    }
    assert "127.0.0.1" not in str(err.value)
    assert not hass.config_entries.flow.async_progress_by_handler(DOMAIN)


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("status", [401, 403])
async def test_token_refused_by_the_api_asks_to_sign_in_again(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    action: str,
    status: int,
) -> None:
    """The command refused even with a fresh token: "sign in again", and reauth."""
    call_id = await _ringing_call(hass, simulator)
    simulator.simulator.faults.set_api_fault(methods=list(COMMANDS), status=status)
    with pytest.raises(HomeAssistantError) as err:
        await ACTIONS[action](hass, call_id)
    assert err.value.translation_key == "authentication_failed"
    await hass.async_block_till_done()
    flows = hass.config_entries.flow.async_progress_by_handler(DOMAIN)
    assert [f["context"]["source"] for f in flows] == ["reauth"]
    assert hass.states.get(SWITCH).state == "off"
    # Asked again: still one reauth flow.
    with pytest.raises(HomeAssistantError):
        await ACTIONS[action](hass, call_id)
    await hass.async_block_till_done()
    assert len(hass.config_entries.flow.async_progress_by_handler(DOMAIN)) == 1
