"""A simulator of the MTT Business Open API, built strictly from its documentation.

One aiohttp application serves the OAuth server, the REST API, a call engine that
pushes notifications to `<Redirect URI>/events`, and a control API. The integration
never imports this package; its tests and `scripts/develop` run it.
"""
