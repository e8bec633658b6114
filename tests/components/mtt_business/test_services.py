"""Actions against the simulator over real HTTP."""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.mtt_business import const
from custom_components.mtt_business.calls.phone_book import PhoneBookCache
from custom_components.mtt_business.compat import device_by_identifier, vol
from custom_components.mtt_business.const import DOMAIN

from .conftest import SimulatorServer, async_settle

RECEPTION = "883140777716581"
IVAN = "883140777828305"
TERMINAL = "883140777380595"
EXTERNAL = "74996497803"


async def _call(hass: HomeAssistant, service: str, data: dict, response: bool = False):  # type: ignore[no-untyped-def]
    return await hass.services.async_call(
        DOMAIN, service, data, blocking=True, return_response=response
    )


@pytest.mark.parametrize(
    ("callee", "dialled"),
    [
        ("89219462761", "89219462761"),
        ("79219462761", "89219462761"),
        ("+7 (921) 946-27-61", "89219462761"),
        ("79219462761@pstn", "89219462761"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
async def test_make_call_dials_any_common_format(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    callee: str,
    dialled: str,
) -> None:
    """Russian numbers go out as `8…`, others in E.164."""
    await _call(hass, "make_call", {"caller_id": RECEPTION, "callee_id": callee}, True)
    assert simulator.simulator.requests[-1].params["params"]["calleeId"] == dialled


async def test_make_call_from_a_workplace_device(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The device selector's value works, the number in any format, and the call id comes back."""
    device = device_by_identifier(
        device_registry,
        (DOMAIN, f"{config_entry.unique_id}_{RECEPTION}"),
        config_entry.entry_id,
    )
    assert device is not None
    result = await _call(
        hass,
        "make_call",
        {"caller_id": device.id, "callee_id": "+7 (921) 946-27-61"},
        True,
    )
    assert result is not None
    placed = simulator.simulator.engine.calls[result["call_id"]]
    assert placed.direction == "outgoing"
    assert placed.leg.workplace == RECEPTION
    request = simulator.simulator.requests[-1]
    assert request.method == "makeCall"
    assert request.params == {
        "params": {"callerId": RECEPTION, "calleeId": "89219462761"}
    }


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"caller_id": TERMINAL, "callee_id": "89219462761"}, "terminal_not_workplace"),
        ({"caller_id": "123", "callee_id": "89219462761"}, "unknown_workplace"),
        ({"caller_id": RECEPTION, "callee_id": "not a number"}, "invalid_number"),
        (
            {"caller_id": RECEPTION, "callee_id": "1", "config_entry_id": "nope"},
            "unknown_entry",
        ),
    ],
)
async def test_make_call_refused_before_sending(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    data: dict[str, str],
    key: str,
) -> None:
    """Bad input is a translated validation error; nothing reaches the provider."""
    before = len(simulator.simulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "make_call", data)
    assert err.value.translation_key == key
    assert len(simulator.simulator.requests) == before


async def _with_short_timeout(
    hass: HomeAssistant, entry: ConfigEntry, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reload the entry with a 0.3 s request timeout, so that timeouts come fast."""
    monkeypatch.setattr(const, "API_REQUEST_TIMEOUT", 0.3)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 500}, "HTTP 500"),
        ({"status": 429}, "Injected fault"),
        ({"timeout": 1.0}, "no answer"),
    ],
)
async def test_provider_errors(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    monkeypatch: pytest.MonkeyPatch,
    fault: dict[str, float],
    message: str,
) -> None:
    """The provider failing is a translated error carrying its message; no retry."""
    await _with_short_timeout(hass, config_entry, monkeypatch)
    simulator.simulator.faults.set_api_fault(methods=["makeCall"], **fault)
    with pytest.raises(HomeAssistantError) as err:
        await _call(
            hass, "make_call", {"caller_id": RECEPTION, "callee_id": "89219462761"}
        )
    assert err.value.translation_key == "provider_error"
    assert message in err.value.translation_placeholders["error"]
    assert [r.method for r in simulator.simulator.requests].count("makeCall") == 1


async def test_expired_access_token_is_refreshed_once(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A 401 is followed by one token refresh and one retry, then success."""
    simulator.simulator.expire_access_tokens()
    old = config_entry.data["token"]["access_token"]
    result = await _call(
        hass, "make_call", {"caller_id": RECEPTION, "callee_id": "89219462761"}, True
    )
    assert result is not None
    assert config_entry.data["token"]["access_token"] != old
    methods = [r.method for r in simulator.simulator.requests]
    assert methods[-3:] == ["makeCall", "token", "makeCall"]


async def test_transfer_and_terminate_from_the_event(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Only the call id is needed: tag and transport id come from the tracker."""
    sim = simulator.simulator
    call_id = await sim.start_incoming_call("79161234567", EXTERNAL)
    await sim.wait_pushed()
    await hass.async_block_till_done()
    await _call(hass, "transfer_call", {"call_id": call_id, "callee_id": IVAN})
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "ringing"
    await _call(hass, "terminate_call", {"call_id": call_id})
    await sim.wait_pushed()
    await hass.async_block_till_done()
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "idle"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "terminate_call", {"call_id": "unknown"})
    assert err.value.translation_key == "unknown_call"
    with pytest.raises(HomeAssistantError) as failed:
        await _call(
            hass,
            "terminate_call",
            {"call_id": "gone~2o", "tag": "t", "transport_id": "10.0.0.1:5070"},
        )
    assert "Call leg not found" in str(failed.value.translation_placeholders)


async def test_set_parking_and_the_switch(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """Parking through the action and the switch reaches the PBX."""
    await _call(hass, "set_parking", {"is_parking": True})
    assert simulator.simulator.parking == {"74996497803", "78005560251"}
    await _call(
        hass, "set_parking", {"numbers": ["8 (499) 649-78-03"], "is_parking": False}
    )
    assert simulator.simulator.parking == {"78005560251"}
    with pytest.raises(ServiceValidationError):
        await _call(
            hass, "set_parking", {"numbers": ["84950000000"], "is_parking": True}
        )

    switch = "switch.mtt_business_7_499_649_78_03_parking_7_499_649_78_03"
    assert hass.states.get(switch).attributes["assumed_state"] is True
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    assert "74996497803" in simulator.simulator.parking
    assert hass.states.get(switch).state == "on"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": switch}, blocking=True
    )
    assert "74996497803" not in simulator.simulator.parking
    assert hass.states.get(switch).state == "off"
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": switch}, blocking=True
    )
    simulator.simulator.faults.set_api_fault(methods=["setParkingNumbers"], status=500)
    with pytest.raises(HomeAssistantError):
        await hass.services.async_call(
            "switch", "turn_off", {"entity_id": switch}, blocking=True
        )
    assert hass.states.get(switch).state == "on"  # what was last sent successfully
    assert "74996497803" in simulator.simulator.parking


async def _ring(hass: HomeAssistant, sim: SimulatorServer, caller: str) -> str:
    call_id = await sim.simulator.start_incoming_call(caller, EXTERNAL)
    await async_settle(hass, sim, rounds=1)
    return call_id


async def test_several_entries_need_the_entry_id(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """With two entries the action must name one, and that one must be loaded."""
    other = MockConfigEntry(domain=DOMAIN, unique_id="other", title="Other")
    other.add_to_hass(hass)
    other.mock_state(hass, ConfigEntryState.LOADED)
    data = {"caller_id": RECEPTION, "callee_id": "89219462761"}
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "make_call", data)
    assert err.value.translation_key == "entry_required"
    result = await _call(
        hass, "make_call", data | {"config_entry_id": config_entry.entry_id}, True
    )
    assert result is not None
    assert result["call_id"] in simulator.simulator.engine.calls
    other.mock_state(hass, ConfigEntryState.NOT_LOADED)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "make_call", data | {"config_entry_id": other.entry_id})
    assert err.value.translation_key == "entry_not_loaded"
    assert err.value.translation_placeholders == {"entry_id": other.entry_id}


async def test_devices_other_than_workplaces_are_refused(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    """The PBX device is no workplace; the error names the field and the value."""
    pbx = device_by_identifier(
        device_registry, (DOMAIN, str(config_entry.unique_id)), config_entry.entry_id
    )
    assert pbx is not None
    before = len(simulator.simulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "make_call", {"caller_id": pbx.id, "callee_id": "+74951"})
    assert err.value.translation_key == "unknown_workplace"
    assert err.value.translation_placeholders == {
        "field": "caller_id",
        "value": pbx.id,
    }
    assert len(simulator.simulator.requests) == before


async def test_transfer_to_a_number_and_to_a_workplace_device(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    device_registry: dr.DeviceRegistry,
) -> None:
    """A workplace device or a number in any form; each action sends one request."""
    sim = simulator.simulator
    ivan = device_by_identifier(
        device_registry,
        (DOMAIN, f"{config_entry.unique_id}_{IVAN}"),
        config_entry.entry_id,
    )
    assert ivan is not None
    call_id = await _ring(hass, simulator, "79161234567")
    await _call(hass, "transfer_call", {"call_id": call_id, "callee_id": ivan.id})
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "ringing"
    await _call(
        hass, "transfer_call", {"call_id": call_id, "callee_id": "+7 921 946-27-61"}
    )
    await async_settle(hass, simulator, rounds=1)
    transfers = [r for r in sim.requests if r.method == "transferCall"]
    assert [r.params["params"]["calleeId"] for r in transfers] == [
        IVAN,
        "89219462761",
    ]
    assert (
        transfers[0].params["params"]["call"]["id"]
        != (transfers[1].params["params"]["call"]["id"])
    )
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "idle"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "transfer_call", {"call_id": call_id, "callee_id": "abc"})
    assert err.value.translation_key == "invalid_number"
    assert err.value.translation_placeholders["field"] == "callee_id"


async def test_the_event_leg_id_names_that_leg(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """`call_id` may be the event's leg_id; tag and transport still come by default."""
    sim = simulator.simulator
    call_id = await _ring(hass, simulator, "79161234567")
    tracked = config_entry.runtime_data.call_monitor.tracker.call(call_id)
    assert tracked is not None
    leg = tracked.leg
    await _call(hass, "terminate_call", {"call_id": leg.id})
    request = sim.requests[-1]
    assert request.method == "terminateCall"
    assert request.params == {
        "params": {
            "call": {"id": leg.id, "tag": leg.tag},
            "transportId": tracked.transport_id,
        }
    }
    assert request.status == 200


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 500}, "500"),
        ({"status": 404}, "Injected fault"),
        ({"html": True, "status": 502}, "502"),
        ({"timeout": 1.0}, "no answer"),
    ],
)
async def test_a_failed_transfer_is_not_retried(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    simulator: SimulatorServer,
    fault: dict[str, object],
    message: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The provider's failure is reported once; the transfer is not sent again."""
    await _with_short_timeout(hass, config_entry, monkeypatch)
    call_id = await _ring(hass, simulator, "79161234567")
    simulator.simulator.faults.set_api_fault(methods=["transferCall"], **fault)  # type: ignore[arg-type]
    with pytest.raises(HomeAssistantError) as err:
        await _call(hass, "transfer_call", {"call_id": call_id, "callee_id": IVAN})
    assert err.value.translation_key == "provider_error"
    assert message in err.value.translation_placeholders["error"]
    methods = [r.method for r in simulator.simulator.requests]
    assert methods.count("transferCall") == 1


async def test_expired_token_during_a_transfer(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """A 401 on a command: refresh, send again once (the first was not executed)."""
    call_id = await _ring(hass, simulator, "79161234567")
    simulator.simulator.expire_access_tokens()
    await _call(hass, "transfer_call", {"call_id": call_id, "callee_id": IVAN})
    requests = simulator.simulator.requests[-3:]
    assert [r.method for r in requests] == ["transferCall", "token", "transferCall"]
    assert [r.status for r in requests] == [401, 200, 200]
    await async_settle(hass, simulator, rounds=1)
    assert hass.states.get("sensor.menedzher_ivan_call_state").state == "ringing"


async def test_a_terminal_is_no_transfer_target(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """The translated message names the field and the value."""
    call_id = await _ring(hass, simulator, "79161234567")
    before = len(simulator.simulator.requests)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "transfer_call", {"call_id": call_id, "callee_id": TERMINAL})
    assert err.value.translation_key == "terminal_not_workplace"
    assert str(err.value) == (
        f"callee_id: {TERMINAL} is a terminal, not a workplace; "
        "give the workplace it belongs to"
    )
    assert len(simulator.simulator.requests) == before


async def _contacts_in_menu(hass: HomeAssistant, entry: ConfigEntry) -> str:
    """How many contacts the options flow's menu shows."""
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    count: str = menu["description_placeholders"]["contacts"]
    return count


async def test_set_contacts_merges_into_the_phone_book(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Numbers in any format; a known number gets the new name; no reload."""
    runtime = config_entry.runtime_data
    settings = await hass.config_entries.options.async_init(config_entry.entry_id)
    settings = await hass.config_entries.options.async_configure(
        settings["flow_id"], {"next_step_id": "settings"}
    )
    await hass.config_entries.options.async_configure(
        settings["flow_id"], {"release_unmatched": False}
    )
    await _call(
        hass,
        "set_contacts",
        {"contacts": {"8 (916) 123-45-67": "Иван Петров", "8495": "Москва"}},
    )
    await _call(
        hass,
        "set_contacts",
        {
            "contacts": [
                {"number": "+7 495", "name": "Москва, офис"},
                {"number": 78121234567, "name": "Питер"},
            ]
        },
    )
    await _call(hass, "set_contacts", {"contacts": {"number": "8903", "name": "МТС"}})
    assert config_entry.options == {
        "release_unmatched": False,
        "contacts": [
            {"number": "+79161234567", "name": "Иван Петров"},
            {"number": "+7495", "name": "Москва, офис"},
            {"number": "+78121234567", "name": "Питер"},
            {"number": "+7903", "name": "МТС"},
        ],
    }
    assert config_entry.state is ConfigEntryState.LOADED
    assert config_entry.runtime_data is runtime
    assert await _contacts_in_menu(hass, config_entry) == "4"


async def test_a_cached_phone_book_follows_the_action(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Read per call from a cache, the phone book has each change at once."""
    cache = PhoneBookCache()
    assert cache.book(config_entry.options).name_of("89161234567") is None
    await _call(hass, "set_contacts", {"contacts": {"8916": "Мобильные МТС"}})
    book = cache.book(config_entry.options)
    assert book.name_of("89161234567") == "Мобильные МТС"
    assert cache.book(config_entry.options) is book
    await _call(hass, "set_contacts", {"contacts": {"89161234567": "Иван Петров"}})
    book = cache.book(config_entry.options)
    assert book.name_of("+7 916 123-45-67") == "Иван Петров"
    assert book.name_of("+7 916 123-45-68") == "Мобильные МТС"


async def test_set_contacts_replaces_the_phone_book(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """With replace, the phone book is exactly what was given, possibly nothing."""
    await _call(hass, "set_contacts", {"contacts": {"8916": "A", "8495": "B"}})
    await _call(
        hass, "set_contacts", {"contacts": {"8812": "C", "8916": "D"}, "replace": True}
    )
    assert config_entry.options["contacts"] == [
        {"number": "+7812", "name": "C"},
        {"number": "+7916", "name": "D"},
    ]
    await _call(hass, "set_contacts", {"contacts": {}, "replace": True})
    assert config_entry.options["contacts"] == []


@pytest.mark.parametrize(
    ("contacts", "key", "placeholders"),
    [
        (
            {"8916": "A", "phone": "B"},
            "invalid_contact_number",
            {"value": "phone"},
        ),
        (
            {"8916": "A", "8495": "  "},
            "invalid_contact_name",
            {"number": "8495", "max_length": "100"},
        ),
        (
            {"8495": "я" * 101},
            "invalid_contact_name",
            {"number": "8495", "max_length": "100"},
        ),
        (
            [{"number": "8916", "name": "A"}, {"number": "+7 916", "name": "B"}],
            "duplicate_contact",
            {"number": "+7 916"},
        ),
    ],
)
async def test_set_contacts_refuses_bad_contacts(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    contacts: dict[str, str] | list[dict[str, str]],
    key: str,
    placeholders: dict[str, str],
) -> None:
    """A translated error naming the value; the phone book stays as it was."""
    await _call(hass, "set_contacts", {"contacts": {"8812": "Питер"}})
    for replace in (False, True):
        with pytest.raises(ServiceValidationError) as err:
            await _call(
                hass, "set_contacts", {"contacts": contacts, "replace": replace}
            )
        assert err.value.translation_key == key
        assert err.value.translation_placeholders == {
            "field": "contacts",
            **placeholders,
        }
    assert config_entry.options["contacts"] == [{"number": "+7812", "name": "Питер"}]


async def test_set_contacts_says_what_is_wrong(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """The message is the translated sentence (the frontend shows it translated)."""
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "set_contacts", {"contacts": {"phone": "A"}})
    assert str(err.value) == (
        "contacts: phone is not a phone number or the beginning of one"
    )


@pytest.mark.parametrize(
    "contacts",
    ["+7 916 = A", ["8916"], [{"number": "8916"}], {"8916": ["A"]}, None],
)
async def test_set_contacts_refuses_other_shapes(
    hass: HomeAssistant, config_entry: ConfigEntry, contacts: object
) -> None:
    """Neither a mapping of numbers to names nor a list of contacts."""
    with pytest.raises(vol.Invalid):
        await _call(hass, "set_contacts", {"contacts": contacts})
    assert "contacts" not in config_entry.options


async def test_set_contacts_keeps_at_most_10000(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """A full phone book takes new names for its numbers, but no new number."""
    full = {f"+7900{index:07d}": f"Клиент {index}" for index in range(10_000)}
    await _call(hass, "set_contacts", {"contacts": full, "replace": True})
    await _call(hass, "set_contacts", {"contacts": {"+79000000000": "Первый"}})
    assert config_entry.options["contacts"][0]["name"] == "Первый"
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "set_contacts", {"contacts": {"8495": "Москва"}})
    assert err.value.translation_key == "too_many_contacts"
    assert err.value.translation_placeholders == {
        "field": "contacts",
        "max_contacts": "10000",
    }
    with pytest.raises(ServiceValidationError):
        await _call(
            hass, "set_contacts", {"contacts": full | {"8495": "M"}, "replace": True}
        )
    assert len(config_entry.options["contacts"]) == 10_000


async def test_set_contacts_needs_the_entry_with_several(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Like the other actions: the entry must be named when there are several."""
    other = MockConfigEntry(domain=DOMAIN, unique_id="other", title="Other")
    other.add_to_hass(hass)
    other.mock_state(hass, ConfigEntryState.LOADED)
    with pytest.raises(ServiceValidationError) as err:
        await _call(hass, "set_contacts", {"contacts": {"8916": "A"}})
    assert err.value.translation_key == "entry_required"
    await _call(
        hass,
        "set_contacts",
        {"contacts": {"8916": "A"}, "config_entry_id": config_entry.entry_id},
    )
    assert config_entry.options["contacts"] == [{"number": "+7916", "name": "A"}]
    assert "contacts" not in other.options
