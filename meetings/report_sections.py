"""The meetings' section of a campaign's results report: meetings held, attendance per company, decisions."""

from collections import Counter

from campaigns.services.reports import report_sections
from meetings.models import Attendance, Decision, Meeting


@report_sections.panel("Meetings and decisions", "meetings/report/meetings.html", order=50)
def meetings_and_decisions(request, campaign):
    held = Meeting.objects.filter(series__campaign=campaign, status=Meeting.Status.HELD)
    present, invited = Counter(), Counter()
    attendance = Attendance.objects.filter(meeting__in=held).values_list("member__person__organization__name", "status")
    for company, status in attendance:
        invited[company] += 1
        present[company] += status == Attendance.Status.PRESENT
    decisions = Decision.objects.filter(meeting__in=held).select_related("meeting", "decided_by__person")
    return {
        "held": held.count(),
        "attendance": [(company, present[company], invited[company]) for company in sorted(invited)],
        "decisions": list(decisions.order_by("meeting__starts_at", "pk")),
    }
