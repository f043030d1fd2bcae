"""GraphQL for the learning domain."""
