"""A ready-to-use Home Assistant configuration pointed at the MTT simulator.

Used by `scripts/develop`, the end-to-end test and the benchmarks; runs with the
project's virtual environment (it asks Home Assistant for its HTTP settings schema).

`prepare` writes a configuration folder in which onboarding is done, a user exists,
the integration is loaded from the working tree (through a `custom_components` link)
and pointed at the simulator, the Redirect URI secret is fixed and an application
credential for the simulator's demo client exists. `register` tells a running
simulator about that client, as a user would in the MTT portal.
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


def _write_core_config(storage: Path, ha_url: str, language: str | None) -> None:
    """Home Assistant's core settings, in its storage rather than in YAML."""
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

    (config_dir / "configuration.yaml").write_text(
        "# Written by scripts/dev_instance.py: a development instance on the simulator.\n"
        "# The core settings (name, language, time zone, URLs) are in .storage/core.config\n"
        "# so that Settings → System → General can change them.\n"
        + "".join(
            f"{domain}:\n"
            for domain in CONFIG_DOMAINS
            if domain not in ("logbook", "logger")
        )
        + f"""# Each call step is one logbook line, the integration's (with the caller and
# the workplace): the Call event entities' own lines would repeat it for the PBX
# and for the workplace (README: Known limitations).
logbook:
  exclude:
    entity_globs:
      - event.*_call
logger:
  default: warning
  logs:
    custom_components.mtt_business: debug

# Development only: the provider's endpoints are the simulator's.
mtt_business:
  oauth_url: {simulator_url}
  api_url: {simulator_url}
"""
    )
    _write_core_config(storage, ha_url, language)

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
    parser.add_argument("command", choices=["prepare", "register"])
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--ha-port", type=int, default=8123)
    parser.add_argument("--simulator-port", type=int, default=8124)
    parser.add_argument("--language", choices=LANGUAGES)
    args = parser.parse_args()
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
