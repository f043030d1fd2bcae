"""GraphQL for the claims domain."""
