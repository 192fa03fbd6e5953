"""The shared results report: asked for (by a party, or by the move to Reporting), built by a Celery task
as a PDF and a CSV from one HTML template (the page and the PDF are one design), stored privately, and
announced to the leads of every company once it is ready.

Other apps add sections to the report through `report_sections` (meetings adds meetings held, attendance
per company and decisions), so campaigns knows nothing of them.
"""

import csv
import dataclasses
import io
import logging
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign, ResultsReport
from campaigns.outbox.notices import RESULTS_REPORT, campaign_leads, notice_send
from campaigns.selectors import results as selectors
from partners.dashboard import Page
from utilities.charts import kpi_chart_svg
from utilities.exports import spreadsheet_safe
from utilities.tasks import enqueue_on_commit
from utilities.validation import save_validated

logger = logging.getLogger(__name__)
report_sections = Page()


@transaction.atomic
def results_report_request(*, campaign: Campaign, user: Any = None) -> ResultsReport:
    """A new report, built in the background once this transaction commits."""
    requested_by = user if user is not None and user.is_authenticated else None
    report = save_validated(ResultsReport(campaign=campaign, requested_by=requested_by))
    enqueue_on_commit("campaigns.build_results_report", report.pk, robust=False)
    return report


def results_context(campaign: Campaign, now) -> dict[str, Any]:
    kpis = selectors.kpi_results(campaign)
    deliverables = selectors.deliverable_results(campaign)
    return {
        "campaign": campaign,
        "parties": list(campaign.parties.select_related("organization").order_by("role", "organization__name")),
        # Charted against the target the companies agreed to, as the table reads.
        "kpis": [
            (result, kpi_chart_svg(dataclasses.replace(result.series, target=result.terms.target))) for result in kpis
        ],
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
    """Build the PDF and CSV of a report (a second run of a built report does nothing)."""
    from weasyprint import HTML

    report = ResultsReport.objects.select_related("campaign").get(pk=report_id)
    if report.status == ResultsReport.Status.READY:
        return report
    now = now or timezone.now()
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
        )
    return report
