"""A real Starlette app imitating a Moodle 4.1 site's Web Services REST endpoint.

`/webservice/rest/server.php?wstoken=…&wsfunction=…&moodlewsrestformat=json` (GET or POST form),
arguments in PHP's nested form. Errors are HTTP 200 with Moodle's exception object, e.g.
`{"exception": "moodle_exception", "errorcode": "invalidtoken", "message": "Invalid token - token
not found"}`. Functions: core_webservice_get_site_info, core_course_get_courses,
core_enrol_get_enrolled_users, core_user_get_users_by_field, gradereport_user_get_grade_items,
core_completion_get_activities_completion_status, core_reportbuilder_retrieve_report (report
SESSION_REPORT_ID: one row per study session, sorted by 修改时间).

The site is fed canonical records: each class is a Moodle course (its curriculum in course custom
fields), each trainee a user (real-name data in custom profile fields), sessions are report rows,
assessments a graded quiz (idnumber `final_exam`) whose completion state says passed or failed.
Certificates have no Moodle home and are not served. `expected()` is that data as the connector
must deliver it, with Moodle's ids. Faults: the transport ones; malformed values; duplicated items
in enrolled-user and report pages; shifted pages (a session is modified mid-read and moves to the
end of the report; a trainee with a low user id enrols mid-read, pushing the enrolled-users list
forward); records changed right after they were served.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from connectors.simulated.faults import Faults, transport_fault
from connectors.simulated.moodle_site import FUNCTIONS, SESSION_REPORT_ID, MoodleSite

__all__ = ["SESSION_REPORT_ID", "create_app", "php_params"]
from connectors.simulated.rest_json_app import SimulatedPlatform, spaced

INVALID_TOKEN = ("moodle_exception", "invalidtoken", "Invalid token - token not found")
INVALID_PARAM = (
    "invalid_parameter_exception",
    "invalidparameter",
    "Invalid parameter value detected",
)


def php_params(items: list[tuple[str, str]]) -> dict[str, Any]:
    """PHP's nested form decoded: options[0][name]=x -> {"options": {"0": {"name": "x"}}}."""
    out: dict[str, Any] = {}
    for key, value in items:
        parts = re.findall(r"[^\[\]]+", key)
        node = out
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        if parts:
            node[parts[-1]] = value
    return out


def _exception(kind: tuple[str, str, str], debug: str | None = None) -> JSONResponse:
    body = {"exception": kind[0], "errorcode": kind[1], "message": kind[2]}
    if debug:
        body["debuginfo"] = debug
    return JSONResponse(body)  # Moodle answers its errors with HTTP 200


def create_app(
    records: list[dict], token: str = "moodle-token", faults: Faults | None = None
) -> Starlette:
    """The Moodle site serving `records` to web-service token `token`."""
    platform = SimulatedPlatform(spaced(records), faults)
    site = MoodleSite(platform)

    async def server(request: Request) -> Response:
        items = list(request.query_params.multi_items())
        if request.method == "POST":
            items += [(k, str(v)) for k, v in (await request.form()).multi_items()]
        args = php_params(items)
        function = str(args.pop("wsfunction", ""))
        platform.requests.append((function, {k: v for k, v in items if k != "wstoken"}))
        failure = await transport_fault(platform.faults, platform.rng)
        if failure is not None:  # what a proxy in front of the site answers
            status, headers = failure
            return Response(
                "Service Unavailable" if status != 429 else "Too Many Requests", status, headers
            )
        if args.pop("wstoken", None) != token:
            return _exception(INVALID_TOKEN)
        if args.pop("moodlewsrestformat", "xml") != "json":
            return Response(
                '<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE></RESPONSE>',
                media_type="application/xml",
            )
        if function not in FUNCTIONS:
            return _exception(
                (
                    "dml_missing_record_exception",
                    "invalidrecord",
                    "Can't find data record in database table external_functions.",
                )
            )
        try:
            result = getattr(site, FUNCTIONS[function])(args)
        except (KeyError, ValueError, TypeError) as error:
            return _exception(INVALID_PARAM, str(error))
        return JSONResponse(result)

    app = Starlette(routes=[Route("/webservice/rest/server.php", server, methods=["GET", "POST"])])
    app.state.platform = platform
    app.state.faults = platform.faults
    app.state.site = site
    return app
