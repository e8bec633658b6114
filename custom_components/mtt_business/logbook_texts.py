"""The logbook's sentences for calls, in English and Russian.

Home Assistant's translation files have no category for logbook lines, and hassfest
refuses a section of an integration's own there, so the sentences live here, one
table per language, with the same keys and placeholders in each (a test checks).
Every language is in memory: a change of Home Assistant's language applies to the
next line, without a restart. English is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

LOGBOOK_TEXTS: Final[dict[str, dict[str, str]]] = {
    "en": {
        "incoming_trying": "incoming call from {caller} to {callee}",
        "incoming_showing": "incoming call from {caller} is ringing at {workplace}",
        "incoming_connected": "incoming call from {caller} answered at {workplace}",
        "incoming_hiding": "incoming call from {caller} stopped ringing at {workplace}",
        "incoming_finished": "incoming call from {caller} answered at {workplace}, {duration}",
        "outgoing_trying": "outgoing call from {workplace} to {callee}",
        "outgoing_showing": "outgoing call to {callee} is ringing at {workplace}",
        "outgoing_connected": "outgoing call from {workplace} to {callee} answered",
        "outgoing_hiding": "outgoing call from {workplace} to {callee} stopped ringing",
        "outgoing_finished": "outgoing call from {workplace} to {callee}, {duration}",
        "missed": "missed call from {caller} to {callee}",
        "recorded": "the recording of the call from {caller} is ready",
        "unknown": "call event",
        "minutes": "{minutes} min",
        "seconds": "{seconds} s",
        "routing_failed": "routing the call from {caller} failed ({routing_error}); the PBX routes it",
        "finished_unseen_start": "a call from {caller} to {callee} ended, {duration} (Home Assistant did not see it start)",
    },
    "ru": {
        "incoming_trying": "входящий вызов с {caller} на {callee}",
        "incoming_showing": "входящий вызов с {caller} звонит на рабочем месте «{workplace}»",
        "incoming_connected": "входящий вызов с {caller} принят на рабочем месте «{workplace}»",
        "incoming_hiding": "входящий вызов с {caller} перестал звонить на рабочем месте «{workplace}»",
        "incoming_finished": "входящий вызов с {caller} принят на рабочем месте «{workplace}», {duration}",
        "outgoing_trying": "исходящий вызов с рабочего места «{workplace}» на {callee}",
        "outgoing_showing": "исходящий вызов на {callee} звонит на рабочем месте «{workplace}»",
        "outgoing_connected": "исходящий вызов с рабочего места «{workplace}» на {callee} отвечен",
        "outgoing_hiding": "исходящий вызов с рабочего места «{workplace}» на {callee} перестал звонить",
        "outgoing_finished": "исходящий вызов с рабочего места «{workplace}» на {callee}, {duration}",
        "missed": "пропущенный вызов с {caller} на {callee}",
        "recorded": "запись разговора с {caller} готова",
        "unknown": "событие вызова",
        "minutes": "{minutes} мин",
        "seconds": "{seconds} с",
        "routing_failed": "не удалось направить вызов с {caller} ({routing_error}); его распределяет ВАТС",
        "finished_unseen_start": "завершился вызов с {caller} на {callee}, {duration} (его начала Home Assistant не видел)",
    },
}


def logbook_template(language: str) -> Callable[[str], str]:
    """The sentence for a key in `language` (`ru`, `ru-RU`; else English)."""
    english = LOGBOOK_TEXTS["en"]
    local = LOGBOOK_TEXTS.get(language.split("-", maxsplit=1)[0].lower(), english)

    def template(key: str) -> str:
        return local.get(key) or english.get(key) or key

    return template
