"""GraphQL of the registers: organisations, platforms' details, the public catalogue."""
