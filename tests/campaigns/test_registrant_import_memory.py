"""An export of 100,000 registrants is imported in bounded memory (issue 29's acceptance): read one row at a time,
its people inserted in batches as they come, and the registrations and attendees KPIs filled from it. The time and
the peak (tracemalloc) are printed: `pytest -s tests/campaigns/test_registrant_import_memory.py`."""

import datetime
import tempfile
import time
import tracemalloc

import pytest

from campaigns.models import KpiMeasurement, Registrant
from campaigns.services.registrants import BATCH, registrants_import
from tests.campaigns.kickoff_factories import kpi
from tests.utilities.bench_csv_import import write_export

ROWS = 100_000
# A batch of registrants and one row of the file at a time; the whole file's people would be ~100 MB.
PEAK_BOUND = 24 * 2**20


@pytest.mark.django_db
def test_a_100000_registrant_export_fills_the_kpis_in_bounded_memory(shared_campaign, alice, company_a):
    kpi(shared_campaign, "registrations", target="100000")
    kpi(shared_campaign, "attendees", target="50000")
    with tempfile.NamedTemporaryFile(suffix=".csv") as file:
        size = write_export(file.name, ROWS)
        started = time.perf_counter()
        tracemalloc.start()
        with open(file.name, "rb") as stream:
            registrant_import, _ = registrants_import(
                campaign=shared_campaign,
                person=alice.person,
                stream=stream,
                file_name="webinar.csv",
                period_start=datetime.date(2026, 11, 16),
                period_end=datetime.date(2026, 11, 22),
            )
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        seconds = time.perf_counter() - started
    print(f"\n{ROWS:,} registrants ({size / 2**20:.1f} MB) stored in batches of {BATCH:,}: {seconds:.1f} s, "
          f"{peak / 2**20:.2f} MB peak (tracemalloc)")  # fmt: skip

    assert peak < PEAK_BOUND
    assert (registrant_import.registrants, registrant_import.attendees) == (ROWS, ROWS // 2)
    assert Registrant.objects.filter(registrant_import=registrant_import).count() == ROWS
    figures = dict(KpiMeasurement.objects.values_list("kpi__metric__code", "value"))
    assert figures == {"registrations": ROWS, "attendees": ROWS // 2}
    sample = Registrant.objects.get(registrant_import=registrant_import, row=2)
    assert (sample.email, sample.name, sample.company, sample.job_title) == (
        "ada0@example.com",
        "Ada0 Lovelace",
        "Engines, Ltd",
        "Analyst",
    )
