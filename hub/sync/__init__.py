"""Sync: pull platforms through their connectors, checkpointing each batch with its cursor."""
