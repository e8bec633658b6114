"""The logbook's sentences for calls, in English and Russian.

Home Assistant's translation files have no category for logbook lines, and hassfest
refuses a section of an integration's own there, so the sentences live here, one
table per language, with the same keys and placeholders in each (a test checks).
Every sentence names its parties after a colon or an arrow, never after a
preposition: a name stays in the nominative ("входящий вызов: Иван Петров
(+7 916 123-45-67) → +7 499 649-78-03"), whatever name the phone book gives.
An incoming call's callee is the external number the caller dialled, when the
event names it (`external_number`). Every language is in memory: a change of Home Assistant's language applies to the
next line, without a restart. English is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

LOGBOOK_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "incoming_trying": "incoming call: {caller} → {callee}",
        "incoming_showing": "incoming call: {caller}, ringing at {workplace}",
        "incoming_connected": "incoming call: {caller}, answered at {workplace}",
        "incoming_hiding": "incoming call: {caller}, stopped ringing at {workplace}",
        "incoming_finished": "incoming call ended: {caller}, answered at {workplace}, {duration}",
        "outgoing_trying": "outgoing call: {workplace} → {callee}",
        "outgoing_showing": "outgoing call: {workplace} → {callee}, ringing at the workplace",
        "outgoing_connected": "outgoing call: {workplace} → {callee}, answered",
        "outgoing_hiding": "outgoing call: {workplace} → {callee}, stopped ringing",
        "outgoing_finished": "outgoing call ended: {workplace} → {callee}, {duration}",
        "missed": "missed call: {caller} → {callee}",
        "ghost": "short call, not counted as missed: {caller} → {callee}",
        "recorded": "the recording is ready: {caller} → {callee}",
        "unknown": "call event",
        "minutes": "{minutes} min",
        "minutes_seconds": "{minutes} min {seconds} s",
        "seconds": "{seconds} s",
        "routing_failed": "routing failed: {caller} ({routing_error}); the PBX routes the call",
        "finished_unseen_start": "call ended: {caller} → {callee}, {duration} (Home Assistant did not see it start)",
    },
    "ru": {
        "incoming_trying": "входящий вызов: {caller} → {callee}",
        "incoming_showing": "входящий вызов: {caller}, звонит на рабочем месте «{workplace}»",
        "incoming_connected": "входящий вызов: {caller}, принят на рабочем месте «{workplace}»",
        "incoming_hiding": "входящий вызов: {caller}, перестал звонить на рабочем месте «{workplace}»",
        "incoming_finished": "входящий вызов завершён: {caller}, принят на рабочем месте «{workplace}», {duration}",
        "outgoing_trying": "исходящий вызов: рабочее место «{workplace}» → {callee}",
        "outgoing_showing": "исходящий вызов: рабочее место «{workplace}» → {callee}, звонок на рабочем месте",
        "outgoing_connected": "исходящий вызов: рабочее место «{workplace}» → {callee}, ответили",
        "outgoing_hiding": "исходящий вызов: рабочее место «{workplace}» → {callee}, перестал звонить",
        "outgoing_finished": "исходящий вызов завершён: рабочее место «{workplace}» → {callee}, {duration}",
        "missed": "пропущенный вызов: {caller} → {callee}",
        "ghost": "короткий вызов, не считается пропущенным: {caller} → {callee}",
        "recorded": "запись разговора готова: {caller} → {callee}",
        "unknown": "событие вызова",
        "minutes": "{minutes} мин",
        "minutes_seconds": "{minutes} мин {seconds} с",
        "seconds": "{seconds} с",
        "routing_failed": "не удалось направить вызов: {caller} ({routing_error}); его распределяет ВАТС",
        "finished_unseen_start": "вызов завершён: {caller} → {callee}, {duration} (его начала Home Assistant не видел)",
    },
}


def logbook_template(language: str) -> Callable[[str], str]:
    """The sentence for a key in `language` (`ru`, `ru-RU`; else English)."""
    english = LOGBOOK_TEXTS["en"]
    local = LOGBOOK_TEXTS.get(language.split("-", maxsplit=1)[0].lower(), english)

    def template(key: str) -> str:
        return local.get(key) or english.get(key) or key

    return template
