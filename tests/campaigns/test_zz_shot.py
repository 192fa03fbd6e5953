import shutil

from campaigns.services.reports import results_report_build, results_report_request
from tests.campaigns import test_budget_report as t
from tests.campaigns.test_results_report import webinar  # noqa: F401


def test_shot(webinar, alice, carol, company_a, company_b):  # noqa: F811
    t.pipeline(webinar, carol, "3540")
    t.spend(webinar, company_a, company_b)
    report = results_report_build(report_id=results_report_request(campaign=webinar, user=alice).pk)
    with report.pdf.open("rb") as handle, open("/tmp/budget-report.pdf", "wb") as out:
        shutil.copyfileobj(handle, out)
