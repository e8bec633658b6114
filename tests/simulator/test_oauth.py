"""The OAuth server (SPEC §1): the login page, codes, tokens and every refusal."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import re
import uuid

from yarl import URL

from mtt_simulator.__main__ import _keep_tokens
from mtt_simulator.browser import portal_sign_in
from mtt_simulator.oauth import OAuthServer
from mtt_simulator.scenario import Scenario

from .conftest import SCOPE, Rig

TOKEN_KEYS = {"access_token", "expires_in", "refresh_token", "scope", "token_type"}


def _code_form(rig: Rig, code: str, **override: str) -> dict[str, str]:
    return {
        "grant_type": "authorization_code",
        "client_id": rig.client.client_id,
        "client_secret": rig.client.client_secret,
        "code": code,
        "redirect_uri": rig.client.redirect_uri,
        "scope": SCOPE,
        **override,
    }


def _refresh_form(rig: Rig, refresh_token: str, **override: str) -> dict[str, str]:
    return {
        "grant_type": "refresh_token",
        "client_id": rig.client.client_id,
        "client_secret": rig.client.client_secret,
        "refresh_token": refresh_token,
        **override,
    }


async def _code(rig: Rig, state: str | None = "xyz") -> str:
    location = URL(
        await portal_sign_in(rig.session, rig.authorize_url(state), "demo", "demo")
    )
    return location.query["code"]


async def test_registered_client_looks_like_the_portals(bare_rig: Rig) -> None:
    client = bare_rig.sim.register_client("https://example.com/cb", name="CRM")
    assert str(uuid.UUID(client.client_id)) == client.client_id
    assert re.fullmatch(r"[A-Za-z]{22}", client.client_secret)
    other = bare_rig.sim.register_client("https://example.com/cb")
    assert (other.client_id, other.client_secret) != (
        client.client_id,
        client.client_secret,
    )
    fixed = bare_rig.sim.register_client(
        "https://example.com/x", client_id="id-1", client_secret="s" * 22
    )
    assert (fixed.client_id, fixed.client_secret) == ("id-1", "s" * 22)


async def test_login_page_and_redirect_with_code_and_state(bare_rig: Rig) -> None:
    rig = bare_rig
    async with rig.session.get(rig.authorize_url()) as response:
        assert response.status == 200
        assert response.content_type == "text/html"
        page = await response.text()
    for text in ('name="login"', 'name="password"', "Разрешить", "Allow", "Deny"):
        assert text in page
    assert 'type="hidden" name="state" value="xyz"' in page

    location = URL(
        await portal_sign_in(rig.session, rig.authorize_url(), "demo", "demo")
    )
    assert str(location.with_query(None)) == rig.client.redirect_uri
    assert set(location.query) == {"code", "state"}
    assert location.query["state"] == "xyz"
    assert location.query["code"]


async def test_state_is_echoed_only_if_given(bare_rig: Rig) -> None:
    location = URL(
        await portal_sign_in(
            bare_rig.session, bare_rig.authorize_url(None), "demo", "demo"
        )
    )
    assert set(location.query) == {"code"}


async def test_deny_redirects_with_access_denied(bare_rig: Rig) -> None:
    location = URL(
        await portal_sign_in(
            bare_rig.session, bare_rig.authorize_url(), "demo", "demo", allow=False
        )
    )
    assert dict(location.query) == {"error": "access_denied", "state": "xyz"}


async def test_wrong_password_shows_the_page_again(bare_rig: Rig) -> None:
    rig = bare_rig
    form = {
        "client_id": rig.client.client_id,
        "redirect_uri": rig.client.redirect_uri,
        "response_type": "code",
        "scope": SCOPE,
        "state": "xyz",
        "login": "demo",
        "password": "wrong",
        "decision": "allow",
    }
    async with rig.session.post(
        f"{rig.url}/oauth/authorize", data=form, allow_redirects=False
    ) as response:
        assert response.status == 200
        page = await response.text()
    assert "Неверный логин или пароль" in page
    assert 'name="password"' in page


async def test_authorize_refusals_never_redirect(bare_rig: Rig) -> None:
    rig = bare_rig
    cases = {
        "unknown client": {"client_id": str(uuid.uuid4())},
        "other redirect_uri": {"redirect_uri": "https://evil.example/cb"},
        "redirect_uri prefix": {"redirect_uri": rig.client.redirect_uri + "/x"},
        "response_type": {"response_type": "token"},
        "scope": {"scope": "https://mtt.ru/auth/openapi.readwrite"},
    }
    for case, override in cases.items():
        for method in ("GET", "POST"):
            url = rig.authorize_url(**override)
            if method == "GET":
                request = rig.session.get(url, allow_redirects=False)
            else:
                form = dict(URL(url).query) | {
                    "login": "demo",
                    "password": "demo",
                    "decision": "allow",
                }
                request = rig.session.post(
                    f"{rig.url}/oauth/authorize", data=form, allow_redirects=False
                )
            async with request as response:
                assert response.status == 400, (case, method)
                assert response.content_type == "text/html"
                assert "Location" not in response.headers


async def test_code_exchange_returns_the_documented_response(bare_rig: Rig) -> None:
    rig = bare_rig
    status, tokens = await rig.token(_code_form(rig, await _code(rig)))
    assert status == 200
    assert set(tokens) == TOKEN_KEYS
    assert tokens["expires_in"] == 7200
    assert tokens["token_type"] == "Bearer"
    # the documented mismatch: not the scope that was requested
    assert tokens["scope"] == "https://mtt.ru/auth/openapi.readwrite"
    assert tokens["access_token"] != tokens["refresh_token"]
    status, _ = await rig.api(
        "GET", "/externalNumbersInfo", token=tokens["access_token"]
    )
    assert status == 200


async def test_scope_is_optional_in_the_code_exchange(bare_rig: Rig) -> None:
    form = _code_form(bare_rig, await _code(bare_rig))
    del form["scope"]
    status, tokens = await bare_rig.token(form)
    assert status == 200
    assert set(tokens) == TOKEN_KEYS


async def test_code_refusals(bare_rig: Rig) -> None:
    rig = bare_rig
    other = rig.sim.register_client(rig.client.redirect_uri)
    code = await _code(rig)
    # another client may not redeem it (and the attempt burns it)
    status, body = await rig.token(
        _code_form(
            rig, code, client_id=other.client_id, client_secret=other.client_secret
        )
    )
    assert (status, body) == (400, {"error": "invalid_grant"})
    status, body = await rig.token(_code_form(rig, code))
    assert (status, body) == (400, {"error": "invalid_grant"})

    code = await _code(rig)
    status, body = await rig.token(
        _code_form(rig, code, redirect_uri="https://elsewhere.example/cb")
    )
    assert (status, body) == (400, {"error": "invalid_grant"})

    code = await _code(rig)
    status, _ = await rig.token(_code_form(rig, code))
    assert status == 200
    status, body = await rig.token(_code_form(rig, code))  # reused
    assert (status, body) == (400, {"error": "invalid_grant"})

    status, body = await rig.token(_code_form(rig, "never-issued"))
    assert (status, body) == (400, {"error": "invalid_grant"})


async def test_code_expires(bare_rig: Rig) -> None:
    rig = bare_rig
    rig.sim.oauth.code_lifetime = 0.05
    code = await _code(rig)
    await asyncio.sleep(0.1)
    status, body = await rig.token(_code_form(rig, code))
    assert (status, body) == (400, {"error": "invalid_grant"})


async def test_client_and_request_refusals(rig: Rig) -> None:
    base = {
        "client_id": rig.client.client_id,
        "client_secret": rig.client.client_secret,
    }
    cases = [
        ({**base, "grant_type": "password"}, 400, "unsupported_grant_type"),
        ({**base, "grant_type": "client_credentials"}, 400, "unsupported_grant_type"),
        (base, 400, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "x"}, 400, "invalid_request"),
        (
            {**base, "client_secret": "nope", "grant_type": "refresh_token"},
            401,
            "invalid_client",
        ),
        (
            {
                **base,
                "client_id": str(uuid.uuid4()),
                "grant_type": "refresh_token",
                "refresh_token": rig.refresh_token,
            },
            401,
            "invalid_client",
        ),
        ({**base, "grant_type": "refresh_token"}, 400, "invalid_request"),
        ({**base, "grant_type": "authorization_code"}, 400, "invalid_request"),
        (
            {**base, "grant_type": "authorization_code", "code": "x"},
            400,
            "invalid_request",
        ),
        (
            {**base, "grant_type": "refresh_token", "refresh_token": "unknown"},
            400,
            "invalid_grant",
        ),
    ]
    for form, status, error in cases:
        assert await rig.token(form) == (status, {"error": error}), form
    # a JSON body is not a form: nothing is read from it
    async with rig.session.post(
        f"{rig.url}/oauth/token",
        json=_refresh_form(rig, rig.refresh_token),
    ) as response:
        assert response.status == 400
        assert await response.json() == {"error": "invalid_request"}
    # the refusals above did not spend the refresh token
    status, _ = await rig.token(_refresh_form(rig, rig.refresh_token))
    assert status == 200


async def test_refresh_rotates_the_refresh_token(rig: Rig) -> None:
    first_access = rig.access_token
    status, tokens = await rig.token(_refresh_form(rig, rig.refresh_token))
    assert status == 200
    assert set(tokens) == TOKEN_KEYS
    assert tokens["expires_in"] == 7200
    assert tokens["refresh_token"] != rig.refresh_token
    assert tokens["access_token"] != first_access
    # the old refresh token is gone, the new one works
    assert await rig.token(_refresh_form(rig, rig.refresh_token)) == (
        400,
        {"error": "invalid_grant"},
    )
    status, again = await rig.token(_refresh_form(rig, tokens["refresh_token"]))
    assert status == 200
    status, _ = await rig.api("GET", "/terminalsInfo", token=again["access_token"])
    assert status == 200


async def test_refresh_token_of_another_client_is_refused(rig: Rig) -> None:
    other = rig.sim.register_client(rig.client.redirect_uri)
    status, body = await rig.token(
        _refresh_form(
            rig,
            rig.refresh_token,
            client_id=other.client_id,
            client_secret=other.client_secret,
        )
    )
    assert (status, body) == (400, {"error": "invalid_grant"})


async def test_expired_refresh_token_needs_a_new_sign_in(rig: Rig) -> None:
    rig.sim.expire_refresh_tokens()
    assert await rig.token(_refresh_form(rig, rig.refresh_token)) == (
        400,
        {"error": "invalid_grant"},
    )
    await rig.sign_in()
    status, _ = await rig.token(_refresh_form(rig, rig.refresh_token))
    assert status == 200


async def test_lifetimes_come_from_the_scenario(
    bare_rig: Rig, scenario: Scenario
) -> None:
    rig = bare_rig
    rig.sim.oauth.access_lifetime = 0.05
    rig.sim.oauth.refresh_lifetime = 0.05
    tokens = await rig.sign_in()
    assert tokens["expires_in"] == 0
    await asyncio.sleep(0.1)
    status, _ = await rig.api("GET", "/externalNumbersInfo")
    assert status == 401
    assert await rig.token(_refresh_form(rig, rig.refresh_token)) == (
        400,
        {"error": "invalid_grant"},
    )
    assert scenario.access_token_lifetime == 7200
    assert scenario.refresh_token_lifetime == 3 * 86400
    assert scenario.code_lifetime == 60


def test_tokens_survive_a_restart_through_the_state_file(tmp_path: Path) -> None:
    """`serve --state-file`: tokens are saved when issued and loaded at the next start."""
    path = tmp_path / "tokens.json"
    first = OAuthServer(access_lifetime=60, refresh_lifetime=600, code_lifetime=60)
    _keep_tokens(first, path)
    client = first.register_client("https://ha/cb", client_id="c", client_secret="s")
    code = first.issue_code(client)
    tokens = first.token(
        {
            "grant_type": "authorization_code",
            "client_id": "c",
            "client_secret": "s",
            "code": code,
            "redirect_uri": "https://ha/cb",
        }
    )
    assert path.exists()

    second = OAuthServer(access_lifetime=60, refresh_lifetime=600, code_lifetime=60)
    _keep_tokens(second, path)
    second.register_client("https://ha/cb", client_id="c", client_secret="s")
    assert second.access_valid(str(tokens["access_token"]))
    refreshed = second.token(
        {
            "grant_type": "refresh_token",
            "client_id": "c",
            "client_secret": "s",
            "refresh_token": str(tokens["refresh_token"]),
        }
    )
    assert refreshed["refresh_token"] != tokens["refresh_token"]
    second.expire_access_tokens()
    assert json.loads(path.read_text())["access"] == {}

    path.write_text("not json")
    third = OAuthServer(access_lifetime=60, refresh_lifetime=600, code_lifetime=60)
    _keep_tokens(third, path)
    assert not third.access_valid(str(refreshed["access_token"]))
