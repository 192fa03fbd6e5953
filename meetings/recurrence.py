"""Recurrence rules (RFC 5545 RRULE) of a meeting series, computed in the series' own time zone.

dateutil steps through aware datetimes in local wall time, so a 10:00 America/New_York meeting stays at
10:00 local when daylight saving starts or ends; only its UTC time moves.
"""

import datetime
import re
import warnings
import zoneinfo
from dataclasses import dataclass

from dateutil.rrule import rrule, rrulestr
from django.core.exceptions import ValidationError

from utilities.validation import date_window

DEFAULT_RULE = "FREQ=WEEKLY"
ALLOWED_FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
# The start time of the series sets the hour; parts that would add times within a day are refused.
ALLOWED_PARTS = ("FREQ", "INTERVAL", "COUNT", "UNTIL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "WKST")
# Parts that pick days by their position in a month or year (RFC 5545 allows them only there). Kept off
# daily and weekly rules so that checking a rule never scans day by day towards the year 9999.
MONTHLY_OR_YEARLY_PARTS = ("BYMONTHDAY", "BYSETPOS")
MAX_COUNT = 520
FIRST_POSSIBLE_YEAR = 2000  # no series starts earlier (first dates lie within the settings' window)
MAX_INTERVAL = 52
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_WEEKDAY_ITEM = re.compile(r"^(?P<ordinal>[+-]?[0-9]{1,2})?(?P<day>MO|TU|WE|TH|FR|SA|SU)$")
# The numbers each BYxxx list accepts (zero never) and how many items it may hold.
_NUMBER_LISTS = {"BYMONTHDAY": (31, 31), "BYMONTH": (12, 12), "BYSETPOS": (366, 31)}
_MAX_ORDINAL = {"MONTHLY": 5, "YEARLY": 53}
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
        # Only the far end is bounded here: a stored series that ended long ago stays readable.
        latest = date_window()[1]
        if parsed.date() > latest:
            raise ValidationError({"recurrence": f"UNTIL must be {latest:%Y%m%d} or earlier, got “{value}”."})
        if parsed.year < FIRST_POSSIBLE_YEAR:  # also keeps the conversion to UTC below from overflowing
            raise ValidationError({"recurrence": f"UNTIL “{value}” is before any first meeting."})
        if fmt == "%Y%m%dT%H%M%SZ":
            return value
        if fmt == "%Y%m%d":
            parsed = datetime.datetime.combine(parsed.date(), datetime.time(23, 59, 59))
        return parsed.replace(tzinfo=zone).astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    raise ValidationError({"recurrence": f"UNTIL must be a date such as 20270331, got “{value}”."})


def _whole_number(parts: dict[str, str], name: str, low: int, high: int) -> None:
    value = parts[name]
    if not value.isdigit() or not low <= int(value) <= high:
        raise ValidationError({"recurrence": f"{name} must be a whole number from {low} to {high}."})


def _items(parts: dict[str, str], name: str, max_items: int) -> list[str]:
    items = parts[name].split(",")
    if len(items) > max_items or len(set(items)) != len(items):
        raise ValidationError({"recurrence": f"{name} lists at most {max_items} different values."})
    return items


def _check_lists(parts: dict[str, str]) -> None:
    """Every BYxxx list: known values, in range, no repeats; position-based parts only where they mean something."""
    frequency = parts["FREQ"]
    for name in MONTHLY_OR_YEARLY_PARTS:
        if name in parts and frequency not in _MAX_ORDINAL:
            raise ValidationError({"recurrence": f"{name} needs FREQ=MONTHLY or FREQ=YEARLY."})
    for name, (bound, max_items) in _NUMBER_LISTS.items():
        if name not in parts:
            continue
        allows_negative = name != "BYMONTH"
        numbers = []
        for item in _items(parts, name, max_items):
            number = item.lstrip("+-")
            if not number.isdigit() or not 1 <= int(number) <= bound or (item[0] == "-" and not allows_negative):
                low = f"-{bound} to -1 or " if allows_negative else ""
                raise ValidationError({"recurrence": f"{name} takes numbers from {low}1 to {bound}, got “{item}”."})
            numbers.append(int(item))
        parts[name] = ",".join(str(number) for number in numbers)
    if "BYDAY" in parts:
        for item in _items(parts, "BYDAY", 7 * 5):
            match = _WEEKDAY_ITEM.match(item)
            if match is None:
                raise ValidationError({"recurrence": f"BYDAY takes days such as MO,TH or 2TU, got “{item}”."})
            if match["ordinal"]:
                bound = _MAX_ORDINAL.get(frequency)
                if bound is None or not 1 <= abs(int(match["ordinal"])) <= bound:
                    raise ValidationError(
                        {"recurrence": f"“{item}”: a numbered weekday needs FREQ=MONTHLY (1 to 5) or YEARLY (1 to 53)."}
                    )
    if "WKST" in parts and parts["WKST"] not in WEEKDAYS:
        raise ValidationError({"recurrence": f"WKST is one of {','.join(WEEKDAYS)}."})


def normalize_rule(text: str, zone: zoneinfo.ZoneInfo) -> str:
    """The rule in canonical form (upper case, UNTIL in UTC), or a ValidationError saying what is wrong."""
    parts = _parts(text)
    if "UNTIL" in parts:
        parts["UNTIL"] = _until_in_utc(parts["UNTIL"], zone)
    if "COUNT" in parts:
        _whole_number(parts, "COUNT", 1, MAX_COUNT)
    if "INTERVAL" in parts:
        _whole_number(parts, "INTERVAL", 1, MAX_INTERVAL)
    _check_lists(parts)
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
    if not _may_include(normalized, first_start):
        raise ValidationError(
            {
                "first_date": f"The first meeting ({first_start:%a %d %b %Y}) does not fall on a day of the rule. "
                "Choose a first date the rule includes."
            }
        )
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
    latest = date_window()[1]
    horizon = local_start(latest, datetime.time.max, first_start.tzinfo)
    if rule.after(horizon) is not None:
        raise ValidationError({"recurrence": f"A series ends on {latest:%d %b %Y} at the latest; end it earlier."})
    return Recurrence(normalized, rule, rule.before(horizon, inc=True))


def _may_include(rule_text: str, start: datetime.datetime) -> bool:
    """Whether `start` passes the rule's month and weekday filters (a necessary condition, checked without
    iterating: a rule that never matches would otherwise be searched up to the year 9999)."""
    parts = dict(part.split("=", 1) for part in rule_text.split(";"))
    if "BYMONTH" in parts and str(start.month) not in parts["BYMONTH"].split(","):
        return False
    if "BYDAY" in parts and WEEKDAYS[start.weekday()] not in {item[-2:] for item in parts["BYDAY"].split(",")}:
        return False
    return True


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
