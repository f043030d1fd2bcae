"""Pushing records through the API: the `pushRecords` mutation and the bulk NDJSON route."""
