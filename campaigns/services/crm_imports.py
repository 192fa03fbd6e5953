"""Counting a company's CRM lead export into the period's KPI figures.

The export holds the campaign's leads to date (as CRM exports do), so the figures are cumulative to the end of
the period, like every measurement. The company's own statuses become the shared funnel stages through the
reporting plan's lead-status mapping. The funnel is cumulative: a lead at "SQL" has been an MQL and a new lead
too. Each shared KPI the campaign tracks among net-new leads, MQLs and SQLs gets the period's figure, reported
by the person importing. A malformed file is refused with the row and column named and nothing saved;
importing the same period again updates that import and replaces its figures (as any second report of a
company's figure for a period does: campaigns.services.kpis.kpi_figure_record).
"""

import csv
import hashlib
import io
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from campaigns.models import Campaign, CampaignKpi, CrmImport, KpiMeasurement, LeadStatusMapping
from campaigns.services.kpis import kpi_figure_record
from partners.models import Person
from utilities.validation import save_validated

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 100_000
STATUS_COLUMNS = ("lead status", "status", "lifecycle stage")  # the first found is used, whatever its case
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

    @property
    def named_figures(self) -> list[tuple[str, int]]:
        return [(self.names[code], count) for code, count in self.figures.items()]


def _unreadable(row: int, error: csv.Error | UnicodeDecodeError) -> ValidationError:
    if isinstance(error, UnicodeDecodeError):
        return ValidationError(f"Row {row}: the file is not UTF-8 text: export it from the CRM as CSV (UTF-8).")
    return ValidationError(f"Row {row}: this is not a CSV file a CRM exports ({error}).")


def _reader(content: bytes) -> csv.DictReader:
    """A reader of the export's rows, one at a time (a 5 MB file of one-character rows would be 2.6 million
    dicts held at once), its header read: bounded in bytes before anything is parsed; decoded as it is read."""
    if len(content) > MAX_BYTES:
        raise ValidationError(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    text = io.TextIOWrapper(io.BytesIO(content), encoding="utf-8-sig", newline="")
    try:
        sample = text.read(4096)
        text.seek(0)
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        reader = csv.DictReader(text, dialect=dialect)
        reader.fieldnames  # noqa: B018 (reads the header row)
    except (csv.Error, UnicodeDecodeError) as error:
        raise _unreadable(1, error) from None
    return reader


def _counted_rows(reader: csv.DictReader) -> Iterator[tuple[int, dict[str, str]]]:
    """(row number, row) for each lead, refused at the first row past MAX_ROWS, at a field longer than the csv
    module reads or at bytes that are not UTF-8, naming the row (the header is row 1)."""
    number = 1
    try:
        for number, row in enumerate(reader, start=2):
            if number - 1 > MAX_ROWS:
                raise ValidationError(f"The file has more than {MAX_ROWS:,} leads; split it by period.")
            yield number, row
    except (csv.Error, UnicodeDecodeError) as error:
        raise _unreadable(number + 1, error) from None


def crm_import_preview(*, campaign: Campaign, organization_id: int, content: bytes) -> Preview:
    """What importing `content` would record, or a ValidationError naming the first bad row and column."""
    reader = _reader(content)
    header = reader.fieldnames or []
    headers = {name.strip().lower(): name for name in header if name}
    column = next((headers[name] for name in STATUS_COLUMNS if name in headers), None)
    if header and column is None:
        raise ValidationError(f"No status column: name one of {', '.join(repr(c.title()) for c in STATUS_COLUMNS)}.")
    mapping = {
        crm_status.strip().lower(): stage
        for crm_status, stage in LeadStatusMapping.objects.filter(
            plan__campaign=campaign, organization_id=organization_id
        ).values_list("crm_status", "shared_stage")
    }
    if header and not mapping:
        raise ValidationError("Your company has not mapped its CRM statuses yet: map them in the reporting plan.")
    stages, rows = Counter(), 0
    for number, row in _counted_rows(reader):
        status = (row.get(column) or "").strip()
        if not status:
            raise ValidationError(f"Row {number}, column “{column}”: the status is empty.")
        stage = mapping.get(status.lower())
        if stage is None:
            raise ValidationError(
                f"Row {number}, column “{column}”: “{status[:50]}” is not mapped to a shared stage "
                "in the reporting plan."
            )
        stages[stage] += 1
        rows += 1
    if not rows:
        raise ValidationError("The file has no leads: a header row and one row per lead are expected.")
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
    )


@transaction.atomic
def crm_import_apply(
    *, campaign: Campaign, person: Person, content: bytes, file_name: str, period_start, period_end
) -> CrmImport:
    """Record the period's figures from the export, replacing an earlier import of the same period."""
    preview = crm_import_preview(campaign=campaign, organization_id=person.organization_id, content=content)
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
