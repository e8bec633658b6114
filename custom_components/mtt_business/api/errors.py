"""Errors of the MTT Business API client."""

from __future__ import annotations


class MttBusinessError(Exception):
    """Any failure talking to MTT Business."""


class AuthenticationError(MttBusinessError):
    """The provider refused the access token (401 after a refresh, or 403)."""


class RequestRejectedError(MttBusinessError):
    """The provider refused the request (4xx or `success: 0`), with its message.

    `status` is the HTTP status of a 4xx, or 0 when a 2xx answer said `success: 0`.
    """

    def __init__(self, status: int, message: str) -> None:
        """Keep the HTTP status and the provider's message."""
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status
        self.message = message


class ServiceUnavailableError(MttBusinessError):
    """5xx, a timeout, a connection error or a body that is not the expected JSON."""


class TokenRefreshError(ServiceUnavailableError):
    """A new access token could not be had: the token endpoint failed or is unreachable.

    Temporary; a token refresh the provider refuses for good (the refresh token has
    expired) is an `AuthenticationError` instead.
    """


class InvalidResponseError(ServiceUnavailableError):
    """The provider answered 2xx with a body of an unusable shape."""


class InvalidNotificationError(ValueError):
    """A push that cannot be understood."""
