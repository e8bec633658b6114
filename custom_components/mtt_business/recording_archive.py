"""Recordings of calls archived in Home Assistant's media folder (opt-in per entry).

MTT keeps a call's recording 90 days. With the entry's option `archive_recordings`
on, the recording the `recorded` push links to is downloaded into Home Assistant's
media folder (the "local" media directory, else `<config>/media`):

    mtt_business/<YYYY-MM-DD>/<HH-MM-SS>_<caller>_<call id>.mp3

(the local date and time the call started; only letters, digits, `.`, `_` and `-`
in the name); the download's task gives that path, which the call history writes
into the call journal. The download streams to a
hidden `.….part` file beside it, written chunk by chunk off the event loop, and is
renamed only when complete: a file with the recording's name is always whole.

A recording larger than 50 MiB, or served as anything but audio or binary data, is
not kept (the download stops, the partial file is deleted). A recording the provider no longer has (404, 410) or refuses (another 4xx)
is not asked for again; a 5xx, 429, time-out or broken connection is retried after
30 s, 2 min and 10 min, then given up (logged once). Downloads run as background
tasks of the entry: unloading it cancels them, and a cancelled download leaves no
file behind.

Only links that `url_guard` allows are fetched: `https`, to public addresses only
(checked on each address connected to), at most 3 redirects, each checked the same
way (the simulator's own origin when `configuration.yaml` names one). Any other link
is refused at once, with one log line naming the link's scheme and host, and not
asked for again; the journal keeps MTT's link either way.

Archived recordings are served at `/api/mtt_business/recordings/<YYYY-MM-DD>/<file>`
to signed-in users and to signed links (what a media player is given), from Home
Assistant's start, so that a link given before a restart still plays.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
import contextlib
import io
import logging
from pathlib import Path
import re
from typing import Final

import aiohttp
from aiohttp import hdrs, web
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.http import KEY_HASS, HomeAssistantView
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .data import MttBusinessConfigEntry
from .journal_record import JournalRecord
from .url_guard import LinkFetcher, RefusedLinkError, async_get_fetcher

_LOGGER = logging.getLogger(__name__)

CONF_ARCHIVE_RECORDINGS: Final = "archive_recordings"
"""Entry option: archive recordings (default off)."""
ARCHIVE_FOLDER: Final = DOMAIN
"""The archive's folder in the media folder."""
MAX_BYTES: Final = 50 * 1024 * 1024
RETRY_DELAYS: Final = (30.0, 120.0, 600.0)
"""Seconds before each new attempt after a failure that may pass."""
TIMEOUT: Final = aiohttp.ClientTimeout(total=None, sock_connect=15, sock_read=60)
READ_SIZE: Final = 64 * 1024
MIME_TYPE: Final = "audio/mpeg"
BINARY_TYPES: Final = frozenset({"application/octet-stream", "binary/octet-stream"})
"""Besides audio/*, what a recording may be served as (a push names the link, and
pushes are not authenticated: a web page or JSON is not kept as a recording)."""
RECORDINGS_URL: Final = "/api/mtt_business/recordings"

_UNSAFE = re.compile(r"[^0-9A-Za-z._-]+")
_DOTS = re.compile(r"\.{2,}")
_RECORDING = re.compile(
    rf"{ARCHIVE_FOLDER}/\d{{4}}-\d{{2}}-\d{{2}}/[0-9A-Za-z_-][0-9A-Za-z._-]*\.mp3"
)


def media_folder(hass: HomeAssistant) -> Path:
    """Home Assistant's media folder: the "local" media directory, else config/media."""
    local = hass.config.media_dirs.get("local")
    return Path(local) if local else Path(hass.config.path("media"))


def _safe(text: str, limit: int) -> str:
    return _DOTS.sub(".", _UNSAFE.sub("_", text)).strip("._-")[:limit] or "unknown"


def recording_name(record: JournalRecord) -> str:
    """Where a call's recording is archived, in the media folder."""
    started = dt_util.as_local(record.started)
    return (
        f"{ARCHIVE_FOLDER}/{started:%Y-%m-%d}/{started:%H-%M-%S}_"
        f"{_safe(record.caller or 'unknown', 32)}_{_safe(record.call_id, 96)}.mp3"
    )


def recording_file(hass: HomeAssistant, recording: str) -> Path | None:
    """The file of an archived recording; None for a path that is not one."""
    if not _RECORDING.fullmatch(recording) or ".." in recording:
        return None
    return media_folder(hass) / recording


class _DownloadError(Exception):
    """A download that did not give the recording."""

    def __init__(self, reason: str, *, again: bool) -> None:
        super().__init__(reason)
        self.again = again
        """Whether a later attempt may succeed."""


class RecordingArchive:
    """Downloads of the recordings of one entry's calls."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        *,
        fetcher: LinkFetcher | None = None,
        retry_delays: Sequence[float] = RETRY_DELAYS,
        max_bytes: int = MAX_BYTES,
        timeout: aiohttp.ClientTimeout = TIMEOUT,
    ) -> None:
        """Archive through `fetcher` (by default Home Assistant's one)."""
        self._hass = hass
        self._entry_id = entry_id
        self._fetcher = fetcher or async_get_fetcher(hass)
        self._retry_delays = tuple(retry_delays)
        self._max_bytes = max_bytes
        self._timeout = timeout
        self._pending: set[str] = set()
        """Calls whose recording is being archived."""

    @callback
    def async_archive_in_background(
        self, entry: MttBusinessConfigEntry, record: JournalRecord
    ) -> asyncio.Task[str | None] | None:
        """Archive a call's recording, if the entry archives recordings: the download.

        The download is a background task of the entry (cancelled when it unloads)
        whose result is `async_archive`'s: the recording's media path, or None.
        None instead of a task for a call without a link, one archived already or
        being archived, or when the entry does not archive recordings.
        """
        call_id = record.call_id
        if (
            not entry.options.get(CONF_ARCHIVE_RECORDINGS, False)
            or not record.record_url
            or record.recording is not None
            or call_id in self._pending
        ):
            return None
        self._pending.add(call_id)
        download = entry.async_create_background_task(
            self._hass,
            self.async_archive(record),
            f"{self._entry_id} archive recording {call_id}",
        )
        # Added before the caller's callbacks, which run right after it with nothing
        # in between: no push handled meanwhile downloads a recording just archived.
        download.add_done_callback(lambda _: self._pending.discard(call_id))
        return download

    async def async_archive(self, record: JournalRecord) -> str | None:
        """Download a call's recording into the media folder; its media path.

        None when the call has no link, or the recording could not be kept (gone,
        refused, too large, or failing at every attempt).
        """
        url = record.record_url
        if not url:
            return None
        recording = recording_name(record)
        target = media_folder(self._hass) / recording
        for attempt, delay in enumerate((*self._retry_delays, None), start=1):
            try:
                await self._async_download(url, target)
            except _DownloadError as err:
                if not err.again:
                    _LOGGER.warning(
                        "The recording of call %s is not archived: %s",
                        record.call_id,
                        err,
                    )
                    return None
                if delay is None:
                    _LOGGER.warning(
                        "The recording of call %s is not archived: %s at each of %s "
                        "attempts",
                        record.call_id,
                        err,
                        attempt,
                    )
                    return None
                _LOGGER.debug(
                    "Archiving the recording of call %s failed (%s); trying again "
                    "in %s s",
                    record.call_id,
                    err,
                    delay,
                )
                await asyncio.sleep(delay)
            else:
                _LOGGER.debug("Archived the recording of call %s", record.call_id)
                return recording
        raise AssertionError("unreachable")  # pragma: no cover

    async def _async_download(self, url: str, target: Path) -> None:
        """Stream the recording into `target`, whole or not at all."""
        try:
            async with self._fetcher.async_get(url, timeout=self._timeout) as response:
                status = response.status
                if status in (404, 410):
                    raise _DownloadError(
                        f"MTT no longer has it (HTTP {status})", again=False
                    )
                if status >= 500 or status == 429:
                    raise _DownloadError(f"HTTP {status}", again=True)
                if status >= 400:
                    raise _DownloadError(f"HTTP {status}", again=False)
                kind = response.content_type  # application/octet-stream if none
                if not kind.startswith("audio/") and kind not in BINARY_TYPES:
                    raise _DownloadError(f"not a recording: {kind}", again=False)
                length = response.content_length
                if length is not None and length > self._max_bytes:
                    raise self._too_large(length)
                await self._async_save(response.content, target)
        except RefusedLinkError as err:
            raise _DownloadError(f"the link is refused: {err}", again=False) from err
        except (aiohttp.ClientError, TimeoutError) as err:
            raise _DownloadError(repr(err), again=True) from err

    async def _async_save(self, content: aiohttp.StreamReader, target: Path) -> None:
        add_job = self._hass.async_add_executor_job
        part = target.with_name(f".{target.name}.part")
        file = await add_job(_open_part, part)
        try:
            await self._async_write(content, file)
            await add_job(_complete, file, part, target)
        except BaseException:
            await add_job(_discard, file, part)
            raise

    async def _async_write(
        self, content: aiohttp.StreamReader, file: io.BufferedWriter
    ) -> None:
        size = 0
        async for chunk in content.iter_chunked(READ_SIZE):
            size += len(chunk)
            if size > self._max_bytes:
                raise self._too_large(size)
            await self._hass.async_add_executor_job(file.write, chunk)

    def _too_large(self, size: int) -> _DownloadError:
        return _DownloadError(
            f"larger than {self._max_bytes} bytes ({size} at least)", again=False
        )


def _open_part(part: Path) -> io.BufferedWriter:
    part.parent.mkdir(parents=True, exist_ok=True)
    return part.open("wb")


def _complete(file: io.BufferedWriter, part: Path, target: Path) -> None:
    file.close()
    part.replace(target)


def _discard(file: io.BufferedWriter, part: Path) -> None:
    """Delete a partial download (and its day's folder, if nothing else is in it)."""
    file.close()
    part.unlink(missing_ok=True)
    with contextlib.suppress(OSError):  # the folder holds other recordings
        part.parent.rmdir()


class RecordingView(HomeAssistantView):
    """Archived recordings, to signed-in users and signed links (media players)."""

    url = RECORDINGS_URL + "/{day}/{name}"
    name = "api:mtt_business:recording"

    async def get(
        self, request: web.Request, day: str, name: str
    ) -> web.StreamResponse:
        """The mp3 of an archived recording."""
        hass = request.app[KEY_HASS]
        path = recording_file(hass, f"{ARCHIVE_FOLDER}/{day}/{name}")
        if path is None or not await hass.async_add_executor_job(path.is_file):
            raise web.HTTPNotFound
        return web.FileResponse(path, headers={hdrs.CONTENT_TYPE: MIME_TYPE})
