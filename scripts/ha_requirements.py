"""Print the pinned requirements of the integrations a development `hass` sets up.

Used by `scripts/setup`. Home Assistant sets up its default integrations whatever
`configuration.yaml` says (among them the voice assistant's `assist_satellite`, which
needs `assist_pipeline` and so `pymicro-vad`, and `conversation`, which needs
`hassil`), plus the ones the development configuration names and their dependencies.
It would pip-install their requirements at run time; `scripts/develop` and the
end-to-end tests start it with `--skip-pip` instead, so that `scripts/setup` installs
them once, here, before anything runs. Prints one requirement a line, only the ones
not installed yet (`--all`: every one).
"""

from __future__ import annotations

import json
from pathlib import Path
import sys

from homeassistant import bootstrap, components
from homeassistant.util.package import is_installed

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dev_instance import CONFIG_DOMAINS

ROOT = Path(__file__).resolve().parent.parent


def requirements() -> list[str]:
    """The requirements of the set-up integrations and all they depend on."""
    builtin = Path(components.__file__).parent
    custom = ROOT / "custom_components"
    todo = set(bootstrap.DEFAULT_INTEGRATIONS) | set(CONFIG_DOMAINS) | {"mtt_business"}
    seen: set[str] = set()
    found: set[str] = set()
    while todo:
        domain = todo.pop()
        if domain in seen:
            continue
        seen.add(domain)
        for folder in (custom, builtin):
            manifest = folder / domain / "manifest.json"
            if manifest.exists():
                data = json.loads(manifest.read_text())
                todo.update(data.get("dependencies", []))
                todo.update(data.get("after_dependencies", []))
                found.update(data.get("requirements", []))
                break
    return sorted(found)


def main() -> None:
    """Print the requirements (missing ones only, unless `--all`)."""
    every = "--all" in sys.argv[1:]
    for requirement in requirements():
        if every or not is_installed(requirement):
            print(requirement)


if __name__ == "__main__":
    main()
