"""The options flow: a menu that stays, and the routing table rule by rule or as text."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
import pytest

from .conftest import SimulatorServer

RECEPTION = "883140777716581"
IVAN = "883140777828305"


async def _menu(hass: HomeAssistant, entry: ConfigEntry) -> ConfigFlowResult:
    result = await hass.config_entries.options.async_init(entry.entry_id)
    assert result["type"] is FlowResultType.MENU
    assert result["step_id"] == "init"
    return result


async def _open(hass: HomeAssistant, entry: ConfigEntry, step: str) -> ConfigFlowResult:
    result = await _menu(hass, entry)
    assert step in result["menu_options"]
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


async def _submit(
    hass: HomeAssistant, result: ConfigFlowResult, data: dict[str, Any]
) -> ConfigFlowResult:
    return await hass.config_entries.options.async_configure(result["flow_id"], data)


async def _add(
    hass: HomeAssistant, entry: ConfigEntry, caller: str, workplace: str
) -> ConfigFlowResult:
    form = await _open(hass, entry, "add_route")
    assert form["type"] is FlowResultType.FORM
    assert form["step_id"] == "route"
    return await _submit(hass, form, {"caller": caller, "workplace": workplace})


def _suggested(result: ConfigFlowResult, key: str) -> Any:
    schema = result["data_schema"]
    assert schema is not None
    marker = next(k for k in schema.schema if k == key)
    return (marker.description or {}).get("suggested_value")


@pytest.mark.parametrize(
    ("language", "sentence", "release", "recordings", "missed_calls"),
    [
        (
            "en",
            "No rules yet.",
            "handed back to the PBX at once",
            "kept by MTT only, for 90 days",
            "every unanswered incoming call is missed",
        ),
        (
            "ru",
            "Правил пока нет.",
            "сразу возвращаются ВАТС",
            "хранятся только у МТТ, 90 дней",
            "пропущенным считается каждый непринятый входящий вызов",
        ),
    ],
)
async def test_empty_table_menu(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    language: str,
    sentence: str,
    release: str,
    recordings: str,
    missed_calls: str,
) -> None:
    """With no rules there is nothing to edit or remove, and the menu says so.

    It also says what the settings are, in the user's language.
    """
    hass.config.language = language
    result = await _menu(hass, config_entry)
    assert result["menu_options"] == [
        "add_route",
        "table",
        "settings",
        "add_contact",
        "contacts_table",
        "recordings",
        "missed_calls",
        "people",
        "done",
    ]
    assert result["description_placeholders"] == {
        "routes": sentence,
        "release": release,
        "contacts": "0",
        "recordings": recordings,
        "missed_calls": missed_calls,
    }


async def test_add_rules_in_any_number_format(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """`8…`, `7…` and `+7…` are stored alike; the menu then lists the rules.

    Each is saved as soon as it is submitted, and the menu comes back.
    """
    runtime = config_entry.runtime_data
    result = await _add(hass, config_entry, "8 (916) 123-45-67", IVAN)
    assert result["type"] is FlowResultType.MENU
    result = await _add(hass, config_entry, "7495", RECEPTION)
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["routes"] == [
        {"caller": "+79161234567", "workplace": IVAN},
        {"caller": "+7495", "workplace": RECEPTION},
    ]
    # Saved without a reload: routing reads the options when a call comes.
    assert config_entry.runtime_data is runtime
    menu = await _menu(hass, config_entry)
    assert menu["menu_options"] == [
        "add_route",
        "edit_route",
        "remove_routes",
        "table",
        "settings",
        "add_contact",
        "contacts_table",
        "recordings",
        "missed_calls",
        "people",
        "done",
    ]
    assert menu["description_placeholders"]["routes"] == (
        "- +7 916 123-45-67 → Менеджер Иван\n- +7 495… → Ресепшн"
    )
    assert menu["description_placeholders"]["contacts"] == "0"


@pytest.mark.parametrize(
    ("caller", "error"),
    [
        ("not a number", "invalid_caller"),
        ("", "invalid_caller"),
        ("+7 916 123-45-67", "duplicate_caller"),
        ("79161234567", "duplicate_caller"),
    ],
)
async def test_bad_rules_are_refused(
    hass: HomeAssistant, config_entry: ConfigEntry, caller: str, error: str
) -> None:
    """The form comes back with the error on the field, and what was typed."""
    await _add(hass, config_entry, "89161234567", IVAN)
    result = await _add(hass, config_entry, caller, RECEPTION)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"caller": error}
    assert _suggested(result, "caller") == caller
    assert config_entry.options["routes"] == [
        {"caller": "+79161234567", "workplace": IVAN}
    ]


async def test_only_workplaces_of_the_pbx(
    hass: HomeAssistant, config_entry: ConfigEntry, simulator: SimulatorServer
) -> None:
    """The workplace comes from the PBX's list; one removed meanwhile is refused.

    The list names each workplace and its SIP ID; one without a name, its SIP ID once.
    """
    form = await _open(hass, config_entry, "add_route")
    options = form["data_schema"].schema["workplace"].config["options"]
    assert [option["label"] for option in options] == [
        f"Ресепшн ({RECEPTION})",
        f"Менеджер Иван ({IVAN})",
        "883140582526566",
    ]
    with pytest.raises(InvalidData):
        await _submit(hass, form, {"caller": "8916", "workplace": "883140777380595"})
    sim = simulator.simulator
    await sim.edit_directory(
        {"workplaces": [{"workplace": RECEPTION, "name": "Ресепшн"}]}
    )
    await sim.wait_pushed()
    await hass.async_block_till_done()
    result = await _submit(hass, form, {"caller": "8916", "workplace": IVAN})
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"workplace": "unknown_workplace"}
    assert "routes" not in config_entry.options


async def test_edit_a_rule(hass: HomeAssistant, config_entry: ConfigEntry) -> None:
    """The chosen rule is shown filled in; its own number is no duplicate."""
    await _add(hass, config_entry, "8916", IVAN)
    await _add(hass, config_entry, "8495", RECEPTION)
    choose = await _open(hass, config_entry, "edit_route")
    assert choose["step_id"] == "edit_route"
    form = await _submit(hass, choose, {"route": "1"})
    assert form["step_id"] == "route"
    assert _suggested(form, "caller") == "+7 495…"
    assert _suggested(form, "workplace") == RECEPTION
    duplicate = await _submit(hass, form, {"caller": "7916", "workplace": IVAN})
    assert duplicate["errors"] == {"caller": "duplicate_caller"}
    result = await _submit(hass, form, {"caller": "+7 495…", "workplace": IVAN})
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["routes"] == [
        {"caller": "+7916", "workplace": IVAN},
        {"caller": "+7495", "workplace": IVAN},
    ]


async def test_remove_rules(hass: HomeAssistant, config_entry: ConfigEntry) -> None:
    """Chosen rules go, the others stay, and so does the setting."""
    await _add(hass, config_entry, "8916", IVAN)
    await _add(hass, config_entry, "8495", RECEPTION)
    await _add(hass, config_entry, "8812", RECEPTION)
    settings = await _open(hass, config_entry, "settings")
    await _submit(hass, settings, {"release_unmatched": False})
    form = await _open(hass, config_entry, "remove_routes")
    options = form["data_schema"].schema["remove"].config["options"]
    assert [option["label"] for option in options] == [
        "+7 916… → Менеджер Иван",
        "+7 495… → Ресепшн",
        "+7 812… → Ресепшн",
    ]
    result = await _submit(hass, form, {"remove": ["0", "2"]})
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options == {
        "routes": [{"caller": "+7495", "workplace": RECEPTION}],
        "release_unmatched": False,
    }


async def test_the_table_as_text(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Names or SIP IDs, any number format; a bad line is named; shown back."""
    bad = [
        "8 916 = nobody",
        "phone = Ресепшн",
        "8916 = Ресепшн\n+7 916 = Менеджер Иван",
    ]
    for table in bad:
        form = await _open(hass, config_entry, "table")
        result = await _submit(hass, form, {"table": table})
        assert result["type"] is FlowResultType.FORM
        assert result["errors"] == {"table": "invalid_route"}
        assert result["description_placeholders"]["line"] == table.splitlines()[-1]
    form = await _open(hass, config_entry, "table")
    result = await _submit(
        hass,
        form,
        {
            "table": "# Customers\n8 (916) 123-45-67 = менеджер иван\n\n"
            "+7495 = 883140777716581"
        },
    )
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["routes"] == [
        {"caller": "+79161234567", "workplace": IVAN},
        {"caller": "+7495", "workplace": RECEPTION},
    ]
    again = await _open(hass, config_entry, "table")
    table = _suggested(again, "table")
    assert table == "+7 916 123-45-67 = Менеджер Иван\n+7 495… = Ресепшн"
    unchanged = await _submit(hass, again, {"table": table})
    assert unchanged["type"] is FlowResultType.MENU
    assert config_entry.options["routes"] == [
        {"caller": "+79161234567", "workplace": IVAN},
        {"caller": "+7495", "workplace": RECEPTION},
    ]
    # The frontend sends no value for a text field the user emptied.
    emptied = await _open(hass, config_entry, "table")
    cleared = await _submit(hass, emptied, {})
    assert cleared["type"] is FlowResultType.MENU
    assert config_entry.options["routes"] == []


async def test_release_setting_defaults_to_on(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Unmatched calls go back to the PBX at once unless turned off; rules stay."""
    await _add(hass, config_entry, "8916", IVAN)
    form = await _open(hass, config_entry, "settings")
    default = next(k for k in form["data_schema"].schema if k == "release_unmatched")
    assert default.default() is True
    await _submit(hass, form, {"release_unmatched": False})
    assert config_entry.options["release_unmatched"] is False
    assert config_entry.options["routes"] == [{"caller": "+7916", "workplace": IVAN}]
    form = await _open(hass, config_entry, "settings")
    default = next(k for k in form["data_schema"].schema if k == "release_unmatched")
    assert default.default() is False


async def test_a_rule_may_name_a_contact(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """A caller that is no number must be a contact's name; it is kept as given."""
    book = await _open(hass, config_entry, "contacts_table")
    await _submit(hass, book, {"table": "8 916 123-45-67 = Иван Петров, ООО Ромашка"})
    unknown = await _add(hass, config_entry, "Анна", IVAN)
    assert unknown["errors"] == {"caller": "invalid_caller"}
    result = await _add(hass, config_entry, "  иван петров,  ооо ромашка ", IVAN)
    assert result["type"] is FlowResultType.MENU
    duplicate = await _add(hass, config_entry, "ИВАН ПЕТРОВ, ООО РОМАШКА", RECEPTION)
    assert duplicate["errors"] == {"caller": "duplicate_caller"}
    # The same number written as a number is another rule (it wins when matched).
    result = await _add(hass, config_entry, "89161234567", RECEPTION)
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["routes"] == [
        {"caller": "иван петров, ооо ромашка", "workplace": IVAN},
        {"caller": "+79161234567", "workplace": RECEPTION},
    ]
    menu = await _menu(hass, config_entry)
    assert menu["description_placeholders"]["routes"] == (
        "- иван петров, ооо ромашка → Менеджер Иван\n- +7 916 123-45-67 → Ресепшн"
    )


async def test_the_table_as_text_may_name_contacts(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Contacts by name, once each whatever the case; an unknown name is refused."""
    book = await _open(hass, config_entry, "contacts_table")
    await _submit(hass, book, {"table": "8916 = ООО Ромашка\n8495 = Москва"})
    for table, line in [
        ("Анна = Ресепшн", "Анна = Ресепшн"),
        (
            "ооо ромашка = Ресепшн\nООО Ромашка = Менеджер Иван",
            "ООО Ромашка = Менеджер Иван",
        ),
    ]:
        form = await _open(hass, config_entry, "table")
        result = await _submit(hass, form, {"table": table})
        assert result["errors"] == {"table": "invalid_route"}
        assert result["description_placeholders"]["line"] == line
    form = await _open(hass, config_entry, "table")
    result = await _submit(
        hass, form, {"table": "ооо ромашка = Менеджер Иван\n+7495 = Ресепшн"}
    )
    assert result["type"] is FlowResultType.MENU
    assert config_entry.options["routes"] == [
        {"caller": "ооо ромашка", "workplace": IVAN},
        {"caller": "+7495", "workplace": RECEPTION},
    ]
    again = await _open(hass, config_entry, "table")
    assert _suggested(again, "table") == (
        "ооо ромашка = Менеджер Иван\n+7 495… = Ресепшн"
    )


async def test_one_opening_for_every_change(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """Phone book, a rule, recordings and calls without a rule, then Done.

    After each change the menu comes back with it saved and shown; Done ends the
    flow with everything kept, and nothing is reloaded.
    """
    runtime = config_entry.runtime_data
    result = await _menu(hass, config_entry)
    flow = result["flow_id"]

    async def step(name: str, data: dict[str, Any]) -> ConfigFlowResult:
        form = await hass.config_entries.options.async_configure(
            flow, {"next_step_id": name}
        )
        assert form["type"] is FlowResultType.FORM
        result = await hass.config_entries.options.async_configure(flow, data)
        assert result["type"] is FlowResultType.MENU
        assert result["step_id"] == "init"
        return result

    await step("contacts_table", {"table": "8 916 123-45-67 = Иван Петров"})
    await step("add_route", {"caller": "Иван Петров", "workplace": IVAN})
    await step("recordings", {"archive_recordings": True})
    menu = await step("settings", {"release_unmatched": False})
    assert config_entry.options == {
        "contacts": [{"number": "+79161234567", "name": "Иван Петров"}],
        "routes": [{"caller": "Иван Петров", "workplace": IVAN}],
        "archive_recordings": True,
        "release_unmatched": False,
    }
    assert "edit_contact" in menu["menu_options"]
    assert "edit_route" in menu["menu_options"]
    assert menu["description_placeholders"] == {
        "routes": "- Иван Петров → Менеджер Иван",
        "release": "wait 5 seconds for an automation before the PBX routes them",
        "contacts": "1",
        "recordings": "a copy of each is kept in Home Assistant",
        "missed_calls": "every unanswered incoming call is missed",
    }
    done = await hass.config_entries.options.async_configure(
        flow, {"next_step_id": "done"}
    )
    assert done["type"] is FlowResultType.CREATE_ENTRY
    assert done["data"] == config_entry.options
    assert config_entry.options["archive_recordings"] is True
    assert config_entry.runtime_data is runtime
