"""Who is calling (tokens -> principal) and what they may see (principal -> SQL predicates)."""
