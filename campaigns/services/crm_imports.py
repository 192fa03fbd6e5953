"""Counting a company's CRM lead export into the period's KPI figures.

The export holds the campaign's leads to date (as CRM exports do), so the figures are cumulative to the end of
the period, like every measurement. The company's own statuses become the shared funnel stages through the
reporting plan's lead-status mapping. The funnel is cumulative: a lead at "SQL" has been an MQL and a new lead
too. Each shared KPI the campaign tracks among net-new leads, MQLs and SQLs gets the period's figure, reported
by the person importing. The file is read as it comes (utilities.csv_import: its
delimiter and encoding detected and named in every message, a report's footer left out), and the person
chooses the status column, prefilled by a guess. A malformed file is refused with the row and column named and
nothing saved;
importing the same period again updates that import and replaces its figures (as any second report of a
company's figure for a period does: campaigns.services.kpis.kpi_figure_record).
"""

import hashlib
import io
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, CampaignKpi, CrmImport, KpiMeasurement, LeadStatusMapping
from campaigns.services.kpis import kpi_figure_record
from partners.models import Person
from utilities.csv_import import CsvExport
from utilities.validation import save_validated

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
# The usual names of a CRM's status column, best first. HubSpot exports both "Lead Status" (often left blank)
# and "Lifecycle Stage", so the guess reads the first rows and prefers the column the company mapped.
STATUS_COLUMNS = ("lead status", "lifecycle stage", "status", "lead stage", "stage")
GUESS_ROWS = 200
Stage = LeadStatusMapping.SharedStage
# Which shared stages each metric counts: the funnel is cumulative.
COUNTED = {
    "net_new_leads": set(Stage) - {Stage.DISQUALIFIED},
    "mqls": {Stage.MQL, Stage.SQL, Stage.OPPORTUNITY, Stage.WON},
    "sqls": {Stage.SQL, Stage.OPPORTUNITY, Stage.WON},
}


@dataclass
class Preview:
    rows: int = 0
    leads_by_stage: dict[str, int] = field(default_factory=dict)
    figures: dict[str, int] = field(default_factory=dict)  # metric code -> count, for the campaign's KPIs
    names: dict[str, str] = field(default_factory=dict)  # metric code -> its name
    sha256: str = ""
    status_column: str = ""
    columns: list[str] = field(default_factory=list)
    detected: str = ""  # "Semicolon-separated, Windows-1252"

    @property
    def named_figures(self) -> list[tuple[str, int]]:
        return [(self.names[code], count) for code, count in self.figures.items()]


def crm_export(content: bytes) -> CsvExport:
    return CsvExport(io.BytesIO(content), max_bytes=MAX_BYTES, max_rows=MAX_ROWS, rows_are="leads")


def guess_status_column(export: CsvExport, mapping: dict[str, str]) -> str | None:
    """The status column a person most likely means: of the usually named ones, the one whose first rows hold
    most statuses the company mapped, then most values at all (a blank "Lead Status" loses to a filled
    "Lifecycle Stage"), then the usual order."""
    candidates = [column for name in STATUS_COLUMNS if (column := export.column(name))]
    if not candidates:
        return None
    mapped, filled = Counter(), Counter()
    for count, (_, row) in enumerate(export.rows()):
        if count == GUESS_ROWS:
            break
        for column in candidates:
            value = row[column].strip().lower()
            filled[column] += bool(value)
            mapped[column] += value in mapping
    return max(candidates, key=lambda column: (mapped[column], filled[column], -candidates.index(column)))


def crm_import_preview(*, campaign: Campaign, organization_id: int, content: bytes, status_column: str = "") -> Preview:
    """What importing `content` would record, or a ValidationError naming the first bad row and column. The
    status column is the one chosen, else the guess."""
    export = crm_export(content)
    mapping = {
        crm_status.strip().lower(): stage
        for crm_status, stage in LeadStatusMapping.objects.filter(
            plan__campaign=campaign, organization_id=organization_id
        ).values_list("crm_status", "shared_stage")
    }
    if not mapping:
        raise ValidationError("Your company has not mapped its CRM statuses yet: map them in the reporting plan.")
    if status_column:
        column = export.column(status_column)
        if column is None:
            raise ValidationError(f"{export.detected}: the file has no column “{status_column[:100]}”.")
    else:
        column = guess_status_column(export, mapping)
        if column is None:
            raise ValidationError(
                f"{export.detected}: no status column among {', '.join(repr(c) for c in export.header[:20])}; "
                "choose the column that holds each lead's status."
            )
    stages, rows = Counter(), 0
    for number, row in export.rows():
        status = row[column].strip()
        if not status:
            raise export.problem(number, column, "the status is empty.")
        stage = mapping.get(status.lower())
        if stage is None:
            raise export.problem(
                number, column, f"“{status[:50]}” is not mapped to a shared stage in the reporting plan."
            )
        stages[stage] += 1
        rows += 1
    if not rows:
        raise ValidationError(
            f"{export.detected}: the file has no leads; a header row and one row per lead are expected."
        )
    tracked = dict(
        CampaignKpi.objects.filter(campaign=campaign, metric__code__in=COUNTED).values_list(
            "metric__code", "metric__name"
        )
    )
    return Preview(
        rows=rows,
        leads_by_stage={str(stage.label): stages[stage] for stage in Stage if stages[stage]},
        figures={code: sum(stages[s] for s in COUNTED[code]) for code in sorted(tracked)},
        names=tracked,
        sha256=hashlib.sha256(content).hexdigest(),
        status_column=column,
        columns=[name for name in export.header if name],
        detected=str(export.detected),
    )


@transaction.atomic
def crm_import_apply(
    *,
    campaign: Campaign,
    person: Person,
    content: bytes,
    file_name: str,
    period_start,
    period_end,
    status_column: str = "",
) -> CrmImport:
    """Record the period's figures from the export, replacing an earlier import of the same period."""
    preview = crm_import_preview(
        campaign=campaign, organization_id=person.organization_id, content=content, status_column=status_column
    )
    if not preview.figures:
        raise ValidationError("The campaign tracks none of net-new leads, MQLs or SQLs: add those KPIs first.")
    # A second upload of the period is the same import, updated; its figures replace the first upload's.
    period = {
        "campaign": campaign,
        "organization_id": person.organization_id,
        "period_start": period_start,
        "period_end": period_end,
    }
    crm_import = CrmImport.objects.filter(**period).first() or CrmImport(**period)
    crm_import.file_name = file_name[:200]
    crm_import.file_sha256 = preview.sha256
    crm_import.rows = preview.rows
    crm_import.leads_by_stage = preview.leads_by_stage
    crm_import.imported_by = person
    save_validated(crm_import)
    kpis = {kpi.metric.code: kpi for kpi in CampaignKpi.objects.filter(campaign=campaign).select_related("metric")}
    for code, count in preview.figures.items():
        kpi_figure_record(
            measurement=KpiMeasurement(
                campaign=campaign,
                kpi=kpis[code],
                period_start=period_start,
                period_end=period_end,
                value=Decimal(count),
                reported_by=person,
                crm_import=crm_import,
                note=f"Counted from {file_name[:100]} ({preview.rows} leads).",
            )
        )
    return crm_import
