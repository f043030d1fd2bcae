"""GraphQL for platforms, organisations, regions, sync runs and quarantine."""
