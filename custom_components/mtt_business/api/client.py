"""The async client of the MTT Business Open API (SPEC §2, §3)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import json
import logging
from typing import Any

import aiohttp

from .auth import AbstractAuth
from .const import DEFAULT_API_URL
from .errors import (
    AuthenticationError,
    InvalidResponseError,
    MttBusinessError,
    RequestRejectedError,
    ServiceUnavailableError,
)
from .models import ExternalNumber, Leg, PbxDirectory, Terminal, Workplace

_LOGGER = logging.getLogger(__name__)

MAX_RESPONSE_BYTES = 1024 * 1024
"""A directory of thousands of workplaces stays far below this; more is not an answer."""

MAX_MESSAGE_LENGTH = 200
"""Characters of a provider's error message that are kept."""

WORKPLACES_PATHS = ("workPlacesInfo", "workplacesInfo")
"""The heading spells it `workPlacesInfo`, the curl example `workplacesInfo`."""


def _provider_message(raw: bytes) -> str:
    """The provider's message from an error body of any shape (undocumented).

    Tried in turn: `error.message`, `message`, `error` (a string),
    `error_description`, `result.message`; else the body's text. At most 200
    characters either way: the message reaches logs and the user's dialogs.
    """
    body = raw.decode("utf-8", errors="replace")
    try:
        data = json.loads(body)
    except ValueError, RecursionError:
        return body.strip()[:MAX_MESSAGE_LENGTH] or "no message"
    if isinstance(data, dict):
        error = data.get("error")
        result = data.get("result")
        candidates = [
            error.get("message") if isinstance(error, dict) else error,
            data.get("message"),
            data.get("error_description"),
            result.get("message") if isinstance(result, dict) else None,
        ]
        for candidate in candidates:
            if isinstance(candidate, str) and candidate:
                return candidate[:MAX_MESSAGE_LENGTH]
    return body.strip()[:MAX_MESSAGE_LENGTH] or "no message"


def _succeeded(value: object) -> bool:
    """`success` as the provider may spell it: 1, true, "1" (or "true")."""
    return value in (1, True, "1", "true")


def _items[T](
    result: dict[str, Any], keys: Sequence[str], parse: Callable[[dict[str, Any]], T]
) -> tuple[T, ...]:
    """Parse a list found under any of `keys`; entries of the wrong shape are skipped."""
    for key in keys:
        if isinstance(found := result.get(key), list):
            break
    else:
        raise InvalidResponseError(f"No list under {' or '.join(keys)}")
    items: list[T] = []
    for entry in found:
        try:
            items.append(parse(entry if isinstance(entry, dict) else {}))
        except (KeyError, TypeError, ValueError) as err:
            _LOGGER.debug("Skipped an entry of %s: %r (%s)", keys[0], entry, err)
    return tuple(items)


def _text(entry: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = entry.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    raise KeyError(keys[0])


def _external_number(entry: dict[str, Any]) -> ExternalNumber:
    kind = entry.get("type")
    return ExternalNumber(
        _text(entry, "number"), kind if isinstance(kind, str) else None
    )


def _workplace(entry: dict[str, Any]) -> Workplace:
    name = entry.get("name")
    return Workplace(_text(entry, "workplace"), name if isinstance(name, str) else "")


def _terminal(entry: dict[str, Any]) -> Terminal:
    return Terminal(_text(entry, "terminal", "terminale"), _text(entry, "workplace"))


class MttBusinessClient:
    """Typed access to one MTT Business account."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        auth: AbstractAuth,
        *,
        base_url: str = DEFAULT_API_URL,
        request_timeout: float = 10.0,
    ) -> None:
        """Use a shared session and a token provider."""
        self._session = session
        self._auth = auth
        self._base_url = base_url.rstrip("/")
        self._timeout = request_timeout
        self._workplaces_path = WORKPLACES_PATHS[0]

    async def _request(
        self, method: str, path: str, params: dict[str, Any] | None = None
    ) -> Any:
        """One request; a 401 gets one forced token refresh and one retry."""
        token = await self._auth.async_get_access_token()
        for attempt in (1, 2):
            status, body = await self._send(method, path, token, params)
            if status == 401 and attempt == 1:
                token = await self._auth.async_force_refresh_access_token()
                continue
            break
        if status in (401, 403):
            raise AuthenticationError(f"{path}: {status} {_provider_message(body)}")
        if status >= 500:
            raise ServiceUnavailableError(f"{path}: HTTP {status}")
        if status >= 400:
            raise RequestRejectedError(status, _provider_message(body))
        if len(body) > MAX_RESPONSE_BYTES:
            raise InvalidResponseError(
                f"{path}: the answer is larger than {MAX_RESPONSE_BYTES} bytes"
            )
        try:
            return json.loads(body)
        except (ValueError, RecursionError) as err:  # incl. UnicodeDecodeError
            raise ServiceUnavailableError(f"{path}: the answer is not JSON") from err

    async def _send(
        self, method: str, path: str, token: str, params: dict[str, Any] | None
    ) -> tuple[int, bytes]:
        """Send once; the status and at most `MAX_RESPONSE_BYTES` + 1 of the body."""
        headers = {"Authorization": f"Bearer {token}"}
        kwargs: dict[str, Any] = {"headers": headers}
        if params is not None:
            kwargs["json"] = {"params": params}
        try:
            async with (
                asyncio.timeout(self._timeout),
                self._session.request(
                    method, f"{self._base_url}/{path}", **kwargs
                ) as response,
            ):
                body = bytearray()
                async for chunk in response.content.iter_chunked(64 * 1024):
                    body += chunk
                    if len(body) > MAX_RESPONSE_BYTES:
                        break
                return response.status, bytes(body)
        except TimeoutError as err:
            raise ServiceUnavailableError(
                f"{path}: no answer in {self._timeout} s"
            ) from err
        except aiohttp.ClientError as err:
            raise ServiceUnavailableError(f"{path}: {err}") from err

    async def _result(self, path: str) -> dict[str, Any]:
        data = await self._request("GET", path)
        result = data.get("result") if isinstance(data, dict) else None
        if not isinstance(result, dict):
            raise InvalidResponseError(f"{path}: no result object")
        return result

    async def external_numbers(self) -> tuple[ExternalNumber, ...]:
        """The PBX's external numbers."""
        result = await self._result("externalNumbersInfo")
        return _items(result, ("numbersList",), _external_number)

    async def workplaces(self) -> tuple[Workplace, ...]:
        """The PBX's workplaces (either spelling of the path)."""
        try:
            result = await self._result(self._workplaces_path)
        except RequestRejectedError as err:
            if err.status != 404:
                raise
            other = next(p for p in WORKPLACES_PATHS if p != self._workplaces_path)
            result = await self._result(other)
            self._workplaces_path = other
        return _items(result, ("workplacesList", "workPlacesList"), _workplace)

    async def terminals(self) -> tuple[Terminal, ...]:
        """The terminals and the workplaces they are bound to."""
        result = await self._result("terminalsInfo")
        return _items(result, ("terminals_list", "terminalsList"), _terminal)

    async def directory(self) -> PbxDirectory:
        """Numbers, workplaces and terminals, read concurrently."""
        numbers, workplaces, terminals = await asyncio.gather(
            self.external_numbers(), self.workplaces(), self.terminals()
        )
        return PbxDirectory(numbers, workplaces, terminals)

    async def _command(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        data = await self._request("POST", path, params)
        if not isinstance(data, dict):
            raise InvalidResponseError(f"{path}: not an object")
        result = data.get("result")
        outcome = result if isinstance(result, dict) and "success" in result else data
        if not _succeeded(outcome.get("success")):
            raise RequestRejectedError(0, _provider_message(json.dumps(data).encode()))
        return outcome

    async def make_call(self, caller_id: str, callee_id: str) -> str:
        """Ring the workplace `caller_id`, then dial `callee_id`; returns the call id."""
        outcome = await self._command(
            "makeCall", {"callerId": caller_id, "calleeId": callee_id}
        )
        call = outcome.get("call")
        if not isinstance(call, dict) or not isinstance(call.get("id"), str):
            raise InvalidResponseError("makeCall: no call id")
        return str(call["id"])

    async def transfer_call(self, leg: Leg, transport_id: str, callee_id: str) -> None:
        """Transfer a leg (answered or not) to a workplace or a number."""
        await self._command(
            "transferCall",
            {
                "call": {"id": leg.id, "tag": leg.tag},
                "calleeId": callee_id,
                "transportId": transport_id,
            },
        )

    async def terminate_call(self, leg: Leg, transport_id: str) -> None:
        """End a leg; the call goes on along the portal's route (ends parking)."""
        await self._command(
            "terminateCall",
            {"call": {"id": leg.id, "tag": leg.tag}, "transportId": transport_id},
        )

    async def set_parking_numbers(
        self, numbers: Sequence[str], *, is_parking: bool
    ) -> None:
        """Turn parking on or off for external numbers."""
        await self._command(
            "setParkingNumbers", {"numbers": list(numbers), "isParking": is_parking}
        )


__all__ = ["MttBusinessClient", "MttBusinessError"]
