"""Recurrence rules (RFC 5545 RRULE) of a meeting series, computed in the series' own time zone.

dateutil steps through aware datetimes in local wall time, so a 10:00 America/New_York meeting stays at
10:00 local when daylight saving starts or ends; only its UTC time moves.
"""

import datetime
import warnings
import zoneinfo
from dataclasses import dataclass

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError

DEFAULT_RULE = "FREQ=WEEKLY"
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# The start time of the series sets the hour; parts that would add times within a day are refused.
ALLOWED_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
MAX_COUNT = 520
MAX_YEARS = 10
RULE_HELP = (
    "An RFC 5545 recurrence rule. Examples: FREQ=WEEKLY (every week, on the first meeting's weekday) · "
    "FREQ=WEEKLY;INTERVAL=2 (every other week) · FREQ=WEEKLY;BYDAY=MO,TH · end it with ;UNTIL=20270331 "
    "(a local date) or ;COUNT=10."
)


def local_start(date: datetime.date, time: datetime.time, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(date, time, tzinfo=zone)


def check_wall_time_exists(start: datetime.datetime) -> None:
    """Refuse a local time skipped by a daylight-saving change (e.g. 02:30 on the day clocks spring forward)."""
    round_trip = start.astimezone(datetime.UTC).astimezone(start.tzinfo)
    if round_trip.replace(tzinfo=None) != start.replace(tzinfo=None):
        raise ValidationError(
            {
                "start_time": f"{start:%H:%M} does not exist on {start:%a %d %b %Y} in {start.tzinfo} "
                "(the clocks move forward). Choose another time."
            }
        )


def _parts(text: str) -> dict[str, str]:
    cleaned = text.strip()
    if cleaned.upper().startswith("RRULE:"):
        cleaned = cleaned[len("RRULE:") :]
    if not cleaned or any(char in cleaned for char in "\r\n:"):
        raise ValidationError({"recurrence": f"Write one rule such as {DEFAULT_RULE} or FREQ=WEEKLY;INTERVAL=2."})
    parts: dict[str, str] = {}
    for item in cleaned.strip(";").split(";"):
        name, equals, value = item.partition("=")
        name = name.strip().upper()
        if not equals or not value.strip():
            raise ValidationError({"recurrence": f"“{item}” is not NAME=VALUE, e.g. FREQ=WEEKLY."})
        if name not in ALLOWED_PARTS:
            raise ValidationError({"recurrence": f"{name} is not supported here; use {', '.join(ALLOWED_PARTS)}."})
        if name in parts:
            raise ValidationError({"recurrence": f"{name} appears twice."})
        parts[name] = value.strip().upper()
    if parts.get("FREQ") not in ALLOWED_FREQUENCIES:
        raise ValidationError(
            {"recurrence": f"FREQ must be one of {', '.join(ALLOWED_FREQUENCIES)} (meetings repeat at most daily)."}
        )
    if "COUNT" in parts and "UNTIL" in parts:
        raise ValidationError(
            {"recurrence": "End the series either by a date (UNTIL) or by a number (COUNT), not both."}
        )
    return parts


def _until_in_utc(value: str, zone: zoneinfo.ZoneInfo) -> str:
    """UNTIL as RFC 5545 wants it beside a TZID start: UTC. A local date means "up to the end of that day"."""
    if value.endswith("Z"):
        formats = ["%Y%m%dT%H%M%SZ"]
    else:
        formats = ["%Y%m%d", "%Y%m%dT%H%M%S"]
    for fmt in formats:
        try:
            parsed = datetime.datetime.strptime(value, fmt)
        except ValueError:
            continue
        if fmt == "%Y%m%dT%H%M%SZ":
            return value
        if fmt == "%Y%m%d":
            parsed = datetime.datetime.combine(parsed.date(), datetime.time(23, 59, 59))
        return parsed.replace(tzinfo=zone).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    raise ValidationError({"recurrence": f"UNTIL must be a date such as 20270331, got “{value}”."})


def normalize_rule(text: str, zone: zoneinfo.ZoneInfo) -> str:
    """The rule in canonical form (upper case, UNTIL in UTC), or a ValidationError saying what is wrong."""
    parts = _parts(text)
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_in_utc(parts["UNTIL"], zone)
    if "COUNT" in parts:
        if not parts["COUNT"].isdigit() or not 1 <= int(parts["COUNT"]) <= MAX_COUNT:
            raise ValidationError({"recurrence": f"COUNT must be a whole number from 1 to {MAX_COUNT}."})
    ordered = ["FREQ", *(name for name in ALLOWED_PARTS if name != "FREQ" and name in parts)]
    return ";".join(f"{name}={parts[name]}" for name in ordered)


def build_rule(rule_text: str, first_start: datetime.datetime) -> rrule:
    """A dateutil rule from a normalized rule text and the aware local first start."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            rule = rrulestr(rule_text, dtstart=first_start)
    except (ValueError, TypeError, KeyError, IndexError, DeprecationWarning) as error:
        raise ValidationError({"recurrence": f"This is not a valid recurrence rule: {error}."}) from None
    if not isinstance(rule, rrule):
        raise ValidationError({"recurrence": "Write a single RRULE."})
    return rule


@dataclass(frozen=True)
class Recurrence:
    text: str  # normalized rule, e.g. "FREQ=WEEKLY;UNTIL=20270331T225959Z"
    rule: rrule
    last_start: datetime.datetime | None  # local start of the last meeting; None when the series has no end


def parse(text: str, first_start: datetime.datetime) -> Recurrence:
    """Validate a rule against the series' first meeting (aware, local), or raise a ValidationError saying why."""
    normalized = normalize_rule(text, first_start.tzinfo)
    rule = build_rule(normalized, first_start)
    first = rule.after(first_start, inc=True)
    if first is None:
        raise ValidationError({"recurrence": "This rule ends before the first meeting; no meeting would take place."})
    if first != first_start:
        raise ValidationError(
            {
                "first_date": f"The first meeting ({first_start:%a %d %b %Y}) does not fall on a day of the rule; "
                f"its first day would be {first:%a %d %b %Y}. Choose a first date the rule includes."
            }
        )
    if "COUNT=" not in normalized and "UNTIL=" not in normalized:
        return Recurrence(normalized, rule, None)
    horizon = first_start + datetime.timedelta(days=366 * MAX_YEARS)
    if rule.after(horizon) is not None:
        raise ValidationError({"recurrence": f"A series can run at most {MAX_YEARS} years; end it earlier."})
    return Recurrence(normalized, rule, rule.before(horizon, inc=True))


def with_until(rule_text: str, until_utc: datetime.datetime) -> str:
    """The rule ending at `until_utc` (replacing any COUNT or UNTIL)."""
    kept = [part for part in rule_text.split(";") if part.split("=")[0] not in ("COUNT", "UNTIL")]
    return ";".join([*kept, f"UNTIL={until_utc.astimezone(datetime.UTC):%Y%m%dT%H%M%SZ}"])


_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_DAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}


def describe(rule_text: str, zone: zoneinfo.ZoneInfo) -> str:
    """A short reading of a normalized rule, e.g. "Every 2 weeks on Mon, Thu, until 31 Mar 2027"."""
    parts = dict(part.split("=", 1) for part in rule_text.split(";") if "=" in part)
    unit = _UNITS.get(parts.get("FREQ", ""), "time")
    interval = int(parts.get("INTERVAL", "1")) if parts.get("INTERVAL", "1").isdigit() else 1
    text = f"Every {unit}" if interval == 1 else f"Every {interval} {unit}s"
    if "BYDAY" in parts:
        text += " on " + ", ".join(_DAYS.get(day[-2:], day) for day in parts["BYDAY"].split(","))
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        try:
            until = datetime.datetime.strptime(parts["UNTIL"], "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.UTC)
            until = until.astimezone(zone)
            text += f", until {until:%d %b %Y}"
        except ValueError:
            text += f", until {parts['UNTIL']}"
    return text
