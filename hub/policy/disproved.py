"""What confirmed alerts prove false, as SQL the amounts exclude.

A reviewer who confirms an alert (see hub/supervision/alerts.py) agrees that the records it
names are not what they claim: the sessions it names stop counting as credited hours, a
certificate it names stops proving a qualification, and a person whose platform identity record
it names (altered name, ID number or category) stops counting at all.
"""

from __future__ import annotations

from sqlalchemy import Select, select

from hub.supervision.alerts import CONFIRMED
from schema.tables import Alert, AlertRecord, Trainee


def _named(record_type: str) -> Select:
    return (
        select(AlertRecord.row_id)
        .join(Alert, Alert.id == AlertRecord.alert_id)
        .where(Alert.status == CONFIRMED, AlertRecord.record_type == record_type)
    )


def disproved_sessions() -> Select:
    """Ids of learning sessions named by a confirmed alert."""
    return _named("session")


def disproved_certificates() -> Select:
    """Ids of certificates named by a confirmed alert."""
    return _named("certificate")


def disproved_persons() -> Select:
    """Ids of persons whose identity a confirmed alert disproves (its trainee records, or the
    person of a confirmed IDENTITY_MISMATCH)."""
    by_record = select(Trainee.person_id).where(Trainee.id.in_(_named("trainee")))
    by_rule = select(Alert.person_id).where(
        Alert.status == CONFIRMED,
        Alert.rule == "IDENTITY_MISMATCH",
        Alert.person_id.is_not(None),
    )
    return by_record.union(by_rule)  # type: ignore[return-value]
