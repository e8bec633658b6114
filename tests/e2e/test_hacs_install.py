"""The integration as HACS installs it: from the release zip, into a fresh config.

Builds `mtt_business.zip` with `scripts/release_zip`, the very script the release
workflow (.github/workflows/release.yml) attaches it with, and checks what it holds:
everything the integration needs (its modules, manifest, translations, services,
icons, brand images and the calls card) and nothing it does not (tests, Python's
caches). Then unpacks it into `<config>/custom_components/mtt_business/`, as HACS
does with a `zip_release` (hacs.json), in a configuration that has no link to this
repository, starts a real `hass` and the simulator, signs in as a browser would, and
sees the installed copy at work: the entry loaded with its devices, the card and the
brand icon served byte for byte from the zip, the translations, the actions' fields
and the icons read from it.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
import shutil
import subprocess
import zipfile

import aiohttp
import pytest
from running_instance import RunningInstance

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "mtt_business"
NEEDED = {
    "__init__.py",
    "manifest.json",
    "config_flow.py",
    "api/__init__.py",
    "calls/__init__.py",
    "services.yaml",
    "icons.json",
    "strings.json",
    "translations/en.json",
    "translations/ru.json",
    "brand/icon.png",
    "brand/icon@2x.png",
    "frontend/mtt-business-card.js",
}
NOT_NEEDED = ("tests/", "__pycache__/", ".pyc", ".pyo", "_cache/", ".coverage")


def _build_zip(folder: Path) -> Path:
    """The release zip, built as the release workflow builds it."""
    target = folder / "release" / "mtt_business.zip"
    subprocess.run(  # noqa: S603  (our script)
        ["bash", str(ROOT / "scripts" / "release_zip"), str(target)],  # noqa: S607
        check=True,
        capture_output=True,
    )
    return target


def _tracked_modules() -> set[str]:
    """The integration's Python modules, as git knows them (none may be missing)."""
    listed = subprocess.run(
        ["git", "ls-files", "--", "."],  # noqa: S607
        cwd=INTEGRATION,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    return {name for name in listed if name.endswith(".py")}


def test_the_zip_holds_what_the_integration_needs(tmp_path: Path) -> None:
    """Everything at the zip's root, each needed file in it, no test, no cache."""
    # A cache as a run of the tests leaves it: it must stay out of the zip.
    cache = INTEGRATION / "__pycache__"
    cache.mkdir(exist_ok=True)
    (cache / "zip_probe.cpython-314.pyc").write_bytes(b"")
    try:
        with zipfile.ZipFile(_build_zip(tmp_path)) as archive:
            names = {name for name in archive.namelist() if not name.endswith("/")}
    finally:
        (cache / "zip_probe.cpython-314.pyc").unlink()
    assert names >= NEEDED, NEEDED - names
    assert names >= _tracked_modules(), _tracked_modules() - names
    assert [n for n in names if any(part in n for part in NOT_NEEDED)] == []
    assert not any(name.startswith("custom_components/") for name in names)
    manifest = json.loads((INTEGRATION / "manifest.json").read_text())
    hacs = json.loads((ROOT / "hacs.json").read_text())
    assert hacs["zip_release"] is True
    assert hacs["filename"] == f"{manifest['domain']}.zip"


def _install_from(zip_file: Path) -> Callable[[Path], None]:
    def _install(config_dir: Path) -> None:
        """HACS: unpack the release's zip into custom_components/<domain>/."""
        target = config_dir / "custom_components" / "mtt_business"
        if target.is_symlink():  # the development link dev_instance makes
            target.unlink()
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        with zipfile.ZipFile(zip_file) as archive:
            archive.extractall(target)

    return _install


@pytest.mark.timeout(300)
async def test_installed_from_the_zip_signs_in(
    tmp_path: Path, socket_enabled: None
) -> None:
    """A fresh configuration with the unpacked zip: sign in, devices, card, texts."""
    zip_file = _build_zip(tmp_path)
    running = RunningInstance(tmp_path, customize=_install_from(zip_file))
    async with running, aiohttp.ClientSession() as session:
        assert running.instance is not None
        installed = Path(running.instance.config_dir) / "custom_components"
        assert not (installed / "mtt_business").is_symlink()
        await running.login(session)
        result = await running.add_integration(session)
        assert result["type"] == "create_entry", result
        entry = result["result"]
        assert entry["state"] == "loaded"
        devices = await running.websocket(
            session, {"type": "config/device_registry/list"}
        )
        assert entry["title"] in {
            d["name"] for d in devices if entry["entry_id"] in d["config_entries"]
        }

        with zipfile.ZipFile(zip_file) as archive:
            card = archive.read("frontend/mtt-business-card.js")
            icon = archive.read("brand/icon.png")
        async with session.get(
            f"{running.ha_url}/mtt_business/frontend/mtt-business-card.js"
        ) as response:
            assert response.status == 200
            assert await response.read() == card
        async with session.get(
            f"{running.ha_url}/api/brands/integration/mtt_business/icon.png",
            headers=running.headers(),
        ) as response:
            assert response.status == 200
            assert await response.read() == icon

        texts = await running.websocket(
            session,
            {
                "type": "frontend/get_translations",
                "language": "ru",
                "category": "config",
                "integration": ["mtt_business"],
            },
        )
        ours = {k: v for k, v in texts["resources"].items() if ".mtt_business." in k}
        assert ours, "no Russian texts of the config flow"
        async with session.get(
            f"{running.ha_url}/api/services", headers=running.headers()
        ) as response:
            services = {s["domain"]: s["services"] for s in await response.json()}
        assert set(services["mtt_business"]) >= {"make_call", "transfer_call"}
        assert services["mtt_business"]["make_call"]["fields"]
        icons = await running.websocket(
            session,
            {
                "type": "frontend/get_icons",
                "category": "services",
                "integration": "mtt_business",
            },
        )
        assert icons["resources"]["mtt_business"]

    log = (tmp_path / "homeassistant.log").read_text()
    assert "custom integration mtt_business" in log
    assert "Traceback" not in log
