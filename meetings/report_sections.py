"""What meetings add to results: the report's section (meetings held, attendance per company, decisions) and
the partner scorecard's attendance."""

from collections import Counter, defaultdict

from campaigns.selectors.scorecard import campaigns_of, pairs_by_campaign
from campaigns.selectors.scorecard import measures as scorecard_measures
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
    decisions = Decision.objects.filter(meeting__in=held).select_related(
        "meeting", "decided_by__person", "superseded_by", "withdrawn_by"
    )
    return {
        "held": held.count(),
        "attendance": [(company, present[company], invited[company]) for company in sorted(invited)],
        "decisions": list(decisions.order_by("meeting__starts_at", "pk")),
    }


def partner_attendance(shared):
    """Scorecard measure: the held meetings the partner was invited to, and at how many of them at least one of
    its people was present (a company attends a review when someone of it is there, not everyone)."""
    present, invited = defaultdict(set), defaultdict(set)
    pairs = pairs_by_campaign(shared)
    rows = Attendance.objects.filter(
        meeting__status=Meeting.Status.HELD, meeting__series__campaign_id__in=campaigns_of(shared)
    ).values_list("meeting_id", "meeting__series__campaign_id", "member__person__organization_id", "status")
    for meeting_id, campaign_id, organization_id, status in rows:
        for vendor, partner in pairs.get(campaign_id, ()):
            if organization_id == partner:
                invited[(vendor, partner)].add(meeting_id)
                if status == Attendance.Status.PRESENT:
                    present[(vendor, partner)].add(meeting_id)
    return {pair: {"meetings_present": len(present[pair]), "meetings_invited": len(invited[pair])} for pair in shared}


scorecard_measures.append(partner_attendance)
