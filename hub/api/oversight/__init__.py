"""GraphQL for oversight of the hub itself: the log of unmasked personal-data reads."""
