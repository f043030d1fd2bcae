"""Unified domain model of the Training Data Hub: enums, identifiers, canonical records, tables."""
