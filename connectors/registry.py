"""Connector kinds by name, as platform configurations refer to them."""

from __future__ import annotations

from connectors.base import Connector
from connectors.errors import ConnectorError
from connectors.kolibri import KolibriConnector
from connectors.moodle import MoodleConnector
from connectors.rest_json import RestJsonConnector
from connectors.spreadsheet import SpreadsheetConnector
from connectors.xapi import XapiConnector

KINDS: dict[str, type[Connector]] = {
    cls.kind: cls
    for cls in (
        RestJsonConnector,
        MoodleConnector,
        XapiConnector,
        SpreadsheetConnector,
        KolibriConnector,
    )
}


def connector_for(kind: str) -> type[Connector]:
    """The connector class for `kind`; ConnectorError naming the known kinds if there is none."""
    try:
        return KINDS[kind]
    except KeyError:
        known = ", ".join(sorted(KINDS))
        raise ConnectorError(f"unknown connector kind {kind!r} (known: {known})") from None
