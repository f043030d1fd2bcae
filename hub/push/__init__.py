"""Pushes: platforms send canonical records to the hub instead of being pulled."""
