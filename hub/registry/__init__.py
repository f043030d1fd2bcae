"""The hub's own registers: organisations, platforms' names and URLs, the published catalogue."""
