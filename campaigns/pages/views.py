"""Scoped downloads: private brand assets, budget receipts, the KPI CSV export and results reports.

Each answers 404 to anyone whose company is not a party of the campaign, and to anonymous visitors, so the
existence of a file or campaign is never revealed.
"""

from django.http import FileResponse, Http404, HttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from campaigns.models import BrandAsset, BudgetLine, Campaign, Comment, ResultsReport
from campaigns.selectors.kpis import kpi_export_rows
from utilities.exports import csv_response

EXPORT_COLUMNS = [
    "metric",
    "funnel_stage",
    "unit",
    "owner",
    "data_source",
    "reporting_frequency",
    "target",
    "currency",
    "figure_is",
    "latest_value",
    "latest_period_end",
    "progress_percent",
]


def _no_sniffing(response: HttpResponse) -> HttpResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


def _private_file(file, name: str, content_type: str, what: str) -> HttpResponse:
    """A private upload as a download (never shown inline), under the name it was uploaded with."""
    if not file:
        raise Http404(f"This {what} has no file.")
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404(f"The file of this {what} is missing.") from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=name or file.name.rsplit("/", 1)[-1],
        content_type=content_type or "application/octet-stream",
    )
    return _no_sniffing(response)


@require_GET
def brand_asset_download(request, pk: int):
    asset = BrandAsset.objects.get_for_user(request.user, pk)
    return _private_file(asset.file, asset.original_name, asset.content_type, "brand asset")


@require_GET
def budget_receipt_download(request, pk: int):
    """A budget line's receipt: for whoever may see the line (its company, and its partners once it is shared)."""
    line = BudgetLine.objects.get_for_user(request.user, pk)
    return _private_file(line.receipt, line.receipt_name, line.receipt_content_type, "budget line")


@require_GET
def comment_attachment(request, pk: int):
    """A comment's attachment, for those who may read the comment (a note for one company: that company only)."""
    comment = Comment.objects.get_for_user(request.user, pk)
    return _private_file(comment.attachment, comment.attachment_name, comment.attachment_type, "comment")


@require_GET
def kpi_export(request, campaign_id: int):
    campaign = Campaign.objects.get_for_user(request.user, campaign_id)
    response = csv_response(f"kpis-campaign-{campaign.pk}.csv", EXPORT_COLUMNS, kpi_export_rows(campaign=campaign))
    return _no_sniffing(response)


REPORT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}


@require_GET
def results_report_download(request, pk: int, kind: str):
    """A results report's PDF or CSV, for the campaign's parties (and the operator) only."""
    report = ResultsReport.objects.get_for_user(request.user, pk)
    file = report.pdf if kind == "pdf" else report.csv
    if kind not in REPORT_TYPES or not file:
        raise Http404("This report is not ready yet.")
    name = f"results-{slugify(report.campaign.name)[:60]}-{report.created_at:%Y-%m-%d}.{kind}"
    response = FileResponse(file.open("rb"), as_attachment=True, filename=name, content_type=REPORT_TYPES[kind])
    return _no_sniffing(response)
