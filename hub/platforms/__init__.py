"""Platforms and organisations: registration, lookup, filing status."""
