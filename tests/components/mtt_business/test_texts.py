"""What people read: units, device models, translations of dialogs."""

from __future__ import annotations

import json
from pathlib import Path
import re
import string
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import ATTR_UNIT_OF_MEASUREMENT
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest

from custom_components.mtt_business.const import DOMAIN
from custom_components.mtt_business.devices import device_models
from custom_components.mtt_business.logbook import describe_call
from custom_components.mtt_business.logbook_texts import LOGBOOK_TEXTS, logbook_template

COMPONENT = Path(__file__).resolve().parents[3] / "custom_components" / DOMAIN
ACTIVE = "sensor.mtt_business_7_499_649_78_03_active_calls"
TERMINALS = "sensor.resepshn_terminals"


def _texts(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((COMPONENT / name).read_text(encoding="utf-8"))
    return data


async def test_counts_have_no_plural_unit(
    hass: HomeAssistant, config_entry: ConfigEntry
) -> None:
    """'1 terminals' / '1 терминалов': counts are shown as bare numbers."""
    for entity_id in (ACTIVE, TERMINALS):
        state = hass.states.get(entity_id)
        assert state is not None
        assert ATTR_UNIT_OF_MEASUREMENT not in state.attributes
    assert hass.states.get(TERMINALS).state == "1"
    for name in ("strings.json", "translations/en.json", "translations/ru.json"):
        for sensor in _texts(name)["entity"]["sensor"].values():
            assert "unit_of_measurement" not in sensor


@pytest.mark.parametrize(
    ("language", "pbx", "workplace"),
    [
        ("en", "MTT Business virtual PBX", "Workplace"),
        ("ru", "Виртуальная АТС МТТ Бизнес", "Рабочее место"),
    ],
)
async def test_device_models_follow_the_language(
    hass: HomeAssistant,
    config_entry: ConfigEntry,
    language: str,
    pbx: str,
    workplace: str,
) -> None:
    """Home Assistant translates device names, not models: the devices carry both."""
    hass.config.language = language
    await config_entry.runtime_data.directory.async_refresh()
    await hass.async_block_till_done()
    devices = dr.async_entries_for_config_entry(
        dr.async_get(hass), config_entry.entry_id
    )
    models = {device.name: device.model for device in devices}
    assert models[config_entry.title] == pbx
    assert models["Ресепшн"] == workplace
    assert device_models(f"{language}-XX") == (pbx, workplace)
    assert device_models("de") == device_models("en")


def test_sign_in_step_has_a_title_in_every_language() -> None:
    """The dialog shown while the portal's sign-in page is open says what to do."""
    assert _texts("strings.json") == _texts("translations/en.json")
    for name in ("translations/en.json", "translations/ru.json"):
        auth = _texts(name)["config"]["step"]["auth"]
        assert auth["title"]
        # Home Assistant 2026.10's frontend shows no title for an external step
        # (only the description): the description starts with it.
        assert auth["description"].startswith(f"**{auth['title']}**\n\n")


def test_russian_texts_say_workplace_in_words() -> None:
    """'РМ' is portal jargon: the Russian texts say 'рабочее место'."""
    text = (COMPONENT / "translations" / "ru.json").read_text(encoding="utf-8")
    assert "РМ" not in text
    logbook = "\n".join(LOGBOOK_TEXTS["ru"].values())
    assert "РМ" not in logbook
    assert "рабочем месте «{workplace}»" in logbook


def test_logbook_texts_in_every_language_have_the_same_keys_and_placeholders() -> None:
    """A sentence missing in Russian, or naming another placeholder, would show
    English or raise while the logbook is read."""
    english = LOGBOOK_TEXTS["en"]
    for language, texts in LOGBOOK_TEXTS.items():
        assert texts.keys() == english.keys(), language
        for key, text in texts.items():
            assert _placeholders(text) == _placeholders(english[key]), (language, key)
    assert logbook_template("ru-RU")("missed") == LOGBOOK_TEXTS["ru"]["missed"]
    assert logbook_template("de")("missed") == english["missed"]
    assert logbook_template("ru")("no such key") == "no such key"


_NAMED_CALL = {
    "direction": "incoming",
    "caller": "+79161234567",
    "caller_name": "Иван Петров",
    "callee": "+74996497803",
    "callee_name": None,
    "workplace": "883140777716581",
    "workplace_name": "Ресепшн",
    "duration": 15,
}
_OUTGOING_CALL = {
    **_NAMED_CALL,
    "direction": "outgoing",
    "caller": "883140777716581",
    "caller_name": None,
    "callee": "+79161234567",
    "callee_name": "Иван Петров",
}
_IVAN = "Иван Петров (+7 916 123-45-67)"
_EVERY_LINE = [
    (
        _NAMED_CALL | {"state": "trying"},
        f"incoming call: {_IVAN} → +7 499 649-78-03",
        f"входящий вызов: {_IVAN} → +7 499 649-78-03",
    ),
    (
        _NAMED_CALL | {"state": "showing"},
        f"incoming call: {_IVAN}, ringing at Ресепшн",
        f"входящий вызов: {_IVAN}, звонит на рабочем месте «Ресепшн»",
    ),
    (
        _NAMED_CALL | {"state": "connected"},
        f"incoming call: {_IVAN}, answered at Ресепшн",
        f"входящий вызов: {_IVAN}, принят на рабочем месте «Ресепшн»",
    ),
    (
        _NAMED_CALL | {"state": "hiding"},
        f"incoming call: {_IVAN}, stopped ringing at Ресепшн",
        f"входящий вызов: {_IVAN}, перестал звонить на рабочем месте «Ресепшн»",
    ),
    (
        _NAMED_CALL | {"state": "finished"},
        f"incoming call ended: {_IVAN}, answered at Ресепшн, 15 s",
        f"входящий вызов завершён: {_IVAN}, принят на рабочем месте «Ресепшн», 15 с",
    ),
    (
        _NAMED_CALL | {"state": "finished", "missed": True, "duration": 0},
        f"missed call: {_IVAN} → +7 499 649-78-03",
        f"пропущенный вызов: {_IVAN} → +7 499 649-78-03",
    ),
    (
        _NAMED_CALL | {"state": "finished", "ghost": True, "duration": 0},
        f"short call, not counted as missed: {_IVAN} → +7 499 649-78-03",
        f"короткий вызов, не считается пропущенным: {_IVAN} → +7 499 649-78-03",
    ),
    (
        # a call that started on a workplace's leg: it went to the number dialled
        _NAMED_CALL
        | {
            "state": "trying",
            "callee": "883140777716581",
            "external_number": "+78005560251",
        },
        f"incoming call: {_IVAN} → +7 800 556-02-51",
        f"входящий вызов: {_IVAN} → +7 800 556-02-51",
    ),
    (
        _NAMED_CALL | {"state": "recorded"},
        f"the recording is ready: {_IVAN} → +7 499 649-78-03",
        f"запись разговора готова: {_IVAN} → +7 499 649-78-03",
    ),
    (
        _NAMED_CALL
        | {"state": "routing_failed", "routing_error": "400: Call leg not found"},
        f"routing failed: {_IVAN} (400: Call leg not found); the PBX routes the call",
        f"не удалось направить вызов: {_IVAN} (400: Call leg not found); его распределяет ВАТС",
    ),
    (
        _NAMED_CALL | {"state": "finished", "seen_start": False, "duration": 150},
        f"call ended: {_IVAN} → +7 499 649-78-03, 2 min 30 s (Home Assistant did not see it start)",
        f"вызов завершён: {_IVAN} → +7 499 649-78-03, 2 мин 30 с (его начала Home Assistant не видел)",
    ),
    (
        _OUTGOING_CALL | {"state": "trying"},
        f"outgoing call: Ресепшн → {_IVAN}",
        f"исходящий вызов: рабочее место «Ресепшн» → {_IVAN}",
    ),
    (
        _OUTGOING_CALL | {"state": "showing"},
        f"outgoing call: Ресепшн → {_IVAN}, ringing at the workplace",
        f"исходящий вызов: рабочее место «Ресепшн» → {_IVAN}, звонок на рабочем месте",
    ),
    (
        _OUTGOING_CALL | {"state": "connected"},
        f"outgoing call: Ресепшн → {_IVAN}, answered",
        f"исходящий вызов: рабочее место «Ресепшн» → {_IVAN}, ответили",
    ),
    (
        _OUTGOING_CALL | {"state": "hiding"},
        f"outgoing call: Ресепшн → {_IVAN}, stopped ringing",
        f"исходящий вызов: рабочее место «Ресепшн» → {_IVAN}, перестал звонить",
    ),
    (
        _OUTGOING_CALL | {"state": "finished", "duration": 61},
        f"outgoing call ended: Ресепшн → {_IVAN}, 1 min 1 s",
        f"исходящий вызов завершён: рабочее место «Ресепшн» → {_IVAN}, 1 мин 1 с",
    ),
    ({"state": "weird"}, "call event", "событие вызова"),
]


@pytest.mark.parametrize(("data", "english", "russian"), _EVERY_LINE)
def test_every_logbook_sentence_reads_right_with_a_name(
    data: dict[str, Any], english: str, russian: str
) -> None:
    """Each call step's line in both languages, with a caller from the phone book:
    the name follows a colon or an arrow, so it reads right undeclined."""
    assert describe_call(logbook_template("en"), data) == english
    assert describe_call(logbook_template("ru"), data) == russian


def test_logbook_sentences_put_no_preposition_before_a_name() -> None:
    """'с Иван Петров' is wrong Russian: no word stands right before a party, and a
    workplace's name stands in quotes after "рабочее место" (any case of it)."""
    # The table above has a line for every sentence (the lengths are in them).
    sentences = {describe_call(lambda key: key, data) for data, _, _ in _EVERY_LINE}
    lengths = {"minutes", "minutes_seconds", "seconds"}
    assert sentences == LOGBOOK_TEXTS["en"].keys() - lengths
    for text in LOGBOOK_TEXTS["ru"].values():
        assert re.search(r"[А-Яа-яЁё] \{(caller|callee)\}", text) is None, text
        for match in re.finditer(r"\{workplace\}", text):
            assert text[match.start() - 1] == "«", text
    for text in LOGBOOK_TEXTS["en"].values():
        assert re.search(r"\b(from|to) \{(caller|callee)\}", text) is None, text


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _leaves(texts: dict[str, Any], path: str = "") -> dict[str, str]:
    leaves: dict[str, str] = {}
    for key, value in texts.items():
        if isinstance(value, dict):
            leaves |= _leaves(value, f"{path}{key}.")
        else:
            leaves[f"{path}{key}"] = value
    return leaves


def test_russian_has_every_text_with_the_same_placeholders() -> None:
    """A text missing in Russian shows English; another placeholder shows raw."""
    english = _leaves(_texts("translations/en.json"))
    russian = _leaves(_texts("translations/ru.json"))
    assert russian.keys() == english.keys()
    for key, text in english.items():
        assert _placeholders(russian[key]) == _placeholders(text), key
