"""Endpoints and fixed values of the MTT Business Open API (SPEC §1–§3)."""

from typing import Final

DEFAULT_API_URL: Final = "https://openapi.mtt.ru"
DEFAULT_OAUTH_URL: Final = "https://oauth.mtt.ru"
AUTHORIZE_PATH: Final = "/oauth/authorize"
TOKEN_PATH: Final = "/oauth/token"  # noqa: S105  (a path, not a secret)
SCOPE: Final = "https://mtt.ru/auth.tokens.readwrite"
PARKING_WINDOW_SECONDS: Final = 5
