"""Region-wide statistics: the fact definitions, the per-trainee roll-up and its queries."""
