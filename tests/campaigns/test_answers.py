"""One-click answers from e-mail: signed, expiring, single-use, bound to the recipient and the version it answers."""

import datetime
import html
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client

from campaigns.models import (
    Deliverable,
    Invitation,
    KickoffQuestionnaire,
    Party,
    RaciAssignment,
    Reminder,
    SignoffApprover,
    SignoffRequest,
)
from campaigns.services.invitations import invitation_create
from tests.campaigns.factories import DeliverableFactory, joint_campaign
from tests.clients import admin_of
from utilities.validation import save_validated


def link_in(reminder: Reminder, label: str) -> str:
    """The path of a one-click link of a message, as its text body shows it."""
    url = re.search(rf"^{label}: (\S+)$", reminder.body_text, re.MULTILINE).group(1)
    return url.removeprefix(settings.SITE_URL.rstrip("/"))


def page_text(response) -> str:
    return html.unescape(response.content.decode())


@pytest.fixture
def review(shared_campaign, alice, carol):
    """Carol (company B) is asked to sign off the landing page by e-mail."""
    page = DeliverableFactory(campaign=shared_campaign, title="Landing page", type=Deliverable.Type.LANDING_PAGE)
    carol_member = shared_campaign.members.get(person=carol.person)
    save_validated(RaciAssignment(deliverable=page, member=carol_member, role="R"))
    questionnaire = save_validated(KickoffQuestionnaire(campaign=shared_campaign))
    save_validated(SignoffApprover(questionnaire=questionnaire, deliverable_type="landing_page", member=carol_member))
    page.needs_signoff = True
    page.status = Deliverable.Status.IN_REVIEW
    save_validated(page)
    return SignoffRequest.objects.get(deliverable=page, reviewer=carol.person)


@pytest.fixture
def mail(review):
    return Reminder.objects.get(kind="signoff_request", person=review.reviewer)


def test_the_review_request_carries_approve_and_request_changes_links(mail):
    assert "Answer in one click (you confirm on the page it opens):" in mail.body_text
    assert link_in(mail, "Approve").startswith("/answer/") and link_in(mail, "Request changes").startswith("/answer/")
    assert link_in(mail, "Approve") in mail.body_html


def test_opening_the_link_only_asks_and_confirming_approves_without_a_session(review, mail):
    browser = Client()  # no session: the link is opened from the mail
    asked = browser.get(link_in(mail, "Approve"))
    assert asked.status_code == 200 and "You are answering as <strong>Carol</strong> (Company B)" in page_text(asked)
    review.refresh_from_db()
    assert review.status == SignoffRequest.Status.PENDING  # a GET (a mail scanner) answers nothing
    done = browser.post(link_in(mail, "Approve"))
    assert done.status_code == 200 and "Your answer “Approve” on Sign-off of “Landing page”" in page_text(done)
    review.refresh_from_db()
    assert review.status == SignoffRequest.Status.APPROVED
    assert review.approved_content == {"title": "Landing page", "link": ""}
    assert review.history.first().history_user == review.reviewer.user


def test_a_replayed_link_is_refused(review, mail):
    assert Client().post(link_in(mail, "Approve")).status_code == 200
    again = Client().post(link_in(mail, "Approve"))
    assert again.status_code == 409 and "This link was already used" in page_text(again)
    assert "already used" in page_text(Client().get(link_in(mail, "Approve")))


def test_a_link_forwarded_to_another_person_is_refused(review, mail, alice):
    forwarded = admin_of(alice)  # Alice, signed in, opens Carol's link
    for answer in (forwarded.get, forwarded.post):
        refused = answer(link_in(mail, "Approve"))
        assert refused.status_code == 409
        assert "This link was sent to Carol, and only answers for them" in page_text(refused)
    review.refresh_from_db()
    assert review.status == SignoffRequest.Status.PENDING


def test_a_link_after_the_content_changed_is_refused_with_the_change(review, mail, alice):
    page = review.deliverable
    page.title = "Landing page (new offer)"
    page._history_user = alice
    save_validated(page)
    refused = Client().post(link_in(mail, "Approve"))
    shown = page_text(refused)
    assert refused.status_code == 409 and "changed after the e-mail was sent" in shown
    assert "title: “Landing page” → “Landing page (new offer)”" in shown
    review.refresh_from_db()
    assert review.status == SignoffRequest.Status.PENDING


def test_requesting_changes_asks_for_the_comment_first(review, mail):
    url = link_in(mail, "Request changes")
    assert 'label for="id_note"' in Client().get(url).content.decode()
    missing = Client().post(url, {"note": "  "})
    assert missing.status_code == 409 and "a comment is required" in page_text(missing)
    assert Client().post(url, {"note": "Use the new logo"}).status_code == 200  # the refusal did not use the link up
    review.refresh_from_db()
    assert (review.status, review.comment) == (SignoffRequest.Status.CHANGES_REQUESTED, "Use the new logo")


def test_an_expired_or_altered_link_is_refused(review, mail):
    url = link_in(mail, "Approve")
    with time_machine.travel(datetime.timedelta(days=settings.ANSWER_LINK_DAYS + 1)):
        assert "This link has expired" in page_text(Client().post(url))
    altered = Client().post(url.replace("/answer/", "/answer/x"))
    assert altered.status_code == 409 and "This link is not valid" in page_text(altered)
    review.refresh_from_db()
    assert review.status == SignoffRequest.Status.PENDING


def test_an_invitation_is_accepted_from_its_e_mail(company_a, company_c, alice, charlie):
    campaign = joint_campaign(company_a)
    invitation = invitation_create(user=alice, campaign=campaign, organization=company_c)
    mail = Reminder.objects.get(kind="invitation", person=charlie.person)
    assert Client().post(link_in(mail, "Accept")).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert Party.objects.filter(campaign=campaign, organization=company_c, role=Party.Role.PARTNER).exists()
