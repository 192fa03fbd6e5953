"""The shared results report: asked for (by a party, or by the move to Reporting), built by a Celery task
as a PDF and a CSV from one HTML template (the page and the PDF are one design), stored privately, and
announced to the leads of every company once it is ready.

Other apps add sections to the report through `report_sections` (meetings adds meetings held, attendance
per company and decisions), so campaigns knows nothing of them.
"""

import csv
import dataclasses
import datetime
import io
import logging
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, ResultsReport
from campaigns.outbox.notices import RESULTS_REPORT, campaign_leads, notice_send
from campaigns.selectors import results as selectors
from campaigns.selectors.budget import budget_summary, executive_summary, totals_row
from campaigns.selectors.leads import lead_results
from partners.dashboard import Page
from partners.services import person_of
from utilities.charts import kpi_chart_svg
from utilities.exports import spreadsheet_safe
from utilities.tasks import enqueue_on_commit
from utilities.validation import save_validated

logger = logging.getLogger(__name__)
REQUEUE_LIMIT = 1000  # reports one sweep offers again; the next sweep takes the rest
report_sections = Page()


BUILD_TASK = "campaigns.build_results_report"


@transaction.atomic
def results_report_request(*, campaign: Campaign, user: Any = None) -> ResultsReport:
    """A new report, built in the background once this transaction commits. With the broker down the request
    still succeeds ("Being built"): the report sweep offers the build again (results_report_requeue)."""
    requested_by = user if user is not None and user.is_authenticated else None
    report = save_validated(ResultsReport(campaign=campaign, requested_by=requested_by, enqueued_at=timezone.now()))
    enqueue_on_commit(BUILD_TASK, report.pk)
    return report


def _stale_before(now: datetime.datetime, seconds: int) -> datetime.datetime:
    return now - datetime.timedelta(seconds=seconds)


def results_report_requeue(*, now: datetime.datetime | None = None) -> list[int]:
    """Offer again the builds of reports still "Being built" whose task never reached a worker (handed to the
    broker REMINDER_REQUEUE_AFTER_SECONDS ago and not taken) or whose worker died while building (taken longer
    ago than REMINDER_SENDING_TIMEOUT_SECONDS). A build claims its report, so an offer too many builds nothing."""
    now = now or timezone.now()
    not_taken = Q(build_started_at__isnull=True) & (
        Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=_stale_before(now, settings.REMINDER_REQUEUE_AFTER_SECONDS))
    )
    abandoned = Q(build_started_at__lt=_stale_before(now, settings.REMINDER_SENDING_TIMEOUT_SECONDS))
    with transaction.atomic():
        stranded = ResultsReport.objects.filter(not_taken | abandoned, status=ResultsReport.Status.PENDING)
        ids = list(stranded.order_by("pk").values_list("pk", flat=True)[:REQUEUE_LIMIT])
        ResultsReport.objects.filter(pk__in=ids).update(enqueued_at=now)
        for report_id in ids:
            enqueue_on_commit(BUILD_TASK, report_id)
    return ids


def _claim_build(report_id: int, now: datetime.datetime) -> bool:
    """Pending and not being built by a live worker -> taken by this one, in one conditional UPDATE."""
    free = Q(build_started_at__isnull=True) | Q(
        build_started_at__lt=_stale_before(now, settings.REMINDER_SENDING_TIMEOUT_SECONDS)
    )
    return bool(
        ResultsReport.objects.filter(free, pk=report_id, status=ResultsReport.Status.PENDING).update(
            build_started_at=now
        )
    )


def results_context(campaign: Campaign, now) -> dict[str, Any]:
    kpis = selectors.kpi_results(campaign)
    deliverables = selectors.deliverable_results(campaign)
    budget = budget_summary(campaign)
    return {
        "campaign": campaign,
        "summary_line": executive_summary(kpis, budget),
        "budget": budget,
        "budget_rows": [totals_row(company, budget.currency) for company in budget.companies],
        "budget_total": totals_row(budget.total, budget.currency),
        "parties": list(campaign.parties.select_related("organization").order_by("role", "organization__name")),
        # Charted against the target the companies agreed to, as the table reads.
        "kpis": [
            (result, kpi_chart_svg(dataclasses.replace(result.series, target=result.terms.target))) for result in kpis
        ],
        "leads": lead_results(campaign),
        "deliverables": deliverables,
        "on_time": sum(1 for d in deliverables if d.on_time),
        "late": sum(1 for d in deliverables if d.on_time is False),
        "flags": selectors.flag_results(campaign, now),
        "learnings": selectors.learnings(campaign),
        "sections": report_sections.render(None, campaign=campaign),
        "generated_at": now,
    }


def results_csv(context: dict[str, Any]) -> str:
    """The report's figures as rows: KPIs against target, deliverables on time, flags and how long they stayed."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    rows = [
        ["section", "item", "target", "actual", "progress_percent", "reported_by", "due", "done", "on_time", "note"]
    ]
    for result, _chart in context["kpis"]:
        rows.append(
            [
                "kpi",
                result.kpi.metric.name,
                result.terms.target,
                result.actual,
                result.agreed_progress,
                result.reported_by,
                "",
                "",
                "",
                "; ".join(filter(None, [result.kpi.figure_source, result.terms.note])),
            ]
        )
    for row in (*context["budget_rows"], context["budget_total"]):
        note = f"cost per lead {row['cost_per_lead']}; pipeline on spend {row['roi']}"
        rows.append(["budget", row["name"], row["planned"], row["spend"], "", "", "", "", "", note])
    for row in context["deliverables"]:
        on_time = "" if row.on_time is None else ("yes" if row.on_time else "no")
        rows.append(
            ["deliverable", row.deliverable.title, "", "", "", "", row.deliverable.due_date, row.done_on, on_time, ""]
        )
    for row in context["flags"]:
        rows.append(
            ["flag", row.flag.title, "", "", "", "", "", row.flag.resolved_at, f"open {row.open_days} days", ""]
        )
    writer.writerows([[spreadsheet_safe(cell) for cell in row] for row in rows])
    return out.getvalue()


def results_report_build(*, report_id: int, now=None) -> ResultsReport:
    """Build the PDF and CSV of a report, once: a second run (a task offered again, or delivered twice) of a
    report built, failed or being built by another worker does nothing."""
    from weasyprint import HTML

    now = now or timezone.now()
    if not _claim_build(report_id, now):
        return ResultsReport.objects.get(pk=report_id)
    report = ResultsReport.objects.select_related("campaign").get(pk=report_id)
    campaign = report.campaign
    try:
        context = results_context(campaign, now)
        html = render_to_string("campaigns/report/results.html", {**context, "as_pdf": True})
        pdf = HTML(string=html).write_pdf()
        report.pdf.save("results.pdf", ContentFile(pdf), save=False)
        report.csv.save("results.csv", ContentFile(results_csv(context).encode()), save=False)
    except Exception as failure:  # the report says it failed; the operator sees why
        logger.exception("Results report %s of campaign %s could not be built", report.pk, campaign.pk)
        report.status, report.error = ResultsReport.Status.FAILED, str(failure)[:500]
        report.save(update_fields=["status", "error"])
        return report
    with transaction.atomic():
        report.status, report.built_at = ResultsReport.Status.READY, now
        report.save(update_fields=["status", "built_at", "pdf", "csv"])
        notice_send(
            kind=RESULTS_REPORT,
            subject=f"results-report:{report.pk}",
            people=campaign_leads(campaign),
            campaign=campaign,
            subject_line=f"The results report of “{campaign}” is ready",
            paragraphs=[
                f"The shared results report of “{campaign}” is ready: goals, each KPI against its agreed target, "
                "deliverables on time, meetings and decisions, and what each company learned.",
            ],
            link_path=reverse("admin:campaigns_campaign_home", args=[campaign.pk]),
            at=now,
            sent_for=person_of(report.requested_by),
        )
    return report
