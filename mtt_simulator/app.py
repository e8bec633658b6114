"""The simulator's aiohttp application: OAuth, REST API, records and control API.

Decisions where the documentation is silent:
- every REST answer is JSON in UTF-8 (Russian names are not escaped);
- a missing, unknown or expired Bearer token: 401 `{"error": {"code": 401,
  "message": "Unauthorized"}}`; a refused command (malformed JSON, no `params`,
  a terminal or unknown SIP ID as makeCall's callerId, an unknown or ended leg, a
  tag or transportId that does not match, a number that is not the account's):
  400 `{"error": {"code": 400, "message": "…"}}`;
- OAuth refusals as RFC 6749 §5.2: 400 `invalid_request`, `invalid_grant`,
  `unsupported_grant_type`; 401 `invalid_client`; authorize errors are a 400 HTML
  page and never a redirect;
- an injected API fault answers `{"error": {"code": N, "message": "Injected
  fault"}}` (the token endpoint: `server_error` / `invalid_grant`) or an HTML page.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
import dataclasses
import html
import json
from typing import Any

from aiohttp import web
from yarl import URL

from .engine import CallError
from .faults import RecordFault
from .oauth import SCOPE, OAuthError
from .scenario import Scenario
from .simulator import Simulator
from .variants import parse_variants

SIMULATOR_KEY: web.AppKey[Simulator] = web.AppKey("simulator", Simulator)

API_METHODS = {
    "externalNumbersInfo",
    "workPlacesInfo",
    "workplacesInfo",
    "terminalsInfo",
    "makeCall",
    "transferCall",
    "terminateCall",
    "setParkingNumbers",
}
SILENT_MP3 = (b"\xff\xfb\x90\x64" + b"\x00" * 413) * 12
"""Twelve silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz): 0.3 s of silence."""

HTML_ERROR = "<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>"


def json_reply(data: Any, *, status: int = 200) -> web.Response:
    """A JSON answer, UTF-8 on the wire (Russian names are not escaped)."""
    return web.Response(
        text=json.dumps(data, ensure_ascii=False),
        status=status,
        content_type="application/json",
    )


type Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _error(status: int, message: str) -> web.Response:
    return json_reply({"error": {"code": status, "message": message}}, status=status)


def _method_of(request: web.Request) -> str | None:
    path = request.path.strip("/")
    if path == "oauth/token":
        return "token"
    return path if path in API_METHODS else None


@web.middleware
async def faults_middleware(
    request: web.Request, handler: Handler
) -> web.StreamResponse:
    """Log API requests and spoil their answers when told to."""
    sim = request.app[SIMULATOR_KEY]
    if not sim.base_url:
        sim.base_url = str(request.url.origin())
    method = _method_of(request)
    if method is None:
        return await handler(request)
    params: Any = None
    if request.method == "POST" and request.can_read_body:
        raw = await request.read()
        try:
            params = (
                json.loads(raw) if method != "token" else dict(await request.post())
            )
        except ValueError:
            params = raw.decode(errors="replace")
    logged = sim.log_request(method, params)
    fault = sim.faults.take_api_fault(method)
    if fault is not None:
        if fault.timeout:
            await asyncio.sleep(fault.timeout)
        if fault.status or fault.html:
            status = fault.status or 200
            logged.status = status
            if fault.html:
                return web.Response(
                    status=status, text=HTML_ERROR, content_type="text/html"
                )
            if method == "token":
                error = "invalid_grant" if status < 500 else "server_error"
                return json_reply({"error": error}, status=status)
            return _error(status, "Injected fault")
    try:
        response = await handler(request)
    except web.HTTPException as err:
        logged.status = err.status
        raise
    logged.status = response.status
    return response


# --- OAuth ----------------------------------------------------------------------

LOGIN_PAGE = """<!doctype html>
<html lang="ru"><head><meta charset="utf-8"><title>МТТ Бизнес — вход (симулятор)</title>
<style>body{{font-family:sans-serif;max-width:26em;margin:4em auto}}input{{display:block;width:100%;margin:.3em 0 1em}}
button{{margin-right:1em;padding:.5em 1em}}.error{{color:#c8102e}}</style></head>
<body><h1>МТТ Бизнес</h1>
<p>Приложение «{name}» запрашивает доступ к Открытому API.<br>
The application “{name}” asks for access to the Open API.</p>
{error}
<form method="post" action="/oauth/authorize">
{hidden}
<label>Логин / Login<input name="login" autocomplete="username"></label>
<label>Пароль / Password<input name="password" type="password" autocomplete="current-password"></label>
<button name="decision" value="allow" type="submit">Разрешить / Allow</button>
<button name="decision" value="deny" type="submit">Отклонить / Deny</button>
</form>
<p><small>Simulator demo account: {login}</small></p></body></html>"""


def _authorize_params(sim: Simulator, data: Any) -> tuple[dict[str, str], str | None]:
    params = {
        k: str(data.get(k, ""))
        for k in ("client_id", "redirect_uri", "response_type", "scope", "state")
    }
    client = sim.oauth.clients.get(params["client_id"])
    if client is None:
        return params, "unknown client_id"
    if params["redirect_uri"] != client.redirect_uri:
        return params, "redirect_uri is not the one registered for this integration"
    if params["response_type"] != "code":
        return params, "response_type must be code"
    if params["scope"] != SCOPE:
        return params, f"scope must be {SCOPE}"
    return params, None


def _login_page(
    sim: Simulator, params: dict[str, str], error: str = ""
) -> web.Response:
    client = sim.oauth.clients[params["client_id"]]
    hidden = "\n".join(
        f'<input type="hidden" name="{k}" value="{html.escape(v)}">'
        for k, v in params.items()
    )
    page = LOGIN_PAGE.format(
        name=html.escape(client.name),
        error=f'<p class="error">{html.escape(error)}</p>' if error else "",
        hidden=hidden,
        login=html.escape(sim.scenario.login),
    )
    return web.Response(text=page, content_type="text/html")


async def authorize_page(request: web.Request) -> web.Response:
    """GET /oauth/authorize: the portal's login page."""
    sim = request.app[SIMULATOR_KEY]
    params, problem = _authorize_params(sim, request.query)
    if problem:
        return web.Response(
            status=400,
            text=f"<h1>400</h1><p>{html.escape(problem)}</p>",
            content_type="text/html",
        )
    return _login_page(sim, params)


async def authorize_submit(request: web.Request) -> web.Response:
    """POST /oauth/authorize: the login form."""
    sim = request.app[SIMULATOR_KEY]
    form = await request.post()
    params, problem = _authorize_params(sim, form)
    if problem:
        return web.Response(
            status=400,
            text=f"<h1>400</h1><p>{html.escape(problem)}</p>",
            content_type="text/html",
        )
    query = {"state": params["state"]} if params["state"] else {}
    target = URL(params["redirect_uri"])
    if form.get("decision") != "allow":
        raise web.HTTPFound(target.update_query({"error": "access_denied", **query}))
    if (
        form.get("login") != sim.scenario.login
        or form.get("password") != sim.scenario.password
    ):
        return _login_page(
            sim, params, "Неверный логин или пароль / Wrong login or password"
        )
    code = sim.oauth.issue_code(sim.oauth.clients[params["client_id"]])
    raise web.HTTPFound(target.update_query({"code": code, **query}))


async def token(request: web.Request) -> web.Response:
    """POST /oauth/token."""
    sim = request.app[SIMULATOR_KEY]
    form = {k: str(v) for k, v in (await request.post()).items()}
    try:
        return json_reply(sim.oauth.token(form))
    except OAuthError as err:
        return json_reply({"error": err.error}, status=err.status)


# --- REST API ---------------------------------------------------------------------


def _authorized(request: web.Request) -> bool:
    header = request.headers.get("Authorization", "")
    return header.startswith("Bearer ") and request.app[
        SIMULATOR_KEY
    ].oauth.access_valid(header[7:])


def api(
    handler: Callable[[web.Request, Simulator], Awaitable[web.Response]],
) -> Handler:
    """Bearer check for the REST API."""

    async def wrapped(request: web.Request) -> web.StreamResponse:
        if not _authorized(request):
            return _error(401, "Unauthorized")
        return await handler(request, request.app[SIMULATOR_KEY])

    return wrapped


async def _params(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.read())
    except ValueError as err:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": {"code": 400, "message": "Malformed JSON"}}),
            content_type="application/json",
        ) from err
    params = body.get("params") if isinstance(body, dict) else None
    if not isinstance(params, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": {"code": 400, "message": "params is required"}}),
            content_type="application/json",
        )
    return params


async def external_numbers(request: web.Request, sim: Simulator) -> web.Response:
    """GET /externalNumbersInfo."""
    numbers = sim.directory()["external_numbers"]
    return json_reply({"result": {"total": len(numbers), "numbersList": numbers}})


async def workplaces(request: web.Request, sim: Simulator) -> web.Response:
    """GET /workPlacesInfo and /workplacesInfo."""
    items = sim.directory()["workplaces"]
    return json_reply({"result": {"total": len(items), "workplacesList": items}})


async def terminals(request: web.Request, sim: Simulator) -> web.Response:
    """GET /terminalsInfo (the example's `terminals_list` / `terminal`)."""
    items = sim.directory()["terminals"]
    return json_reply({"result": {"total": len(items), "terminals_list": items}})


def _leg(params: dict[str, Any]) -> tuple[str, str | None, str | None]:
    call = params.get("call")
    if not isinstance(call, dict) or not isinstance(call.get("id"), str):
        raise CallError("call.id is required")
    tag = call.get("tag")
    transport = params.get("transportId")
    return (
        call["id"],
        tag if isinstance(tag, str) else None,
        transport if isinstance(transport, str) else None,
    )


async def make_call(request: web.Request, sim: Simulator) -> web.Response:
    """POST /makeCall: only a workplace may be the caller."""
    params = await _params(request)
    caller, callee = params.get("callerId"), params.get("calleeId")
    if not isinstance(caller, str) or not isinstance(callee, str) or not callee:
        return _error(400, "callerId and calleeId are required")
    if sim.is_terminal(caller) and not sim.is_workplace(caller):
        return _error(400, "callerId must be a workplace SIP ID, not a terminal")
    if not sim.is_workplace(caller):
        return _error(400, "Unknown workplace")
    call = await sim.engine.make_call(caller, callee)
    return json_reply({"result": {"call": {"id": call.id}, "success": 1}})


async def transfer_call(request: web.Request, sim: Simulator) -> web.Response:
    """POST /transferCall."""
    params = await _params(request)
    callee = params.get("calleeId")
    if not isinstance(callee, str) or not callee:
        return _error(400, "calleeId is required")
    try:
        await sim.engine.transfer(*_leg(params), callee)
    except CallError as err:
        return _error(400, str(err))
    return json_reply({"result": {"success": 1}})


async def terminate_call(request: web.Request, sim: Simulator) -> web.Response:
    """POST /terminateCall."""
    params = await _params(request)
    try:
        await sim.engine.terminate(*_leg(params))
    except CallError as err:
        return _error(400, str(err))
    return json_reply({"result": {"success": 1}})


async def set_parking(request: web.Request, sim: Simulator) -> web.Response:
    """POST /setParkingNumbers: answers without the `result` wrapper, as documented."""
    params = await _params(request)
    numbers, is_parking = params.get("numbers"), params.get("isParking")
    if not isinstance(numbers, list) or not isinstance(is_parking, bool):
        return _error(400, "numbers (list) and isParking (boolean) are required")
    unknown = [n for n in numbers if n not in sim.external_numbers]
    if unknown:
        return _error(
            400, f"Not external numbers of the account: {', '.join(map(str, unknown))}"
        )
    if is_parking:
        sim.parking.update(numbers)
    else:
        sim.parking.difference_update(numbers)
    return json_reply({"success": 1})


async def record(request: web.Request) -> web.StreamResponse:
    """GET /records/{id}.mp3: the recording the `recorded` push links to.

    An unknown recording is 404. A recording fault (see `RecordFault`) answers a
    status instead, or sends the recording slowly, oversized or chunked.
    """
    sim = request.app[SIMULATOR_KEY]
    if request.match_info["record"] not in sim.records:
        raise web.HTTPNotFound
    fault = sim.faults.take_record_fault()
    if fault is None:
        return web.Response(body=SILENT_MP3, content_type="audio/mpeg")
    if fault.status is not None:
        return web.Response(
            status=fault.status,
            text=f"<html><body><h1>{fault.status}</h1></body></html>",
            content_type="text/html",
        )
    size = fault.size if fault.size is not None else len(SILENT_MP3)
    body = SILENT_MP3 * (size // len(SILENT_MP3) + 1)
    response = web.StreamResponse(headers={"Content-Type": "audio/mpeg"})
    if fault.chunked:
        response.enable_chunked_encoding()
    else:
        response.content_length = size
    await response.prepare(request)
    for offset in range(0, size, fault.chunk):
        if fault.delay:
            await asyncio.sleep(fault.delay)
        await response.write(body[offset : min(offset + fault.chunk, size)])
    await response.write_eof()
    return response


# --- control API --------------------------------------------------------------------


async def _json(request: web.Request) -> dict[str, Any]:
    if not request.can_read_body:
        return {}
    try:
        data = await request.json()
    except ValueError as err:
        raise web.HTTPBadRequest(text="Malformed JSON") from err
    return data if isinstance(data, dict) else {}


async def control_clients(request: web.Request) -> web.Response:
    """POST /control/clients: create an integration as in the portal."""
    data = await _json(request)
    if not isinstance(data.get("redirect_uri"), str):
        raise web.HTTPBadRequest(text="redirect_uri is required")
    client = request.app[SIMULATOR_KEY].register_client(
        data["redirect_uri"],
        client_id=data.get("client_id"),
        client_secret=data.get("client_secret"),
        name=data.get("name") or "Home Assistant",
    )
    return json_reply(
        {"client_id": client.client_id, "client_secret": client.client_secret}
    )


async def control_state(request: web.Request) -> web.Response:
    """GET /control/state."""
    sim = request.app[SIMULATOR_KEY]
    return json_reply(
        {
            "directory": sim.directory(),
            "parking": sorted(sim.parking),
            "variants": sorted(sim.scenario.variants),
            "clients": [
                {
                    "client_id": c.client_id,
                    "redirect_uri": c.redirect_uri,
                    "name": c.name,
                }
                for c in sim.oauth.clients.values()
            ],
            "calls": sim.engine.summary(),
            "requests": [
                {"method": r.method, "params": r.params, "status": r.status}
                for r in sim.requests[-50:]
            ],
            "pushes": [
                {"url": p.url, "body": p.body, "status": p.status, "error": p.error}
                for p in sim.pushes[-50:]
            ],
        }
    )


async def control_timings(request: web.Request) -> web.Response:
    """GET /control/timings: when call pushes were sent and commands received.

    Both on the simulator's monotonic clock (seconds), for latency measurements.
    """
    sim = request.app[SIMULATOR_KEY]
    pushes = []
    for push in sim.pushes:
        info = push.body.get("result", {}).get("callInfo")
        if isinstance(info, dict):
            pushes.append(
                {
                    "leg_id": info["call"]["id"],
                    "state": info["state"],
                    "sent": push.sent,
                }
            )
    requests = []
    for logged in sim.requests:
        params = (
            logged.params.get("params") if isinstance(logged.params, dict) else None
        )
        call = params.get("call") if isinstance(params, dict) else None
        leg_id = call.get("id") if isinstance(call, dict) else None
        requests.append(
            {"method": logged.method, "leg_id": leg_id, "received": logged.received}
        )
    return json_reply({"pushes": pushes, "requests": requests})


async def control_incoming(request: web.Request) -> web.Response:
    """POST /control/calls/incoming {from, to, workplace?, answer_after?, hangup_after?}.

    `workplace` (optional) overrides the portal's route: a workplace SIP ID (or a
    number), or a list of workplaces that ring at once (a ring group).
    """
    sim = request.app[SIMULATOR_KEY]
    data = await _json(request)
    caller, external = str(data.get("from", "")), str(data.get("to", ""))
    if not caller or external not in sim.external_numbers:
        raise web.HTTPBadRequest(text="from and to (an external number) are required")
    workplace = data.get("workplace")
    if not (
        workplace is None
        or isinstance(workplace, str)
        or (
            isinstance(workplace, list)
            and workplace
            and all(isinstance(w, str) for w in workplace)
        )
    ):
        raise web.HTTPBadRequest(
            text="workplace must be a SIP ID or a non-empty list of SIP IDs"
        )
    call_id = await sim.start_incoming_call(caller, external, workplace=workplace)
    answer_after, hangup_after = data.get("answer_after"), data.get("hangup_after")
    if answer_after is not None or hangup_after is not None:
        request.app[SCRIPTS_KEY].add(
            asyncio.get_running_loop().create_task(
                _script(sim, call_id, answer_after, hangup_after)
            )
        )
    return json_reply({"call_id": call_id})


async def _script(
    sim: Simulator, call_id: str, answer_after: float | None, hangup_after: float | None
) -> None:
    try:
        if answer_after is not None:
            await asyncio.sleep(float(answer_after))
            await sim.answer(call_id)
        if hangup_after is not None:
            await asyncio.sleep(float(hangup_after))
            await sim.hang_up(call_id, "caller")
    except CallError as err:
        sim.log(f"demo script of {call_id}: {err}")


async def control_answer(request: web.Request) -> web.Response:
    """POST /control/calls/{call_id}/answer {workplace?}."""
    data = await _json(request)
    try:
        await request.app[SIMULATOR_KEY].answer(
            request.match_info["call_id"], data.get("workplace")
        )
    except CallError as err:
        raise web.HTTPConflict(text=str(err)) from err
    return json_reply({"ok": True})


async def control_hangup(request: web.Request) -> web.Response:
    """POST /control/calls/{call_id}/hangup {side?}."""
    data = await _json(request)
    try:
        await request.app[SIMULATOR_KEY].hang_up(
            request.match_info["call_id"], data.get("side", "caller")
        )
    except CallError as err:
        raise web.HTTPConflict(text=str(err)) from err
    return json_reply({"ok": True})


DIRECTORY_KEYS = {
    "external_numbers": ("number",),
    "workplaces": ("workplace",),
    "terminals": ("terminal", "workplace"),
}


async def control_directory(request: web.Request) -> web.Response:
    """PUT /control/directory: edit numbers, workplaces, terminals (pushes the change)."""
    sim = request.app[SIMULATOR_KEY]
    data = await _json(request)
    for key, needed in DIRECTORY_KEYS.items():
        items = data.get(key, [])
        if not isinstance(items, list) or not all(
            isinstance(item, dict) and all(k in item for k in needed) for item in items
        ):
            raise web.HTTPBadRequest(
                text=f"{key} must be a list of objects with {', '.join(needed)}"
            )
    await sim.edit_directory(data)
    return json_reply(sim.directory())


async def control_variants(request: web.Request) -> web.Response:
    """PUT /control/variants {variants: [names]}: the undocumented behaviours on."""
    sim = request.app[SIMULATOR_KEY]
    data = await _json(request)
    try:
        variants = parse_variants(data.get("variants"))
    except (TypeError, ValueError) as err:
        raise web.HTTPBadRequest(text=str(err)) from err
    sim.scenario.variants = variants
    sim.log(f"variants: {', '.join(sorted(variants)) or 'none'}")
    return json_reply({"variants": sorted(variants)})


async def control_expire(request: web.Request) -> web.Response:
    """POST /control/tokens/expire {kind: access|refresh}."""
    sim = request.app[SIMULATOR_KEY]
    kind = (await _json(request)).get("kind", "access")
    if kind == "refresh":
        sim.expire_refresh_tokens()
    elif kind == "access":
        sim.expire_access_tokens()
    else:
        raise web.HTTPBadRequest(text="kind must be access or refresh")
    return json_reply({"ok": True})


async def control_faults(request: web.Request) -> web.Response:
    """POST /control/faults {api: {...}, push: {...}, records: {...}}; DELETE clears.

    `records` spoils downloads of recordings: {status, size, delay, chunked, chunk,
    count} (see `RecordFault`); null clears it.
    """
    sim = request.app[SIMULATOR_KEY]
    if request.method == "DELETE":
        sim.faults.clear()
        return json_reply({"ok": True})
    data = await _json(request)
    api_fault, push = data.get("api"), data.get("push")
    if "records" in data:
        records = data["records"]
        if records is not None and not _valid_record_fault(records):
            raise web.HTTPBadRequest(
                text="records: {status: int, size: bytes, delay: seconds, "
                "chunked: bool, chunk: bytes, count: int|null} or null"
            )
        sim.faults.record = None if records is None else RecordFault(**records)
    if api_fault is not None and not _valid_api_fault(api_fault):
        raise web.HTTPBadRequest(
            text="api: {status: int, html: bool, timeout: seconds, "
            "count: int|null, methods: [names]|null}"
        )
    if push is not None and not _valid_push_fault(push):
        raise web.HTTPBadRequest(
            text="push: {delay: seconds, duplicate: bool, reorder: bool, drop: bool}"
        )
    if api_fault:
        sim.faults.set_api_fault(
            **{
                k: api_fault[k]
                for k in ("methods", "status", "html", "timeout", "count")
                if k in api_fault
            }
        )
    if push:
        for key in ("delay", "duplicate", "reorder", "drop"):
            if key in push:
                setattr(sim.faults.push, key, push[key])
    return json_reply(
        {
            "api": None
            if sim.faults.api is None
            else {
                "methods": sorted(sim.faults.api.methods or []) or None,
                "status": sim.faults.api.status,
                "html": sim.faults.api.html,
                "timeout": sim.faults.api.timeout,
                "count": sim.faults.api.count,
            },
            "push": {
                "delay": sim.faults.push.delay,
                "duplicate": sim.faults.push.duplicate,
                "reorder": sim.faults.push.reorder,
                "drop": sim.faults.push.drop,
            },
            "records": None
            if sim.faults.record is None
            else dataclasses.asdict(sim.faults.record),
        }
    )


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _valid_api_fault(fault: Any) -> bool:
    if not isinstance(fault, dict):
        return False
    status, count, methods = (
        fault.get("status"),
        fault.get("count"),
        fault.get("methods"),
    )
    timeout = fault.get("timeout")
    return (
        (status is None or (type(status) is int and 100 <= status <= 599))
        and isinstance(fault.get("html", False), bool)
        and (timeout is None or (_number(timeout) and timeout >= 0))
        and (count is None or (type(count) is int and count >= 0))
        and (
            methods is None
            or (isinstance(methods, list) and all(isinstance(m, str) for m in methods))
        )
    )


def _valid_record_fault(fault: Any) -> bool:
    if not isinstance(fault, dict) or not set(fault) <= RECORD_FAULT_KEYS:
        return False
    status, size, count = fault.get("status"), fault.get("size"), fault.get("count")
    chunk, delay = fault.get("chunk", 4096), fault.get("delay", 0)
    return (
        (status is None or (type(status) is int and 100 <= status <= 599))
        and (size is None or (type(size) is int and size >= 0))
        and (count is None or (type(count) is int and count >= 0))
        and type(chunk) is int
        and chunk > 0
        and _number(delay)
        and delay >= 0
        and isinstance(fault.get("chunked", False), bool)
    )


RECORD_FAULT_KEYS = {field.name for field in dataclasses.fields(RecordFault)}


def _valid_push_fault(fault: Any) -> bool:
    return (
        isinstance(fault, dict)
        and _number(fault.get("delay", 0))
        and fault.get("delay", 0) >= 0
        and all(
            isinstance(fault.get(k, False), bool)
            for k in ("duplicate", "reorder", "drop")
        )
    )


SCRIPTS_KEY: web.AppKey[set[asyncio.Task[None]]] = web.AppKey("scripts", set)


def create_app(scenario: Scenario, *, base_url: str = "") -> web.Application:
    """The whole simulator as one aiohttp application.

    `base_url` is the simulator's own address (links to recordings); by default it
    is learnt from the first request.
    """
    app = web.Application(middlewares=[faults_middleware])
    sim = Simulator(scenario)
    sim.base_url = base_url.rstrip("/")
    app[SIMULATOR_KEY] = sim
    app[SCRIPTS_KEY] = set()

    async def on_startup(app: web.Application) -> None:
        await sim.start(sim.base_url)

    async def on_cleanup(app: web.Application) -> None:
        for task in app[SCRIPTS_KEY]:
            task.cancel()
        await asyncio.gather(*app[SCRIPTS_KEY], return_exceptions=True)
        await sim.stop()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_get("/oauth/authorize", authorize_page)
    app.router.add_post("/oauth/authorize", authorize_submit)
    app.router.add_post("/oauth/token", token)
    app.router.add_get("/externalNumbersInfo", api(external_numbers))
    app.router.add_get("/workPlacesInfo", api(workplaces))
    app.router.add_get("/workplacesInfo", api(workplaces))
    app.router.add_get("/terminalsInfo", api(terminals))
    app.router.add_post("/makeCall", api(make_call))
    app.router.add_post("/transferCall", api(transfer_call))
    app.router.add_post("/terminateCall", api(terminate_call))
    app.router.add_post("/setParkingNumbers", api(set_parking))
    app.router.add_get("/records/{record}.mp3", record)
    app.router.add_post("/control/clients", control_clients)
    app.router.add_get("/control/state", control_state)
    app.router.add_get("/control/timings", control_timings)
    app.router.add_post("/control/calls/incoming", control_incoming)
    app.router.add_post("/control/calls/{call_id}/answer", control_answer)
    app.router.add_post("/control/calls/{call_id}/hangup", control_hangup)
    app.router.add_put("/control/directory", control_directory)
    app.router.add_put("/control/variants", control_variants)
    app.router.add_post("/control/tokens/expire", control_expire)
    app.router.add_post("/control/faults", control_faults)
    app.router.add_delete("/control/faults", control_faults)
    return app
