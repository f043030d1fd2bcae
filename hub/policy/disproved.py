"""What confirmed alerts prove false, as SQL the amounts exclude.

A reviewer who confirms an alert (see hub/supervision/alerts.py) agrees that the records it
names are not what they claim: the sessions a session rule names stop counting as credited
hours, the certificate of a confirmed CERTIFICATE_BEFORE_TRAINING stops proving a qualification
(the sessions that alert lists are its evidence, not false), and a person whose identity a rule
disproves (IDENTITY_MISMATCH, or an altered name, ID number or category) stops counting at all.
ONLINE_SHARE_EXCEEDED disproves nothing: the online cap already limits what counts.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from hub.supervision.alerts import CONFIRMED
from schema.tables import Alert, AlertRecord, Trainee

# Rules whose confirmation proves the sessions they name false.
SESSION_RULES = (
    "OVERLAPPING_SESSIONS",
    "DAILY_HOURS_EXCEEDED",
    "SESSION_OUTSIDE_CLASS",
    "NOT_ON_ROSTER",
    "RETROACTIVE_CHANGE",
    "DURATION_MISMATCH",
    "BULK_FABRICATION",
)
CERTIFICATE_RULES = ("CERTIFICATE_BEFORE_TRAINING",)
IDENTITY_RULES = ("IDENTITY_MISMATCH", "RETROACTIVE_CHANGE")


def _named(record_type: str, rules: tuple[str, ...]) -> Select:
    return (
        select(AlertRecord.row_id)
        .join(Alert, Alert.id == AlertRecord.alert_id)
        .where(
            Alert.status == CONFIRMED,
            Alert.rule.in_(rules),
            AlertRecord.record_type == record_type,
        )
    )


def disproved_sessions() -> Select:
    """Ids of learning sessions named by a confirmed alert of a session rule."""
    return _named("session", SESSION_RULES)


def disproved_certificates() -> Select:
    """Ids of certificates named by a confirmed CERTIFICATE_BEFORE_TRAINING."""
    return _named("certificate", CERTIFICATE_RULES)


def disproved_persons() -> Select:
    """Ids of persons whose identity a confirmed alert disproves (its trainee records, or the
    person of a confirmed IDENTITY_MISMATCH)."""
    by_record = select(Trainee.person_id).where(Trainee.id.in_(_named("trainee", IDENTITY_RULES)))
    by_rule = select(Alert.person_id).where(
        Alert.status == CONFIRMED,
        Alert.rule == "IDENTITY_MISMATCH",
        Alert.person_id.is_not(None),
    )
    return by_record.union(by_rule)  # type: ignore[return-value]
