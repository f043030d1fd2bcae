"""Seeds a provisioned Kolibri with users, classes, memberships and learner logs.

Runs INSIDE Kolibri's own environment (`kolibri manage shell -c "exec(open(PATH).read())"`,
with KOLIBRI_SEED naming a JSON spec), because Kolibri's packaged `generateuserdata` needs
test helpers the wheel does not ship and content channels that cannot be imported offline.
Log rows need no content: a log only names its content by id.
"""

import json
import os

from dateutil import parser
from kolibri.core.auth.models import Classroom, Facility, FacilityUser, Membership
from kolibri.core.logger.models import ContentSessionLog, ContentSummaryLog

with open(os.environ["KOLIBRI_SEED"], encoding="utf-8") as spec_file:
    spec = json.load(spec_file)
facility = Facility.get_default_facility()
users = {u.username: u for u in FacilityUser.objects.filter(facility=facility)}
for entry in spec["users"]:
    user = FacilityUser(
        username=entry["username"],
        full_name=entry["full_name"],
        id_number=entry.get("id_number", ""),
        facility=facility,
    )
    user.set_password(entry["password"])
    user.save()
    users[entry["username"]] = user
for entry in spec["classes"]:
    classroom = Classroom.objects.create(name=entry["name"], parent=facility)
    for username in entry["members"]:
        Membership.objects.create(user=users[username], collection=classroom)
for model, key in ((ContentSessionLog, "sessions"), (ContentSummaryLog, "summaries")):
    for entry in spec[key]:
        values = dict(entry)
        values["user"] = users[values.pop("username")]
        for field in ("start_timestamp", "end_timestamp", "completion_timestamp"):
            if values.get(field):
                values[field] = parser.isoparse(values[field])
        model.objects.create(**values)
# Changes a facility admin or a device sync makes later (all optional in the spec).
for old, new in spec.get("rename", {}).items():
    users[old].username = new
    users[old].save()
    users[new] = users.pop(old)
for username, id_number in spec.get("id_numbers", {}).items():
    users[username].id_number = id_number
    users[username].save()
for username, classroom_name in spec.get("move", {}).items():
    # A coach moves a learner to another classroom: the old membership is deleted.
    Membership.objects.filter(user=users[username], collection__kind="classroom").delete()
    Membership.objects.create(
        user=users[username], collection=Classroom.objects.get(name=classroom_name)
    )
for entry in spec.get("summary_updates", []):
    values = dict(entry)
    user, content_id = users[values.pop("username")], values.pop("content_id")
    if values.get("completion_timestamp"):
        values["completion_timestamp"] = parser.isoparse(values["completion_timestamp"])
    for log in ContentSummaryLog.objects.filter(user=user, content_id=content_id):
        for field, value in values.items():
            setattr(log, field, value)
        log.save()
print("seeded", len(users), "users")
