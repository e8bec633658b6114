"""Signing in on the simulator's login page as a browser does.

Used by the tests, the end-to-end test and the benchmarks: fetch the authorize page,
fill in the form, press "Allow" (or "Deny"), and return the redirect's Location.
"""

from __future__ import annotations

from html.parser import HTMLParser

import aiohttp
from yarl import URL


class _FormParser(HTMLParser):
    """Collects the first form of a page: its action, inputs and submit buttons."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}
        self.buttons: list[tuple[str, str, str]] = []  # name, value, text
        self._button: list[str] | None = None
        self._in_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        if tag == "form" and self.action is None:
            self.action = values.get("action", "")
            self._in_form = True
        elif tag == "input" and self._in_form:
            kind = values.get("type", "text").lower()
            if kind == "submit":
                self.buttons.append(
                    (
                        values.get("name", ""),
                        values.get("value", ""),
                        values.get("value", ""),
                    )
                )
            elif name := values.get("name"):
                self.fields[name] = values.get("value", "")
        elif tag == "button" and self._in_form:
            self._button = [values.get("name", ""), values.get("value", ""), ""]

    def handle_data(self, data: str) -> None:
        if self._button is not None:
            self._button[2] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "button" and self._button is not None:
            name, value, text = self._button
            self.buttons.append((name, value, text.strip()))
            self._button = None
        elif tag == "form":
            self._in_form = False


async def portal_sign_in(
    session: aiohttp.ClientSession,
    authorize_url: str,
    login: str,
    password: str,
    *,
    allow: bool = True,
) -> str:
    """Fill in the simulator's login form; returns where it redirects the browser."""
    async with session.get(authorize_url) as response:
        response.raise_for_status()
        page = await response.text()
        page_url = response.url
    form = _FormParser()
    form.feed(page)
    data = dict(form.fields)
    for name in form.fields:
        lowered = name.lower()
        if "pass" in lowered:
            data[name] = password
        elif "login" in lowered or "user" in lowered:
            data[name] = login
    wanted = ("allow", "разреш") if allow else ("deny", "отклон")
    for name, value, text in form.buttons:
        if any(word in f"{value} {text}".lower() for word in wanted):
            if name:
                data[name] = value
            break
    else:
        raise RuntimeError(
            f"No {'allow' if allow else 'deny'} button in the login page"
        )
    action = page_url.join(URL(form.action or str(page_url)))
    async with session.post(action, data=data, allow_redirects=False) as response:
        if response.status not in (302, 303):
            raise RuntimeError(f"The login form answered {response.status}")
        return response.headers["Location"]
