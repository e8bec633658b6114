"""`calls/` and `api/` as libraries: neither imports anything from Home Assistant.

Every module of a package is imported in a fresh Python in which `homeassistant`
cannot be imported (a meta path finder refuses it), from a folder that holds only
that package and what it may need (`calls/` needs its sibling `api/`) under a parent
package without code: as the package would be published, with no integration around
it. An import of Home Assistant, or of any other module of the integration, fails
there.
"""

from __future__ import annotations

from pathlib import Path
import subprocess
import sys

import pytest

INTEGRATION = Path(__file__).resolve().parents[2] / "custom_components" / "mtt_business"
LIBRARY = "mtt_business_library"
"""The parent package the probe imports the packages from (no code of its own)."""

PROBE = """
import importlib
import importlib.abc
import pkgutil
import sys


class NoHomeAssistant(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "homeassistant":
            raise ModuleNotFoundError(f"{name} may not be imported", name=name)
        return None


sys.meta_path.insert(0, NoHomeAssistant())
sys.path.insert(0, sys.argv[1])
package = importlib.import_module(sys.argv[2])
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
    print(info.name)
loaded = [name for name in sys.modules if name.split(".")[0] == "homeassistant"]
assert not loaded, loaded
"""


def _library(folder: Path, packages: dict[str, Path]) -> Path:
    """A folder holding `LIBRARY` with exactly `packages` (links to their folders)."""
    parent = folder / LIBRARY
    parent.mkdir(parents=True)
    (parent / "__init__.py").write_text("")
    for name, source in packages.items():
        (parent / name).symlink_to(source, target_is_directory=True)
    return folder


def _probe(folder: Path, package: str) -> subprocess.CompletedProcess[str]:
    """Import every module of `LIBRARY.package` with Home Assistant refused."""
    return subprocess.run(  # noqa: S603
        [sys.executable, "-I", "-B", "-c", PROBE, str(folder), f"{LIBRARY}.{package}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("package", "needs"), [("api", ()), ("calls", ("api",))], ids=["api", "calls"]
)
def test_the_package_imports_nothing_from_home_assistant(
    tmp_path: Path, package: str, needs: tuple[str, ...]
) -> None:
    folder = _library(
        tmp_path, {name: INTEGRATION / name for name in (package, *needs)}
    )
    probe = _probe(folder, package)
    assert probe.returncode == 0, probe.stderr
    modules = {
        f"{LIBRARY}.{package}.{path.stem}"
        for path in (INTEGRATION / package).glob("*.py")
    }
    modules.discard(f"{LIBRARY}.{package}.__init__")
    assert set(probe.stdout.split()) == modules


def test_the_probe_refuses_home_assistant(tmp_path: Path) -> None:
    """A package that imports Home Assistant fails the probe (the probe can fail)."""
    package = tmp_path / "sources" / "uses_hass"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "helper.py").write_text("from homeassistant.const import STATE_ON\n")
    probe = _probe(_library(tmp_path / "library", {"uses_hass": package}), "uses_hass")
    assert probe.returncode != 0
    assert "ModuleNotFoundError: homeassistant may not be imported" in probe.stderr
