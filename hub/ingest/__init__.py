"""Ingestion: canonical records in, validated, resolved to persons, upserted with history."""

from hub.ingest.pipeline import Ingestor
from hub.ingest.stats import IngestStats, StreamStats

__all__ = ["IngestStats", "Ingestor", "StreamStats"]
