"""Shared test set-up.

The project's `custom_components` package is imported before the first `hass`
fixture, so that Home Assistant finds our integration and not the empty
`custom_components` package of pytest-homeassistant-custom-component.
"""

from __future__ import annotations

import custom_components  # noqa: F401  (see above)
