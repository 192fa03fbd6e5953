"""Independent floors for `manage.py bench`'s sweeps: plain SQL written from the question each sweep answers, not
from the sweep's own statements, so a sweep that reads more than its question needs shows it.

Each floor counts, in the database, the rows that answer the question (nothing is fetched or written):
- health: every open campaign's parties and who holds each role, its unfinished deliverables and their R and A,
  its reporting plan, and the open flags to compare with (other apps add their rows: meetings adds its own);
- reminders: the recipients of the reminders whose day has come (R and A of deliverables due around today,
  critical flags of the look-back, each person's weekly digest), without those already in the outbox;
- webhooks: flags raised or cleared within the look-back, for each subscribed endpoint of a party, without those
  already delivered.
They are not checked row for row against the sweeps: they read the same tables for the same rows, as a floor.
"""

import datetime

from django.conf import settings

from campaigns.models import Campaign, Deliverable, Flag, Reminder, WebhookDelivery

HEALTH, REMINDERS, WEBHOOKS = "health", "reminders", "webhooks"
# Statements other apps add to a sweep's floor: sweep name -> [(SQL, (now) -> parameters)].
floors: dict[str, list] = {HEALTH: [], REMINDERS: [], WEBHOOKS: []}

OPEN = "c.status NOT IN ({})".format(", ".join(f"'{status}'" for status in Campaign.CLOSED_STATUSES))
UNFINISHED = "d.status NOT IN ({})".format(", ".join(f"'{status}'" for status in Deliverable.DONE_STATUSES))


def _today(now: datetime.datetime) -> datetime.date:
    return now.astimezone(datetime.UTC).date()


floors[HEALTH] += [
    (
        "SELECT p.campaign_id, p.organization_id, MAX(CASE WHEN m.is_decision_maker THEN 1 ELSE 0 END), "
        "MAX(CASE WHEN m.is_project_lead THEN 1 ELSE 0 END), MAX(CASE WHEN m.is_budget_owner THEN 1 ELSE 0 END) "
        "FROM campaigns_party p JOIN campaigns_campaign c ON c.id = p.campaign_id "
        "LEFT JOIN campaigns_member m ON m.campaign_id = p.campaign_id "
        "LEFT JOIN partners_person pe ON pe.id = m.person_id AND pe.organization_id = p.organization_id "
        f"WHERE {OPEN} GROUP BY p.campaign_id, p.organization_id",
        lambda now: [],
    ),
    (
        "SELECT d.campaign_id, d.id, MAX(CASE WHEN d.due_date < %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN r.role = 'A' THEN 1 ELSE 0 END), SUM(CASE WHEN r.role = 'R' THEN 1 ELSE 0 END) "
        "FROM campaigns_deliverable d JOIN campaigns_campaign c ON c.id = d.campaign_id "
        f"LEFT JOIN campaigns_raciassignment r ON r.deliverable_id = d.id WHERE {OPEN} AND {UNFINISHED} "
        "GROUP BY d.campaign_id, d.id",
        lambda now: [_today(now)],
    ),
    (
        "SELECT c.id, c.kickoff_date, c.launch_date, rp.frequency, COUNT(rr.id) FROM campaigns_campaign c "
        "LEFT JOIN campaigns_reportingplan rp ON rp.campaign_id = c.id "
        f"LEFT JOIN campaigns_reportingplanreporter rr ON rr.plan_id = rp.id WHERE {OPEN} "
        "GROUP BY c.id, c.kickoff_date, c.launch_date, rp.frequency",
        lambda now: [],
    ),
    ("SELECT campaign_id, code, subject FROM campaigns_flag WHERE resolved_at IS NULL", lambda now: []),
]

floors[REMINDERS] += [
    (
        "SELECT r.member_id, d.id FROM campaigns_raciassignment r "
        "JOIN campaigns_deliverable d ON d.id = r.deliverable_id JOIN campaigns_campaign c ON c.id = d.campaign_id "
        "JOIN campaigns_member m ON m.id = r.member_id "
        f"WHERE {OPEN} AND {UNFINISHED} AND r.role IN ('R', 'A') AND d.due_date BETWEEN %s AND %s "
        "AND NOT EXISTS (SELECT 1 FROM campaigns_reminder o WHERE o.person_id = m.person_id "
        "AND o.subject = 'deliverable:' || d.id AND o.kind IN ('deliverable_due_soon', 'deliverable_overdue'))",
        lambda now: [
            _today(now) - datetime.timedelta(days=settings.REMINDER_LOOKBACK_DAYS + 2),
            _today(now) + datetime.timedelta(days=settings.REMINDER_DELIVERABLE_DUE_SOON_DAYS + 1),
        ],
    ),
    (
        "SELECT f.id, m.person_id FROM campaigns_flag f JOIN campaigns_campaign c ON c.id = f.campaign_id "
        "JOIN campaigns_member m ON m.campaign_id = f.campaign_id AND (m.is_decision_maker OR m.is_project_lead) "
        f"WHERE {OPEN} AND f.resolved_at IS NULL AND f.severity = 'critical' AND f.acknowledged_at IS NULL "
        "AND f.opened_at BETWEEN %s AND %s AND NOT EXISTS (SELECT 1 FROM campaigns_reminder o "
        "WHERE o.kind = 'critical_flag' AND o.subject = 'flag:' || f.id AND o.person_id = m.person_id)",
        lambda now: [now - datetime.timedelta(days=settings.REMINDER_LOOKBACK_DAYS), now],
    ),
    (
        "SELECT DISTINCT m.person_id FROM campaigns_member m JOIN campaigns_campaign c ON c.id = m.campaign_id "
        f"WHERE {OPEN} AND NOT EXISTS (SELECT 1 FROM campaigns_reminder o WHERE o.kind = 'weekly_digest' "
        "AND o.person_id = m.person_id AND o.due_at > %s)",
        lambda now: [now - datetime.timedelta(days=6)],
    ),
]

floors[WEBHOOKS] += [
    (
        "SELECT e.id, f.id FROM campaigns_flag f JOIN campaigns_party p ON p.campaign_id = f.campaign_id "
        "JOIN campaigns_webhookendpoint e ON e.organization_id = p.organization_id AND e.is_active AND e.flags "
        f"WHERE f.{moment} >= %s AND f.{moment} >= e.created_at AND NOT EXISTS (SELECT 1 FROM "
        f"campaigns_webhookdelivery w WHERE w.endpoint_id = e.id AND w.event = '{event}' "
        "AND w.subject = 'flag:' || f.id)",
        lambda now: [now - datetime.timedelta(hours=settings.WEBHOOK_LOOKBACK_HOURS)],
    )
    for moment, event in (("opened_at", "flag.opened"), ("resolved_at", "flag.resolved"))
]


# What a first run writes, whatever its statements: the floor adds copying these rows once (the least any run does).
written = {HEALTH: (Flag, Flag.history.model), REMINDERS: (Reminder,), WEBHOOKS: (WebhookDelivery,)}


def counted(sweep: str, now: datetime.datetime) -> list[tuple[str, list]]:
    """The floor's statements for `sweep` at `now`, each counting its rows in the database."""
    return [(f"SELECT COUNT(*) FROM ({sql}) AS answer", parameters(now)) for sql, parameters in floors[sweep]]
