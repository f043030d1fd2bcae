"""Connectors: pull each training platform's own format and translate it into canonical records.

A connector knows the platform's API and nothing of the hub's database: it yields `Batch`es of
canonical v1 dicts plus the stream cursor to persist once the hub has stored them.
"""
