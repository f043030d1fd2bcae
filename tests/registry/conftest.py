"""The API client, tokens and the two-city dataset of the API tests."""

from tests.api.conftest import api, settings, token, two_cities  # noqa: F401  (shared fixtures)
