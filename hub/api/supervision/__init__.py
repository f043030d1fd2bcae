"""GraphQL for supervision: fraud alerts, their review, and the ledger status."""
