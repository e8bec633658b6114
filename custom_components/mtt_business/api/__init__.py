"""Typed async client of the MTT Business Open API.

It imports nothing from Home Assistant; it needs aiohttp and orjson (which Home
Assistant ships).
"""

from .auth import AbstractAuth
from .client import MttBusinessClient
from .errors import (
    AuthenticationError,
    InvalidNotificationError,
    InvalidResponseError,
    MttBusinessError,
    RequestRejectedError,
    ServiceUnavailableError,
    TokenRefreshError,
)
from .notifications import parse_notification, parse_notification_body

__all__ = [
    "AbstractAuth",
    "AuthenticationError",
    "InvalidNotificationError",
    "InvalidResponseError",
    "MttBusinessClient",
    "MttBusinessError",
    "RequestRejectedError",
    "ServiceUnavailableError",
    "TokenRefreshError",
    "parse_notification",
    "parse_notification_body",
]
