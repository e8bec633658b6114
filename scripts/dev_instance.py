"""A ready-to-use Home Assistant configuration pointed at the MTT simulator.

Used by `scripts/develop`, the end-to-end test and the benchmarks; runs with the
project's virtual environment (it asks Home Assistant for its HTTP settings schema).

`prepare` writes a configuration folder in which onboarding is done, a user exists,
the integration is loaded from the working tree (through a `custom_components` link)
and pointed at the simulator, the Redirect URI secret is fixed, an application
credential for the simulator's demo client exists, Home Assistant's media folder
(where archived recordings go) is inside the folder and a "Calls" dashboard with the
calls card is in the sidebar. `register` tells a running simulator about that client,
as a user would in the MTT portal. `added` says whether the integration has been
added in that folder (exit status 0) or not (1).
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, dataclass
import json
from pathlib import Path
import secrets
import subprocess
import sys
import urllib.request

ROOT = Path(__file__).resolve().parent.parent
DEMO_CLIENT_ID = "3f0c2b7e-5d8a-4c1e-9b6f-2a7d4e8c1f05"
DEMO_CLIENT_SECRET = "dEmOsEcReTkEy0123456789"
CREDENTIAL_ID = "mtt_business_simulator_demo"
CONFIG_DOMAINS = (
    "frontend",
    "config",
    "logbook",
    "history",
    "application_credentials",
    "logger",
)
"""The integrations `configuration.yaml` names (besides mtt_business)."""
LANGUAGES = ("en", "ru")
DASHBOARD_URL_PATH = "mtt-calls"
"""The demo's dashboard with the calls card (Settings → Dashboards can change it)."""
DASHBOARD_TITLES = {"en": "Calls", "ru": "Звонки"}


@dataclass(frozen=True)
class DevInstance:
    """What a prepared configuration folder holds."""

    config_dir: str
    ha_url: str
    simulator_url: str
    redirect_uri: str
    username: str
    password: str
    client_id: str = DEMO_CLIENT_ID
    client_secret: str = DEMO_CLIENT_SECRET


def _storage(key: str, data: object, version: int = 1, minor_version: int = 1) -> str:
    return json.dumps(
        {"version": version, "minor_version": minor_version, "key": key, "data": data},
        indent=2,
    )


def _write_core_config(storage: Path, ha_url: str, language: str | None) -> str:
    """Home Assistant's core settings, in its storage rather than in YAML.

    Returns the language in force.
    """
    store = storage / "core.config"
    data: dict[str, object] = {
        "latitude": 55.7558,
        "longitude": 37.6173,
        "elevation": 150,
        "unit_system_v2": "metric",
        "location_name": "MTT Business demo",
        "time_zone": "Europe/Moscow",
        "currency": "RUB",
        "country": "RU",
        "language": "en",
        "radius": 100,
    }
    if store.exists():
        data.update(json.loads(store.read_text())["data"])
    data["external_url"] = ha_url
    data["internal_url"] = ha_url
    if language is not None:
        data["language"] = language
    store.write_text(_storage("core.config", data, minor_version=4))
    return str(data["language"])


def _write_calls_dashboard(storage: Path, language: str, *, retitle: bool) -> None:
    """A "Calls" dashboard in the sidebar, with the calls card, in storage mode.

    Written into a configuration that has no dashboards yet (a fresh one), so that
    one changed or deleted in the UI stays so. `retitle` (an explicit `--language`)
    names it in that language, if it still has one of the names given here.
    """
    dashboards = storage / "lovelace_dashboards"
    view_store = storage / f"lovelace.{DASHBOARD_URL_PATH}"
    title = DASHBOARD_TITLES.get(language, DASHBOARD_TITLES["en"])
    if not dashboards.exists():
        item = {
            "id": DASHBOARD_URL_PATH,
            "url_path": DASHBOARD_URL_PATH,
            "title": title,
            "icon": "mdi:phone-in-talk",
            "show_in_sidebar": True,
            "require_admin": False,
            "mode": "storage",
        }
        dashboards.write_text(_storage("lovelace_dashboards", {"items": [item]}))
        view = {
            "title": title,
            "path": "calls",
            "type": "sections",
            "max_columns": 2,
            "sections": [
                {
                    "type": "grid",
                    "cards": [
                        {
                            "type": "custom:mtt-business-card",
                            # The dashboard's name is the heading already.
                            "title": "",
                            "show_workplaces": True,
                            "show_call_form": True,
                            "grid_options": {"columns": "full"},
                        }
                    ],
                    "column_span": 2,
                }
            ],
        }
        view_store.write_text(
            _storage(f"lovelace.{DASHBOARD_URL_PATH}", {"config": {"views": [view]}})
        )
        return
    if not retitle:
        return
    ours = set(DASHBOARD_TITLES.values())
    stored = json.loads(dashboards.read_text())
    for item in stored["data"].get("items", []):
        if item.get("url_path") == DASHBOARD_URL_PATH and item.get("title") in ours:
            item["title"] = title
            dashboards.write_text(json.dumps(stored, indent=2))
    if view_store.exists():
        stored = json.loads(view_store.read_text())
        views = (stored["data"].get("config") or {}).get("views", [])
        if views and views[0].get("title") in ours:
            views[0]["title"] = title
            view_store.write_text(json.dumps(stored, indent=2))


def integration_added(config_dir: Path) -> bool:
    """Whether MTT Business has been added (has a config entry) in this folder."""
    entries = config_dir / ".storage" / "core.config_entries"
    if not entries.exists():
        return False
    data = json.loads(entries.read_text())["data"]
    return any(entry.get("domain") == "mtt_business" for entry in data["entries"])


def prepare(
    config_dir: Path,
    *,
    ha_port: int = 8123,
    simulator_port: int = 8124,
    username: str = "demo",
    password: str = "demo",  # noqa: S107  (a local development login)
    language: str | None = None,
) -> DevInstance:
    """Write (or refresh) a development configuration folder.

    `language` sets Home Assistant's language (`en`, `ru`); without it the folder
    keeps the one it has (English at first), also when changed in the UI.
    """
    config_dir.mkdir(parents=True, exist_ok=True)
    storage = config_dir / ".storage"
    storage.mkdir(exist_ok=True)
    ha_url = f"http://localhost:{ha_port}"
    simulator_url = f"http://127.0.0.1:{simulator_port}"
    media = (config_dir / "media").resolve()
    media.mkdir(exist_ok=True)

    (config_dir / "configuration.yaml").write_text(
        "# Written by scripts/dev_instance.py: a development instance on the simulator.\n"
        "# The core settings (name, language, time zone, URLs) are in .storage/core.config\n"
        "# so that Settings → System → General can change them.\n"
        "homeassistant:\n"
        "  # The media folder (My media; archived recordings) is in this folder, not in\n"
        "  # /media, which Home Assistant takes when it runs in a container.\n"
        "  media_dirs:\n"
        f"    local: {json.dumps(str(media))}\n"
        + "".join(
            f"{domain}:\n"
            for domain in CONFIG_DOMAINS
            if domain not in ("logbook", "logger")
        )
        + f"""# The logbook as a default install has it: one line per call step.
logbook:
logger:
  default: warning
  logs:
    # What it does (routing decisions) and warnings, not every push (debug).
    custom_components.mtt_business: info

# Development only: the provider's endpoints are the simulator's.
mtt_business:
  oauth_url: {simulator_url}
  api_url: {simulator_url}
"""
    )
    in_force = _write_core_config(storage, ha_url, language)
    _write_calls_dashboard(storage, in_force, retitle=language is not None)

    components = config_dir / "custom_components"
    if not components.exists():
        components.mkdir()
    link = components / "mtt_business"
    if not link.is_symlink():
        link.symlink_to(ROOT / "custom_components" / "mtt_business")

    # Home Assistant 2026.10 keeps the HTTP settings in storage: a `http:` block in
    # YAML becomes a "pending" trial that restarts Home Assistant after 5 minutes
    # unless a person confirms it. So the settings are written as confirmed.
    try:
        from homeassistant.components.http.config import (  # noqa: PLC0415
            HTTP_STORAGE_SCHEMA,
        )
    except ImportError:  # older releases (2026.6) read them from YAML, unconfirmed
        HTTP_STORAGE_SCHEMA = dict  # noqa: N806  (the storage is then left unread)
        with (config_dir / "configuration.yaml").open("a") as yaml:
            yaml.write(f"http:\n  server_host: 127.0.0.1\n  server_port: {ha_port}\n")

    stable = {
        **HTTP_STORAGE_SCHEMA({"server_host": ["127.0.0.1"], "server_port": ha_port}),
        "created_at": "2026-01-01T00:00:00+00:00",
        "error": None,
        "error_message": None,
    }
    (storage / "http").write_text(
        _storage(
            "http",
            {"stable": stable, "pending": None, "yaml_migration_done": True},
            version=2,
            minor_version=2,
        )
    )

    redirect_store = storage / "mtt_business.redirect_uri"
    if redirect_store.exists():
        secret = json.loads(redirect_store.read_text())["data"]["secret"]
    else:
        secret = secrets.token_urlsafe(24)
        redirect_store.write_text(
            _storage("mtt_business.redirect_uri", {"secret": secret})
        )

    onboarding = storage / "onboarding"
    if not onboarding.exists():
        onboarding.write_text(
            _storage(
                "onboarding",
                {"done": ["user", "core_config", "analytics", "integration"]},
                version=4,
            )
        )

    credentials = storage / "application_credentials"
    if not credentials.exists():
        credentials.write_text(
            _storage(
                "application_credentials",
                {
                    "items": [
                        {
                            "id": CREDENTIAL_ID,
                            "domain": "mtt_business",
                            "client_id": DEMO_CLIENT_ID,
                            "client_secret": DEMO_CLIENT_SECRET,
                            "name": "MTT simulator demo",
                        }
                    ]
                },
            )
        )

    provider = storage / "auth_provider.homeassistant"
    known = provider.exists() and any(
        user.get("username") == username
        for user in json.loads(provider.read_text())["data"].get("users", [])
    )
    if not known:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "homeassistant",
                "--script",
                "auth",
                "--config",
                str(config_dir),
                "add",
                username,
                password,
            ],
            check=True,
            capture_output=True,
        )

    return DevInstance(
        config_dir=str(config_dir),
        ha_url=ha_url,
        simulator_url=simulator_url,
        redirect_uri=f"{ha_url}/api/mtt_business/{secret}",
        username=username,
        password=password,
    )


def register(instance: DevInstance) -> None:
    """Register the demo client with the running simulator (the portal's step)."""
    body = json.dumps(
        {
            "name": "Home Assistant (development)",
            "redirect_uri": instance.redirect_uri,
            "client_id": instance.client_id,
            "client_secret": instance.client_secret,
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310  (loopback)
        f"{instance.simulator_url}/control/clients",
        data=body,
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        response.read()


def main() -> None:
    """`prepare` prints the instance as JSON; `register` reads it back."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("command", choices=["prepare", "register", "added"])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--ha-port", type=int, default=8123)
    parser.add_argument("--simulator-port", type=int, default=8124)
    parser.add_argument("--language", choices=LANGUAGES)
    args = parser.parse_args()
    if args.command == "added":
        sys.exit(0 if integration_added(args.config) else 1)
    instance = prepare(
        args.config,
        ha_port=args.ha_port,
        simulator_port=args.simulator_port,
        language=args.language,
    )
    if args.command == "prepare":
        print(json.dumps(asdict(instance)))
    else:
        register(instance)


if __name__ == "__main__":
    main()
