"""The KPIs of each campaign in a weekly digest: a one-line figure summary and a PNG of its KPI charts.

E-mail clients block SVG and data: URIs (Gmail, Outlook) and ask before loading remote images, so the charts
travel inside the message as PNG parts related to the HTML body (`<img src="cid:…">`): shown at once, offline
too, with no link that shows a campaign's figures to whoever the mail is forwarded to. The outbox keeps the
bodies only, so the PNGs are drawn when the message is put together, for the campaigns whose `cid:` the stored
body names (a retry charts the same campaigns, with the figures of that moment); the alt text carries the
figures for a client that shows no image.
"""

import re
from decimal import Decimal

from django.utils.html import format_html, format_html_join

from campaigns.models import Campaign
from campaigns.selectors.results import KpiResult, kpi_results_of
from utilities.charts import PNG_WIDTH, figures_table, kpi_charts_png

DIGEST_CHARTS = 5  # campaigns charted in one digest at most (the rest are a click away)
CHART_IMAGE = re.compile(r'(<img src="cid:(kpi-charts-(\d+)@comarketing)"[^>]*>)')


def chart_cid(campaign_id: int) -> str:
    return f"kpi-charts-{campaign_id}@comarketing"


def _number(value: Decimal) -> str:
    return f"{value.normalize():f}"


def _figure(result: KpiResult) -> str:
    name, target = result.kpi.metric.name, result.kpi.target
    if result.actual is None:
        return f"{name}: no figure yet" + (f" (target {_number(target)})" if target is not None else "")
    if target is None:
        return f"{name}: {_number(result.actual)}"
    return f"{name}: {_number(result.actual)} of {_number(target)} ({result.progress} %)"


def kpi_summaries(campaign_ids: list[int]) -> tuple[str, str]:
    """The text and HTML of the KPIs of the first DIGEST_CHARTS campaigns that have any (a few queries)."""
    campaigns = list(Campaign.objects.filter(pk__in=campaign_ids, kpis__isnull=False).distinct())
    order = {campaign_id: index for index, campaign_id in enumerate(campaign_ids)}
    campaigns = sorted(campaigns, key=lambda campaign: order[campaign.pk])[:DIGEST_CHARTS]
    if not campaigns:
        return "", ""
    results = kpi_results_of(campaigns)
    lines, blocks = [], []
    for campaign in campaigns:
        summary = " · ".join(_figure(result) for result in results[campaign.pk])
        lines.append(f"- {campaign.name}: {summary}")
        charted = any(result.series.by_company for result in results[campaign.pk])
        image = (
            format_html(
                '<img src="cid:{}" width="{}" alt="{}" style="display:block;max-width:100%;height:auto">',
                chart_cid(campaign.pk),
                PNG_WIDTH,
                summary,
            )
            if charted
            else ""
        )
        blocks.append((campaign.name, summary, image))
    text = "KPIs against their targets:\n" + "\n".join(lines)
    html = format_html(
        "<h3>KPIs against their targets</h3>{}", format_html_join("", "<p><strong>{}</strong><br>{}</p>{}", blocks)
    )
    return text, str(html)


def kpi_chart_images(body_html: str) -> tuple[str, dict[str, bytes]]:
    """The PNG for every chart `cid:` a digest's HTML body names (cid -> PNG), and the body to send: a campaign
    whose charts cannot be drawn gets its figures as a table in place of the image."""
    tags = {int(campaign_id): (tag, cid) for tag, cid, campaign_id in CHART_IMAGE.findall(body_html)}
    if not tags:
        return body_html, {}
    results = kpi_results_of(list(Campaign.objects.filter(pk__in=tags)))
    images = {}
    for campaign_id, found in results.items():
        charted = [result.series for result in found if result.series.by_company]
        if not charted:
            continue
        tag, cid = tags[campaign_id]
        png = kpi_charts_png(charted)
        if png is None:
            body_html = body_html.replace(tag, figures_table(charted))
        else:
            images[cid] = png
    return body_html, images
