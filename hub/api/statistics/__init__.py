"""Region-wide statistics."""
