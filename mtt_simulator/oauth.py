"""The OAuth 2.0 server of the simulator (SPEC §1): clients, codes and tokens."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
import secrets
import string
import time
from typing import Any
import uuid

SCOPE = "https://mtt.ru/auth.tokens.readwrite"
ANSWERED_SCOPE = "https://mtt.ru/auth/openapi.readwrite"
"""The documented token response carries another scope than the one requested."""


def _token() -> str:
    alphabet = string.ascii_uppercase + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(48))


@dataclass
class OAuthClient:
    """An integration created in the portal: its id, secret and Redirect URI."""

    client_id: str
    client_secret: str
    redirect_uri: str
    name: str = "Home Assistant"


@dataclass
class _Grant:
    client_id: str
    expires: float
    redirect_uri: str = ""


class OAuthError(Exception):
    """A refusal as an OAuth server words it (RFC 6749 §5.2)."""

    def __init__(self, error: str, status: int = 400) -> None:
        """Keep the error code and the HTTP status."""
        super().__init__(error)
        self.error = error
        self.status = status


class OAuthServer:
    """Clients, single-use codes, rotating refresh tokens, expiring access tokens."""

    def __init__(
        self, access_lifetime: float, refresh_lifetime: float, code_lifetime: float
    ) -> None:
        """Set the lifetimes (seconds)."""
        self.access_lifetime = access_lifetime
        self.refresh_lifetime = refresh_lifetime
        self.code_lifetime = code_lifetime
        self.clients: dict[str, OAuthClient] = {}
        self._codes: dict[str, _Grant] = {}
        self._refresh: dict[str, _Grant] = {}
        self._access: dict[str, float] = {}
        self.on_tokens_changed: Callable[[], None] | None = None
        """Called whenever tokens are issued or expired (to save them)."""

    def tokens_state(self) -> dict[str, Any]:
        """The live tokens, with wall-clock expiry, to survive a restart."""
        offset = time.time() - time.monotonic()
        return {
            "refresh": {
                token: {"client_id": grant.client_id, "expires": grant.expires + offset}
                for token, grant in self._refresh.items()
            },
            "access": {token: ends + offset for token, ends in self._access.items()},
        }

    def restore_tokens(self, state: dict[str, Any]) -> None:
        """Take back tokens saved by `tokens_state` (expired ones stay expired)."""
        offset = time.time() - time.monotonic()
        for token, grant in state.get("refresh", {}).items():
            self._refresh[token] = _Grant(grant["client_id"], grant["expires"] - offset)
        for token, ends in state.get("access", {}).items():
            self._access[token] = ends - offset

    def _changed(self) -> None:
        if self.on_tokens_changed is not None:
            self.on_tokens_changed()

    def register_client(
        self,
        redirect_uri: str,
        *,
        client_id: str | None = None,
        client_secret: str | None = None,
        name: str = "Home Assistant",
    ) -> OAuthClient:
        """The portal's "Create" and "Generate": a client id (UUID) and a secret."""
        alphabet = string.ascii_letters
        client = OAuthClient(
            client_id or str(uuid.uuid4()),
            client_secret or "".join(secrets.choice(alphabet) for _ in range(22)),
            redirect_uri,
            name,
        )
        self.clients[client.client_id] = client
        return client

    def issue_code(self, client: OAuthClient) -> str:
        """A sign-in succeeded: a short-lived single-use code."""
        code = _token()
        self._codes[code] = _Grant(
            client.client_id, time.monotonic() + self.code_lifetime, client.redirect_uri
        )
        return code

    def _client(self, client_id: str, client_secret: str) -> OAuthClient:
        client = self.clients.get(client_id)
        if client is None or not secrets.compare_digest(
            client.client_secret.encode(), client_secret.encode()
        ):
            raise OAuthError("invalid_client", 401)
        return client

    def _tokens(self, client_id: str) -> dict[str, object]:
        access, refresh = _token(), _token()
        now = time.monotonic()
        self._access[access] = now + self.access_lifetime
        self._refresh[refresh] = _Grant(client_id, now + self.refresh_lifetime)
        self._changed()
        return {
            "access_token": access,
            "expires_in": int(self.access_lifetime),
            "refresh_token": refresh,
            "scope": ANSWERED_SCOPE,
            "token_type": "Bearer",
        }

    def token(self, form: dict[str, str]) -> dict[str, object]:
        """The token endpoint: `authorization_code` or `refresh_token`."""
        grant_type = form.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request")
        if grant_type not in ("authorization_code", "refresh_token"):
            raise OAuthError("unsupported_grant_type")
        if "client_id" not in form or "client_secret" not in form:
            raise OAuthError("invalid_request")
        client = self._client(form["client_id"], form["client_secret"])
        now = time.monotonic()
        if grant_type == "authorization_code":
            if "code" not in form or "redirect_uri" not in form:
                raise OAuthError("invalid_request")
            grant = self._codes.pop(form["code"], None)
            if (
                grant is None
                or grant.expires < now
                or grant.client_id != client.client_id
                or grant.redirect_uri != form["redirect_uri"]
            ):
                raise OAuthError("invalid_grant")
            return self._tokens(client.client_id)
        if "refresh_token" not in form:
            raise OAuthError("invalid_request")
        grant = self._refresh.pop(form["refresh_token"], None)
        if grant is None or grant.expires < now or grant.client_id != client.client_id:
            raise OAuthError("invalid_grant")
        return self._tokens(client.client_id)

    def access_valid(self, token: str) -> bool:
        """Whether a Bearer token is known and not expired."""
        expires = self._access.get(token)
        return expires is not None and expires > time.monotonic()

    def expire_access_tokens(self) -> None:
        """Every access token expires now."""
        self._access.clear()
        self._changed()

    def expire_refresh_tokens(self) -> None:
        """Every refresh token expires now (3 days have passed)."""
        self._refresh.clear()
        self._changed()
