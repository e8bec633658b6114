"""The throughput benchmark's Home Assistant configuration, in every mode.

Built from the development configuration (scripts/dev_instance.py) as data; Home
Assistant's own configuration check reads what the benchmark writes.
"""

from __future__ import annotations

from pathlib import Path
import sys

from homeassistant.core import HomeAssistant
from homeassistant.helpers.check_config import async_check_ha_config_file
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import push_throughput  # noqa: E402

MODES = {
    "recorder on": (True, None),
    "recorder on, commit interval": (True, 1),
    "recorder off": (False, None),
}


@pytest.fixture(scope="module")
def development_config(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The development configuration.yaml as scripts/dev_instance.py writes it."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from dev_instance import prepare

    folder = tmp_path_factory.mktemp("dev") / "config"
    prepare(folder)
    return (folder / "configuration.yaml").read_text()


@pytest.mark.parametrize("mode", MODES)
async def test_written_configuration_is_valid(
    hass: HomeAssistant,
    enable_custom_integrations: None,
    tmp_path: Path,
    development_config: str,
    mode: str,
) -> None:
    """What the benchmark writes passes Home Assistant's configuration check."""
    recorder, commit_interval = MODES[mode]
    hass.config.config_dir = str(tmp_path)
    (tmp_path / "configuration.yaml").write_text(development_config)
    push_throughput.production_like(recorder, commit_interval)(tmp_path)
    written = yaml.safe_load((tmp_path / "configuration.yaml").read_text())

    result = await async_check_ha_config_file(hass)

    assert result.errors == [], [str(error) for error in result.errors]
    # bench_bare is written into the benchmark's folder, which the test's Home
    # Assistant does not load custom integrations from; every other key is checked.
    assert [str(w.message) for w in result.warnings] == [
        "Integration error: bench_bare - Integration 'bench_bare' not found."
    ]
    assert written["logger"]["logs"]["custom_components.mtt_business"] == "warning"
    assert "bench_bare" in written
    assert "mtt_business" in result
    for domain in ("frontend", "config", "application_credentials"):
        assert domain in result
        assert result[domain] in (None, {}), (domain, result[domain])
    loads_recorder = {"recorder", "history", "logbook"} & set(result)
    if recorder:
        assert {"history", "logbook"} <= loads_recorder
    else:
        assert loads_recorder == set()
    if commit_interval is not None:
        assert result["recorder"]["commit_interval"] == commit_interval


def test_config_problems_are_found_in_the_log() -> None:
    """The lines that make the benchmark fail, and only those."""
    lines = [
        (
            "2026-12-07 02:00:00.000 INFO (MainThread) [homeassistant.setup] Setting"
            " up application_credentials"
        ),
        (
            "2026-12-07 02:00:00.100 ERROR (MainThread) [homeassistant.setup] The"
            " application_credentials integration does not support any configuration"
            " parameters, got [{'exclude': {'entities': ['sensor.x']}}]. Please"
            " remove the configuration parameters from your configuration."
        ),
        (
            "2026-12-07 02:00:00.200 ERROR (MainThread) [homeassistant.config]"
            " Invalid config for 'logbook' at configuration.yaml, line 9"
        ),
        (
            "2026-12-07 02:00:00.300 ERROR (MainThread) [homeassistant.setup] Setup"
            " failed for 'bench_bare': Integration failed to initialize."
        ),
        (
            "2026-12-07 02:00:01.000 WARNING (MainThread) [homeassistant.loader] We"
            " found a custom integration mtt_business which has not been tested"
        ),
    ]
    log = "\n".join(lines)

    problems = push_throughput.config_problems(log)

    assert [line[24:29] for line in problems] == ["ERROR"] * 3
    assert "does not support any configuration parameters" in problems[0]
    assert push_throughput.config_problems(lines[-1]) == []
