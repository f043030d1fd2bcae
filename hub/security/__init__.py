"""Protection of personal data at rest."""
