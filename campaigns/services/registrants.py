"""Counting a webinar platform's registrant export (Zoom, GoTo Webinar, ON24, Livestorm) into registrations and
attendees, per source company and in total, and into the importing company's KPI figures for the period.

The file streams through utilities.csv_import one row at a time: an import keeps the counts and one Registrant per
row, with only the fields the export has, inserted in batches as the rows come (memory stays bounded by a batch).
Who reads a registrant's personal data is the lead-sharing terms' (campaigns.models.registrants). Its columns are mapped
once per campaign: the mapping of the campaign's last import is used again while the file has those columns,
otherwise the usual header names of the platforms are guessed; either can be overridden. The same file (by its
SHA-256) is imported once per campaign: sending it again answers with the first import.
"""

import datetime
import hashlib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import BinaryIO

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from campaigns.models import Campaign, CampaignKpi, KpiMeasurement, KpiRound, Registrant, RegistrantImport
from campaigns.services.kpis import kpi_figure_record
from partners.models import Person
from utilities.csv_import import CsvExport
from utilities.tracking_links import utm_source_of
from utilities.validation import save_validated

MAX_BYTES = 20 * 1024 * 1024  # what an upload may be (BRAND_ASSET_MAX_UPLOAD_MB): 150,000 registrants fit
MAX_ROWS = 150_000
# The platforms' names for each column, best first (Zoom, GoTo Webinar, ON24, Livestorm exports).
USUAL_NAMES = {
    "email": ("email", "email address", "e-mail", "registrant email", "attendee email"),
    "attended": ("attended", "has attended", "attended (yes/no)", "attendance", "live attendee", "is attendee"),
    "source": ("utm_source", "utm source", "source name", "source", "partner ref", "partnerref", "tracking source"),
    "name": ("name", "full name", "registrant name", "attendee name", "user name (original name)"),
    "first_name": ("first name", "firstname", "first_name", "given name"),
    "last_name": ("last name", "lastname", "last_name", "surname", "family name"),
    "company": ("organization", "organisation", "company", "company name"),
    "job_title": ("job title", "jobtitle", "job_title", "title", "position"),
    "phone": ("phone", "phone number", "telephone", "mobile"),
    "country": ("country/region", "country", "country name"),
}
# The registrant's field each column fills, with its length there.
PERSON_COLUMNS = {"email": 254, "name": 200, "company": 200, "job_title": 200, "phone": 50, "country": 100}
BATCH = 2000
# What each role is called where a person reads it.
ROLE_LABELS = {
    "email": "e-mail address",
    "attended": "attended",
    "source": "tracking source",
    "name": "name",
    "first_name": "first name",
    "last_name": "last name",
    "company": "company",
    "job_title": "job title",
    "phone": "phone number",
    "country": "country",
}
REQUIRED = ("email",)
YES = {"yes", "y", "true", "1", "attended", "x"}
NO_SOURCE = "No company's link"


@dataclass
class Counted:
    registrants: int = 0
    attendees: int = 0
    by_source: list[dict] = field(default_factory=list)  # [{"organization", "name", "registrants", "attendees"}]
    columns: dict[str, str] = field(default_factory=dict)  # role -> the file's column
    header: list[str] = field(default_factory=list)
    detected: str = ""
    sha256: str = ""

    @property
    def named_columns(self) -> list[tuple[str, str]]:
        """(what it is, the file's column) of each column read, in words."""
        return [(ROLE_LABELS[role].capitalize(), column) for role, column in self.columns.items()]


def _sha256(stream: BinaryIO) -> str:
    digest = hashlib.sha256()
    stream.seek(0)
    while chunk := stream.read(64 * 1024):
        digest.update(chunk)
    return digest.hexdigest()


def _columns(export: CsvExport, campaign: Campaign, chosen: dict[str, str]) -> dict[str, str]:
    """The file's column for each role: chosen, else the campaign's last mapping, else the usual names."""
    last = RegistrantImport.objects.filter(campaign=campaign).order_by("-created_at", "-pk").first()
    remembered = last.columns if last else {}
    columns = {}
    for role, names in USUAL_NAMES.items():
        if chosen.get(role):
            column = export.column(chosen[role])
            if column is None:
                raise ValidationError(f"{export.detected}: the file has no column “{chosen[role][:100]}”.")
        else:
            column = export.column(remembered[role]) if remembered.get(role) else None
            column = column or export.column(*names)
        if column:
            columns[role] = column
    for role in REQUIRED:
        if role not in columns:
            raise ValidationError(
                f"{export.detected}: no {role} column among {', '.join(repr(c) for c in export.header[:20])}; "
                f"choose the column that holds each registrant's {role}."
            )
    return columns


def _person(row: dict[str, str], mapping: dict[str, str]) -> dict:
    """A registrant's fields from a row: only those the file has a column for."""
    person = {
        name: row[mapping[name]].strip()[:size] if name in mapping else "" for name, size in PERSON_COLUMNS.items()
    }
    if "name" in mapping:
        person["name"] = row[mapping["name"]].strip()[:200]
    else:
        parts = (row[mapping[part]].strip() for part in ("first_name", "last_name") if part in mapping)
        person["name"] = " ".join(part for part in parts if part)[:200]
    return person


def registrants_count(
    *,
    campaign: Campaign,
    stream: BinaryIO,
    columns: dict[str, str] | None = None,
    keep: Callable[[int, int | None, bool | None, dict], None] | None = None,
) -> Counted:
    """What the export holds, or a ValidationError naming how it was read, the row and the column. `keep` is
    given each registrant as it is read: its row, source company, attendance and personal fields."""
    export = CsvExport(stream, max_bytes=MAX_BYTES, max_rows=MAX_ROWS, rows_are="registrants")
    mapping = _columns(export, campaign, columns or {})
    companies = {
        utm_source_of(name): (organization_id, name)
        for organization_id, name in campaign.parties.values_list("organization_id", "organization__name")
    }
    registered, attended = Counter(), Counter()
    email, attended_column, source = mapping["email"], mapping.get("attended"), mapping.get("source")
    company_of: dict[str, tuple | None] = {}  # a file holds few sources: each is read as a company once
    for number, row in export.rows():
        if "@" not in row[email]:
            raise export.problem(number, email, f"“{row[email][:50]}” is not an e-mail address.")
        if source and row[source] not in company_of:
            company_of[row[source]] = companies.get(utm_source_of(row[source]))
        company = company_of[row[source]] if source else None
        registered[company] += 1
        came = row[attended_column].strip().lower() in YES if attended_column else None
        if came:
            attended[company] += 1
        if keep is not None:
            keep(number, company[0] if company else None, came, _person(row, mapping))
    if not registered:
        raise ValidationError(f"{export.detected}: the file has no registrants, only its header.")
    by_source = [
        {
            "organization": company[0] if company else None,
            "name": company[1] if company else NO_SOURCE,
            "registrants": registered[company],
            "attendees": attended[company],
        }
        for company in sorted(registered, key=lambda company: (company is None, company or ()))
    ]
    return Counted(
        registrants=sum(registered.values()),
        attendees=sum(attended.values()),
        by_source=by_source,
        columns=mapping,
        header=[name for name in export.header if name],
        detected=str(export.detected),
        sha256=_sha256(stream),
    )


_INSERTED = ("campaign", "registrant_import", "row", "source_organization", "attended", *PERSON_COLUMNS)


def _insert(rows: list[tuple]) -> None:
    """Registrants as plain rows (the fields of `_INSERTED`), in one statement run for each: a model instance per
    registrant, and the ORM's SQL built per row, took 45 times as long as reading the file."""
    if not rows:
        return
    quote = connection.ops.quote_name
    columns = ", ".join(quote(Registrant._meta.get_field(name).column) for name in _INSERTED)
    placeholders = ", ".join(["%s"] * len(_INSERTED))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {quote(Registrant._meta.db_table)} ({columns}) VALUES ({placeholders})", rows)


@transaction.atomic
def registrants_import(
    *,
    campaign: Campaign,
    person: Person,
    stream: BinaryIO,
    file_name: str,
    period_start,
    period_end,
    columns: dict[str, str] | None = None,
) -> tuple[RegistrantImport, bool]:
    """Count the export and record the registrations and attendees KPIs' figures of the importing company for the
    period (replacing a figure it had for it). Returns the import and whether it is new: the same file again
    answers with its first import and records nothing."""
    sha256 = _sha256(stream)
    earlier = RegistrantImport.objects.filter(campaign=campaign, file_sha256=sha256).first()
    if earlier is not None:
        return earlier, False
    # Saved first, so its people can point at it as they stream in; a refused row rolls all of it back.
    registrant_import = save_validated(
        RegistrantImport(
            campaign=campaign,
            organization_id=person.organization_id,
            period_start=period_start,
            period_end=period_end,
            file_name=file_name[:200],
            file_sha256=sha256,
            imported_by=person,
        )
    )
    batch: list[tuple] = []

    def keep(row: int, source: int | None, came: bool | None, fields: dict) -> None:
        batch.append((campaign.pk, registrant_import.pk, row, source, came, *(fields[name] for name in PERSON_COLUMNS)))
        if len(batch) >= BATCH:
            _insert(batch)
            batch.clear()

    counted = registrants_count(campaign=campaign, stream=stream, columns=columns, keep=keep)
    _insert(batch)
    registrant_import.columns = counted.columns
    registrant_import.registrants, registrant_import.attendees = counted.registrants, counted.attendees
    registrant_import.by_source = counted.by_source
    registrant_import.save(update_fields=["columns", "registrants", "attendees", "by_source"])
    figures = {"registrations": counted.registrants, "attendees": counted.attendees}
    if "attended" not in counted.columns:
        del figures["attendees"]  # a registration export without attendance says nothing of attendees
    for kpi in CampaignKpi.objects.filter(campaign=campaign, metric__code__in=figures).select_related("metric"):
        kpi_figure_record(
            measurement=KpiMeasurement(
                campaign=campaign,
                kpi=kpi,
                period_start=period_start,
                period_end=period_end,
                value=Decimal(figures[kpi.metric.code]),
                reported_by=person,
                note=f"Counted from {file_name[:100]} ({counted.registrants} registrants).",
            )
        )
    return registrant_import, True


def registrants_past_retention_erase(*, now=None) -> int:
    """Erase the registrants kept longer than the retention of the lead-sharing terms their campaign agreed last,
    counted from their import; the import's counts and the KPI figures stay. A campaign that agreed no terms has
    no retention to apply: only its importing company reads its registrants meanwhile. Returns how many were
    erased; run again, it erases nothing more."""
    now = now or timezone.now()
    kept = RegistrantImport.objects.filter(Exists(Registrant.objects.filter(registrant_import=OuterRef("pk"))))
    retention = {}  # campaign id -> days, of its last agreed round's terms
    for campaign_id, terms in (
        KpiRound.objects.filter(
            campaign_id__in=kept.values("campaign_id"), locked_at__isnull=False, agreed_lead_terms__isnull=False
        )
        .order_by("campaign_id", "number")
        .values_list("campaign_id", "agreed_lead_terms")
    ):
        retention[campaign_id] = terms["retention_days"]
    erased = 0
    for import_id, campaign_id, created_at in kept.values_list("pk", "campaign_id", "created_at"):
        days = retention.get(campaign_id)
        if days is not None and created_at + datetime.timedelta(days=days) <= now:
            erased += Registrant.objects.filter(registrant_import_id=import_id).delete()[0]
    return erased
