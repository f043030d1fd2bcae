"""GraphQL for the classes domain."""
