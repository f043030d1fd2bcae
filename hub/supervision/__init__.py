"""Supervision: fraud rules over the whole dataset, their alerts, and the tamper-evident ledger."""
