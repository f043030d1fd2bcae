"""GraphQL for the ledger domain."""
