"""`./dev up` builds the demo's results report: the PDF renderer's narration stays out of the console."""

import logging

from campaigns.models import ResultsReport
from campaigns.services.reports import results_report_build, results_report_request
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.conftest import member_of_user


def test_drawing_a_pdf_logs_nothing_below_a_warning(alice, company_a, company_b, caplog):
    campaign = joint_campaign(company_a, company_b, name="Forecasting webinar")
    member_of_user(campaign, alice, is_decision_maker=True)
    DeliverableFactory(campaign=campaign, title="Landing page")
    caplog.set_level(logging.DEBUG)  # everything the configured loggers let through

    report = results_report_build(report_id=results_report_request(campaign=campaign, user=alice).pk)

    assert report.status == ResultsReport.Status.READY, report.error
    chatter = [r for r in caplog.records if r.name.split(".")[0] in ("fontTools", "weasyprint") and r.levelno < 30]
    assert chatter == []
