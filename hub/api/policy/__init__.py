"""GraphQL for the policy workflows: filings, class openings, claims' steps, parameters, proofs."""
