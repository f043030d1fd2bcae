"""Training Data Hub: ingest every platform's ledger, supervise it, serve it through GraphQL."""
