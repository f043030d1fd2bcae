"""The GraphQL API: one schema composed of per-domain parts, every resolver scoped in SQL."""
