"""The simulated Moodle site's data in Moodle's own shapes (see moodle_app.py for the endpoint).

Canonical records become Moodle objects: each class a course (its curriculum in course custom
fields), each trainee a user (real-name data in custom profile fields), sessions rows of a
report-builder report, assessments a graded quiz whose completion state says passed or failed.
"""

from __future__ import annotations

import itertools
from datetime import date, datetime
from typing import Any

from connectors.moodle_mapping import SESSION_COLUMNS
from connectors.rest_json import SHANGHAI, format_local
from connectors.simulated.rest_json_app import (
    _IDENTITY,
    _LEVEL,
    _MODE,
    _STANDARD,
    SimulatedPlatform,
)

SESSION_REPORT_ID = 7
EXAM_CMID_BASE = 1000
STUDENT = {"roleid": 5, "name": "", "shortname": "student", "sortorder": 0}
GARBLED = frozenset({"trainee", "course", "class", "session", "assessment"})


def _listed(value: Any) -> list[Any]:
    """A PHP array argument ({"0": a, "1": b}) as a list in index order."""
    if isinstance(value, dict):
        return [value[k] for k in sorted(value, key=lambda k: int(k) if k.isdigit() else 0)]
    return [] if value is None else [value]


def _ts(value: Any) -> Any:
    """A canonical time or date as a Unix timestamp (dates at Shanghai midnight)."""
    if not isinstance(value, str):
        return value
    try:
        if len(value) == 10:
            return int(
                datetime.combine(
                    date.fromisoformat(value), datetime.min.time(), SHANGHAI
                ).timestamp()
            )
        return int(datetime.fromisoformat(value).timestamp())
    except ValueError:
        return value


class MoodleSite:
    """The site's data (a SimulatedPlatform of canonical records) in Moodle's shapes."""

    def __init__(
        self, platform: SimulatedPlatform, site_url: str = "https://moodle.example.cn"
    ) -> None:
        self.platform = platform
        self.site_url = site_url
        self._user_ids: dict[str, int] = {}
        self._course_ids: dict[str, int] = {}
        self._users = itertools.count(100)
        self._courses = itertools.count(2)  # course 1 is the site front page
        for t in self._records("trainee"):  # ids in the order the site got its users
            self.uid(t["source_id"])
        for k in self._records("class"):
            self.cid(k["source_id"])

    def uid(self, trainee: str) -> int:
        """The Moodle user id of a trainee source id (assigned on first sight)."""
        if trainee not in self._user_ids:
            self._user_ids[trainee] = next(self._users)
        return self._user_ids[trainee]

    def cid(self, klass: str) -> int:
        """The Moodle course id of a class source id (assigned on first sight)."""
        if klass not in self._course_ids:
            self._course_ids[klass] = next(self._courses)
        return self._course_ids[klass]

    def _records(self, kind: str) -> list[dict]:
        return [r for _, r in self.platform.window(kind, None)]

    def _bad(self, kind: str, record: dict) -> bool:
        return self.platform.is_malformed(kind, record["source_id"])

    def _revise_served(self, kind: str, source_ids: list[str]) -> None:
        faults = self.platform.faults
        for sid in source_ids[: max(0, faults.change_after_serve)]:
            faults.change_after_serve -= 1
            self.platform.revise(kind, sid)

    # -- users -----------------------------------------------------------------------------------

    def user(self, t: dict, full: bool = True) -> dict:
        uid = self.uid(t["source_id"])
        name = t.get("name") or ""
        user: dict[str, Any] = {
            "id": uid,
            "username": f"u{uid}",
            "firstname": name[1:],
            "lastname": name[:1],
            "fullname": f"{name[:1]} {name[1:]}",
            "email": f"u{uid}@example.cn",
            "firstaccess": 1583020800,
            "lastaccess": 1585699200,
            "profileimageurlsmall": f"{self.site_url}/theme/image.php/boost/core/1/u/f2",
            "profileimageurl": f"{self.site_url}/theme/image.php/boost/core/1/u/f1",
        }
        if not full:
            return user
        fields = {
            "idcard": (
                "身份证号",
                "15030219900101001?" if self._bad("trainee", t) else t.get("id_number"),
            ),
            "identitycategory": (
                "身份类别",
                _IDENTITY.get(t.get("identity_category"), t.get("identity_category")),
            ),
            "regioncode": ("所属地区", t.get("region_code")),
            "employercode": ("工作单位信用代码", t.get("employer_credit_code")),
        }
        user |= {
            "idnumber": "",
            "phone1": t.get("phone") or "",
            "auth": "manual",
            "suspended": False,
            "confirmed": True,
            "lang": "zh_cn",
            "theme": "",
            "timezone": "Asia/Shanghai",
            "mailformat": 1,
            "description": "",
            "descriptionformat": 1,
            "city": "",
            "country": "CN",
            "customfields": [
                {
                    "type": "text",
                    "value": v or "",
                    "displayvalue": v or "",
                    "name": n,
                    "shortname": s,
                }
                for s, (n, v) in fields.items()
            ],
        }
        return user

    def users_by_field(self, args: dict) -> list[dict]:
        if args.get("field") != "id":
            raise ValueError("only field=id is simulated")
        wanted = {int(v) for v in _listed(args.get("values"))}
        found = [t for t in self._records("trainee") if self.uid(t["source_id"]) in wanted]
        out = [self.user(t) for t in found]
        self._revise_served("trainee", [t["source_id"] for t in found])
        return out

    def enrolled_users(self, args: dict) -> list[dict]:
        cid = int(args["courseid"])
        options = {o.get("name"): o.get("value") for o in _listed(args.get("options"))}
        start, limit = int(options.get("limitfrom") or 0), int(options.get("limitnumber") or 0)
        if start > 0 and self.platform.faults.shift_next > 0:
            self.platform.faults.shift_next -= 1
            self._enrol_late(cid)
        trainees = {t["source_id"]: t for t in self._records("trainee")}
        rows = sorted(
            (self.uid(e["trainee_source_id"]), trainees[e["trainee_source_id"]])
            for e in self._records("enrolment")
            if self.cid(e["class_source_id"]) == cid and e["trainee_source_id"] in trainees
        )
        chosen = rows[start : start + limit] if limit else rows[start:]
        n = self.platform.faults.duplicate_items
        if n > 0:
            chosen = chosen + chosen[:n]
        klass = next((k for k in self._records("class") if self.cid(k["source_id"]) == cid), {})
        course = {
            "id": cid,
            "fullname": klass.get("name") or "",
            "shortname": klass.get("source_id"),
        }
        return [
            self.user(t, full=False)
            | {"roles": [STUDENT], "groups": [], "enrolledcourses": [course]}
            for _, t in chosen
        ]

    def _enrol_late(self, cid: int) -> None:
        """The shift fault: the not-yet-enrolled trainee with the lowest id joins mid-read."""
        klass = next((k for k in self._records("class") if self.cid(k["source_id"]) == cid), None)
        enrolled = {
            e["trainee_source_id"]
            for e in self._records("enrolment")
            if self.cid(e["class_source_id"]) == cid
        }
        others = [
            t["source_id"] for t in self._records("trainee") if t["source_id"] not in enrolled
        ]
        if klass is None or not others:
            return
        trainee = min(others, key=self.uid)
        late = {"type": "enrolment", "source_id": f"late-{cid}-{trainee}"}
        self.platform.upsert(
            late | {"class_source_id": klass["source_id"], "trainee_source_id": trainee}
        )

    # -- courses ---------------------------------------------------------------------------------

    def courses(self, args: dict) -> list[dict]:
        site = {"id": 1, "shortname": "技能学堂", "fullname": "职业技能线上学堂", "format": "site"}
        out = [
            site | {"categoryid": 0, "startdate": 0, "enddate": 0, "visible": 1, "customfields": []}
        ]
        for k in self._records("class"):
            try:
                c = self.platform.get("course", k.get("course_source_id"))
            except KeyError:
                c = {"source_id": k.get("course_source_id")}
            bad_course = "title" in c and self._bad("course", c)
            values = {
                "curriculum": c.get("source_id"),
                "coursetitle": c.get("title"),
                "occupation": c.get("occupation_name"),
                "occupationcode": c.get("occupation_code"),
                "skilllevel": _LEVEL.get(c.get("skill_level"), c.get("skill_level")),
                "totalhours": "四十学时" if bad_course else c.get("total_hours"),
                "onlinehours": c.get("online_hours"),
                "standard": _STANDARD.get(c.get("standard"), c.get("standard")),
                "organiser": k.get("organiser_credit_code"),
                "region": k.get("region_code"),
            }
            cid = self.cid(k["source_id"])
            out.append(
                {
                    "id": cid,
                    "shortname": k["source_id"],
                    "categoryid": 1,
                    "categorysortorder": 10000 + cid,
                    "fullname": k.get("name") or "",
                    "displayname": k.get("name") or "",
                    "idnumber": k["source_id"],
                    "summary": "",
                    "summaryformat": 1,
                    "format": "topics",
                    "showgrades": 1,
                    "startdate": _ts(k.get("starts_on")),
                    "enddate": "2020-13-45" if self._bad("class", k) else _ts(k.get("ends_on")),
                    "visible": 1,
                    "enablecompletion": 1,
                    "timecreated": 1582992000,
                    "timemodified": 1582992000,
                    "customfields": [
                        {
                            "name": n,
                            "shortname": n,
                            "type": "text",
                            "valueraw": "" if v is None else str(v),
                            "value": "" if v is None else str(v),
                        }
                        for n, v in values.items()
                    ],
                }
            )
        return out

    # -- grades and completion -------------------------------------------------------------------

    def _assessment(self, cid: int, uid: int) -> dict | None:
        for a in self._records("assessment"):
            if self.cid(a["class_source_id"]) == cid and self.uid(a["trainee_source_id"]) == uid:
                return a
        return None

    def grade_items(self, args: dict) -> dict:
        cid = int(args["courseid"])
        only = int(args.get("userid") or 0)
        users = []
        served = []
        trainees = {t["source_id"]: t for t in self._records("trainee")}
        for e in self._records("enrolment"):
            uid = self.uid(e["trainee_source_id"])
            if self.cid(e["class_source_id"]) != cid or (only and uid != only):
                continue
            a = self._assessment(cid, uid)
            raw = None if a is None else ("待定" if self._bad("assessment", a) else a.get("score"))
            when = None if a is None else _ts(a.get("assessed_at"))
            if a is not None:
                served.append(a["source_id"])
            item = {
                "id": 50 + cid, "itemname": "结业考核", "itemtype": "mod", "itemmodule": "quiz",
                "iteminstance": cid, "itemnumber": 0, "idnumber": "final_exam", "categoryid": 1,
                "outcomeid": None, "scaleid": None, "locked": False, "cmid": EXAM_CMID_BASE + cid,
                "graderaw": raw, "gradedatesubmitted": when, "gradedategraded": when,
                "gradehiddenbydate": False, "gradeneedsupdate": False, "gradeishidden": False,
                "gradeislocked": False, "gradeisoverridden": False,
                "gradeformatted": "-" if raw is None else str(raw), "grademin": 0, "grademax": 100,
                "rangeformatted": "0&ndash;100", "feedback": "", "feedbackformat": 0,
            }  # fmt: skip
            total = item | {"id": 49 + cid, "itemname": None, "itemtype": "course", "itemmodule": None, "idnumber": "", "cmid": None}  # fmt: skip
            t = trainees.get(e["trainee_source_id"], {})
            users.append(
                {
                    "courseid": cid,
                    "courseidnumber": "",
                    "userid": uid,
                    "userfullname": t.get("name"),
                    "useridnumber": "",
                    "maxdepth": 2,
                    "gradeitems": [item, total],
                }  # fmt: skip
            )
        self._revise_served("assessment", served)
        return {"usergrades": users, "warnings": []}

    def completion(self, args: dict) -> dict:
        cid, uid = int(args["courseid"]), int(args["userid"])
        a = self._assessment(cid, uid)
        state = 0 if a is None else (2 if a.get("passed") else 3)
        status = {
            "cmid": EXAM_CMID_BASE + cid, "modname": "quiz", "instance": cid, "state": state,
            "timecompleted": 0 if a is None else _ts(a.get("assessed_at")), "tracking": 2,
            "overrideby": None, "valueused": True, "hascompletion": True, "isautomatic": True,
            "istrackeduser": True, "uservisible": True, "details": [],
        }  # fmt: skip
        return {"statuses": [status], "warnings": []}

    # -- the session report ----------------------------------------------------------------------

    def report(self, args: dict) -> dict:
        if int(args.get("reportid") or 0) != SESSION_REPORT_ID:
            raise ValueError("no such report")
        page, perpage = int(args.get("page") or 0), int(args.get("perpage") or 0) or 30
        rows, total = self.platform.serve_rows("session", None, page * perpage, perpage)
        headers = list(SESSION_COLUMNS.values())
        out = []
        for when, s, bad in rows:
            seconds = s.get("reported_seconds")
            values = [
                s["source_id"],
                str(self.uid(s["trainee_source_id"])),
                str(self.cid(s["class_source_id"])),
                "昨天上午" if bad else format_local(datetime.fromisoformat(s["started_at"])),
                format_local(datetime.fromisoformat(s["ended_at"])),
                _MODE.get(s.get("mode"), s.get("mode")),
                "" if seconds is None else str(seconds),
                s.get("activity") or "",
                format_local(when),
            ]
            out.append({"columns": values})
        details = {
            "id": SESSION_REPORT_ID, "name": "学习记录（学时统计）", "source": "local_studytime\\reportbuilder\\datasource\\sessions",
            "type": 0, "uniquerows": False, "conditionstyle": 0,
        }  # fmt: skip
        return {
            "details": details,
            "data": {"headers": headers, "rows": out, "totalrowcount": total},
            "warnings": [],
        }

    def site_info(self, args: dict) -> dict:
        return {
            "sitename": "职业技能线上学堂", "username": "hubsync", "firstname": "数据", "lastname": "同步",
            "fullname": "同步 数据", "lang": "zh_cn", "userid": 2, "siteurl": self.site_url,
            "userpictureurl": "", "functions": [{"name": f, "version": "2022112800"} for f in FUNCTIONS],
            "downloadfiles": 1, "uploadfiles": 1, "release": "4.1.2 (Build: 20230313)",
            "version": "2022112802", "mobilecssurl": "", "advancedfeatures": [],
            "usercanmanageownfiles": True, "userquota": 0, "usermaxuploadfilesize": -1,
            "userhomepage": 1, "siteid": 1, "sitecalendartype": "gregorian", "theme": "boost",
        }  # fmt: skip

    # -- what the connector must deliver ---------------------------------------------------------

    def expected(self) -> dict[tuple[str, str], dict]:
        """The site's data as canonical records with Moodle ids (certificates excluded)."""
        out: dict[tuple[str, str], dict] = {}
        used_courses = {k.get("course_source_id") for k in self._records("class")}
        for (kind, sid), r in self.platform.canonical().items():
            key, record = self.rekey(kind, r)
            if kind == "certificate" or (kind == "course" and sid not in used_courses):
                continue
            out[key] = record
        return out

    def rekey(self, kind: str, r: dict) -> tuple[tuple[str, str], dict]:
        """One canonical record with the ids the connector gives it."""
        r = dict(r)
        if "trainee_source_id" in r:
            r["trainee_source_id"] = str(self.uid(r["trainee_source_id"]))
        if "class_source_id" in r:
            r["class_source_id"] = str(self.cid(r["class_source_id"]))
        if kind == "trainee":
            r["source_id"] = str(self.uid(r["source_id"]))
        elif kind == "class":
            r["source_id"] = str(self.cid(r["source_id"]))
        elif kind in ("enrolment", "assessment"):
            r["source_id"] = f"{r['class_source_id']}-{r['trainee_source_id']}"
            r.pop("enrolled_on", None)  # core_enrol_get_enrolled_users does not tell it
        return (kind, r["source_id"]), r

    def malformed(self) -> set[tuple[str, str]]:
        """Keys (as in expected()) of the records served with a garbled value."""
        return {
            self.rekey(kind, r)[0]
            for (kind, sid), r in self.platform.canonical().items()
            if kind in GARBLED and self.platform.is_malformed(kind, sid)
        }


FUNCTIONS: dict[str, str] = {
    "core_webservice_get_site_info": "site_info",
    "core_course_get_courses": "courses",
    "core_enrol_get_enrolled_users": "enrolled_users",
    "core_user_get_users_by_field": "users_by_field",
    "gradereport_user_get_grade_items": "grade_items",
    "core_completion_get_activities_completion_status": "completion",
    "core_reportbuilder_retrieve_report": "report",
}
