"""scripts/apt_archive: the machine's own Debian archive, in the suite setup asks for.

Run as scripts/setup runs it, on apt folders written here in both formats a machine
may have (deb822 `.sources` files, the one-line `sources.list`). The archives named
are made up: a mirror of an office, not any real archive.
"""

from __future__ import annotations

import os
from pathlib import Path
import subprocess

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "apt_archive"
MIRROR = "http://mirror.office.example/debian"
KEYRING = "/usr/share/keyrings/office-mirror.gpg"


def _run(
    etc: Path, suite: str = "forky", **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k != "MTT_BUSINESS_DEBIAN_ARCHIVE"
    }
    return subprocess.run(  # noqa: S603  (our script, with the test's folder)
        ["bash", str(SCRIPT), suite, str(etc)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
        env=environment | env,
    )


def _apt(
    tmp_path: Path,
    *,
    sources: dict[str, str] | None = None,
    lists: dict[str, str] | None = None,
) -> Path:
    etc = tmp_path / "apt"
    (etc / "sources.list.d").mkdir(parents=True)
    for name, text in (sources or {}).items():
        (etc / "sources.list.d" / name).write_text(text)
    for name, text in (lists or {}).items():
        target = etc / name if name == "sources.list" else etc / "sources.list.d" / name
        target.write_text(text)
    return etc


DEB822 = f"""\
Types: deb
# the security archive comes first here, and is not the one taken
URIs: {MIRROR}-security
Suites: bookworm-security
Components: main
Signed-By: {KEYRING}

Types: deb-src
URIs: http://sources.office.example/debian
Suites: bookworm
Components: main

Enabled: no
Types: deb
URIs: http://disabled.office.example/debian
Suites: bookworm
Components: main

Types: deb
# a comment inside the entry
URIs: {MIRROR}
  http://second.office.example/debian
Suites: bookworm-updates bookworm
Components: main contrib non-free-firmware
Signed-By: {KEYRING}
"""

ONE_LINE = f"""\
# the machine's sources
deb http://security.office.example/debian-security bookworm-security main
deb-src {MIRROR} bookworm main
deb [arch=amd64 signed-by={KEYRING}] {MIRROR} bookworm main contrib # the archive
deb http://later.office.example/debian bookworm main
"""


def test_deb822_sources(tmp_path: Path) -> None:
    """The release suite's entry: its first URI and keyring, the suite replaced."""
    result = _run(_apt(tmp_path, sources={"debian.sources": DEB822}))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"deb [signed-by={KEYRING}] {MIRROR} forky main\n"


def test_one_line_sources_list(tmp_path: Path) -> None:
    """No .sources file: the first `deb` line of sources.list with main, its options read."""
    result = _run(_apt(tmp_path, lists={"sources.list": ONE_LINE}))
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"deb [signed-by={KEYRING}] {MIRROR} forky main\n"


def test_one_line_in_sources_list_d(tmp_path: Path) -> None:
    """A `.list` file in sources.list.d counts as sources.list does."""
    result = _run(_apt(tmp_path, lists={"office.list": ONE_LINE}), "trixie")
    assert result.stdout == f"deb [signed-by={KEYRING}] {MIRROR} trixie main\n"


def test_deb822_first(tmp_path: Path) -> None:
    """A machine with both: the deb822 entry wins (apt's own default format)."""
    one_line = ONE_LINE.replace(MIRROR, "http://old.office.example/debian")
    etc = _apt(
        tmp_path, sources={"debian.sources": DEB822}, lists={"sources.list": one_line}
    )
    assert MIRROR in _run(etc).stdout


def test_inline_key_is_not_a_keyring_file(tmp_path: Path) -> None:
    """Signed-By with the key itself in it: a keyring file is looked for instead."""
    text = (
        f"Types: deb\nURIs: {MIRROR}\nSuites: bookworm\nComponents: main\n"
        "Signed-By:\n -----BEGIN PGP PUBLIC KEY BLOCK-----\n .\n mQINBF...\n"
    )
    line = _run(_apt(tmp_path, sources={"office.sources": text})).stdout
    assert line.endswith(f"] {MIRROR} forky main\n")
    assert "BEGIN" not in line
    options = line.split("[", 1)[1].split("]", 1)[0]
    assert (
        options == "trusted=yes" or Path(options.removeprefix("signed-by=")).is_file()
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        f"deb {MIRROR} bookworm-security main\n",
        f"deb {MIRROR} bookworm contrib\n",
        f"deb-src {MIRROR} bookworm main\n",
    ],
)
def test_no_debian_archive(tmp_path: Path, text: str) -> None:
    """Nothing to take: setup stops and says what to set, writes no line."""
    result = _run(_apt(tmp_path, lists={"sources.list": text}))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "MTT_BUSINESS_DEBIAN_ARCHIVE" in result.stderr


def test_the_archive_can_be_named(tmp_path: Path) -> None:
    """MTT_BUSINESS_DEBIAN_ARCHIVE: a machine whose apt has no Debian archive."""
    result = _run(_apt(tmp_path), MTT_BUSINESS_DEBIAN_ARCHIVE=MIRROR)
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith(f"] {MIRROR} forky main")
