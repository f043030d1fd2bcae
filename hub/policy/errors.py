"""Domain errors of the policy workflows; the API maps each to a GraphQL error code."""

from __future__ import annotations


class PolicyError(Exception):
    """Base of every error a workflow step raises on purpose."""


class NotInScope(PolicyError):
    """The target does not exist or lies outside the caller's scope (indistinguishable on purpose)."""


class StepForbidden(PolicyError):
    """The caller's role may not take this step."""


class PolicyViolation(PolicyError):
    """The input or the target's state breaks a rule of the notices."""
