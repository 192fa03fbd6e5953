import html

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from campaigns.models import Comment, RaciAssignment, Reminder, ReminderOptOut
from campaigns.outbox.notices import comments_mentioning
from campaigns.services.comments import comment_save
from tests.campaigns.factories import DeliverableFactory, comment_by, joint_campaign
from tests.clients import admin_of, api_of
from tests.conftest import member_of_user
from tests.querycount import queries_of

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def page(shared_campaign, alice, bob, carol):
    """A landing page of A and B: Bob (company A) Responsible and Accountable."""
    member_of_user(shared_campaign, bob)
    page = DeliverableFactory(campaign=shared_campaign, title="Landing page")
    bob_member = shared_campaign.members.get(person=bob.person)
    for role in ("R", "A"):
        RaciAssignment.objects.create(deliverable=page, member=bob_member, role=role)
    return page


def told(kind="comment"):
    return sorted(Reminder.objects.filter(kind=kind).values_list("person__full_name", flat=True))


def test_it_tells_each_mentioned_person_and_the_responsible_once(page, alice):
    comment_by(alice, page, "@Bob and @Carol: see the draft.\n@bob, once more: the hero image.")
    assert told() == ["Bob", "Carol"]  # Bob: mentioned twice, Responsible and Accountable; one message
    notice = Reminder.objects.get(kind="comment", person__full_name="Carol")
    assert notice.subject_line == "Alice mentioned you in a comment on “Landing page”"
    assert "@Bob and @Carol: see the draft." in notice.body_text


def test_an_edit_tells_only_the_people_it_mentions_for_the_first_time(page, alice, carol):
    comment = comment_by(alice, page, "Draft is up, @Carol.")
    comment.text = "Draft is up, @Carol. @Bob, the hero image please."
    comment_save(comment=comment, user=alice)
    assert told() == ["Bob", "Carol"]  # Bob once (he was told of the new comment as Responsible), Carol once
    assert Reminder.objects.filter(kind="comment", person__full_name="Bob").count() == 1


def test_an_unknown_or_outside_name_after_an_at_stays_plain_text(page, alice, charlie):
    comment = comment_by(alice, page, "Ask @Charlie or write to press@a.example, @nobody")
    assert list(comment.mentioned.all()) == []
    assert told() == ["Bob"]  # the Responsible, nobody else


def test_who_turned_off_comment_e_mails_finds_their_mentions_in_the_weekly_digest(page, alice, carol):
    ReminderOptOut.objects.create(person=carol.person, kind="comment")
    comment_by(alice, page, "@Carol, the hero image please")
    assert told() == ["Bob"]
    lines = comments_mentioning([carol.person.pk, alice.person.pk], timezone.now())
    assert [(line.person_id, line.text) for line in lines] == [
        (carol.person.pk, "Alice mentioned you in a comment (A and B webinar)")
    ]


def test_a_note_for_my_company_refuses_a_mention_of_the_partner(page, alice):
    with pytest.raises(ValidationError) as refused:
        comment_by(alice, page, "@Carol is slow", only_my_company=True)
    assert "This note is for Company A only, so Carol (Company B) would never see it" in str(refused.value)


def test_edits_are_kept_in_the_history_with_who_and_the_earlier_text(page, alice):
    comment = comment_by(alice, page, "First words")
    comment.text = "Second words"
    comment_save(comment=comment, user=alice)
    old, new = comment.history.order_by("history_date")
    assert (old.text, new.text) == ("First words", "Second words")
    assert new.history_user == alice and comment.edited_at is not None


def test_only_the_author_edits_and_a_stale_version_is_refused(page, alice, bob, carol):
    comment = comment_by(alice, page, "Draft is up")
    url = f"/api/comments/{comment.pk}/"
    refused = api_of(carol).patch(url, {"text": "Not mine"}, format="json")
    assert refused.status_code == 403 and "Only the person who wrote it" in refused.json()["detail"]
    assert api_of(bob).patch(url, {"text": "Not mine either"}, format="json").status_code == 403
    assert api_of(alice).patch(url, {"text": "Draft v2", "version": 1}, format="json").status_code == 200
    stale = api_of(alice).patch(url, {"text": "Draft v3", "version": 1}, format="json")
    assert stale.status_code == 409 and stale.json()["current"]["text"] == "Draft v2"


def test_the_api_takes_a_comment_on_what_the_user_sees_and_sets_who_wrote_it(page, alice, carol, company_a, company_c):
    hidden = DeliverableFactory(campaign=joint_campaign(company_a, company_c))
    client = api_of(carol)
    body = {"target_kind": "deliverable", "target_id": hidden.pk, "text": "Hi"}
    assert client.post("/api/comments/", body, format="json").json() == {
        "target_id": [f"There is no deliverable #{hidden.pk}."]
    }
    body = {"target_kind": "campaign", "target_id": page.pk, "text": "Hi"}
    assert "cannot be commented on" in client.post("/api/comments/", body, format="json").json()["target_kind"][0]
    body = {"target_kind": "deliverable", "target_id": page.pk, "text": "Hi @Alice", "organization": company_a.pk}
    made = client.post("/api/comments/", body, format="json").json()
    assert made["author_name"] == "Carol" and made["organization"] == carol.person.organization_id
    assert made["campaign"] == page.campaign_id and made["mentioned"] == [alice.person.pk]
    too_long = {**body, "text": "x" * 5001}
    assert "at most 5000" in str(client.post("/api/comments/", too_long, format="json").json())


def test_the_thread_shows_text_as_typed_with_its_line_breaks(page, alice, carol):
    comment_by(alice, page, "<script>alert(1)</script>\nsecond line")
    shown = admin_of(carol).get(f"/admin/campaigns/deliverable/{page.pk}/change/").content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>second line" in shown
    assert "<script>alert(1)" not in shown


def test_an_attachment_is_checked_like_a_brand_asset_and_downloaded_by_the_campaign_only(page, alice, carol, charlie):
    with pytest.raises(ValidationError, match="SVG files can run scripts"):
        comment_by(alice, page, "logo", attachment=SimpleUploadedFile("logo.svg", b"<svg/>"))
    comment = comment_by(alice, page, "logo", attachment=SimpleUploadedFile("logo.png", PNG))
    url = f"/files/comments/{comment.pk}/attachment/"
    got = admin_of(carol).get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    assert 'filename="logo.png"' in got["Content-Disposition"]
    assert admin_of(charlie).get(url).status_code == 404


# --- A note for one company only ----------------------------------------------------------------------------------


@pytest.fixture
def private_note(page, alice, carol):
    """Company B's Carol is Consulted on the page; Alice writes a note for company A only, with a file."""
    RaciAssignment.objects.create(deliverable=page, member=page.campaign.members.get(person=carol.person), role="C")
    return comment_by(
        alice,
        page,
        "Their legal is slow; escalate to @Bob",
        only_my_company=True,
        attachment=SimpleUploadedFile("notes.png", PNG),
    )


def test_a_private_note_reaches_its_company_on_every_door(private_note, page, bob):
    admin = admin_of(bob)
    assert "Their legal is slow" in admin.get(f"/admin/campaigns/deliverable/{page.pk}/change/").content.decode()
    assert admin.get(f"/admin/campaigns/comment/{private_note.pk}/change/").status_code == 200
    assert [row["id"] for row in api_of(bob).get("/api/comments/").json()["results"]] == [private_note.pk]
    assert told() == ["Bob"]


def test_a_private_note_is_invisible_to_the_partner_on_every_door(private_note, page, carol):
    admin, api = admin_of(carol), api_of(carol)
    pages = [
        f"/admin/campaigns/deliverable/{page.pk}/change/",  # the thread
        "/admin/campaigns/comment/",  # the list
        "/admin/campaigns/comment/?q=legal",  # search
        f"/admin/campaigns/comment/?only_my_company__exact=1&campaign__id__exact={page.campaign_id}",  # filters
    ]
    for url in pages:
        answer = admin.get(url)
        assert answer.status_code == 200 and "legal is slow" not in html.unescape(answer.content.decode()), url
    missing = admin.get("/admin/campaigns/comment/999999/change/")
    assert admin.get(f"/admin/campaigns/comment/{private_note.pk}/change/").url == missing.url  # as a missing one
    for url in (
        f"/admin/campaigns/comment/{private_note.pk}/history/",
        f"/files/comments/{private_note.pk}/attachment/",
    ):
        assert admin.get(url).status_code == 404, url
    assert api.get("/api/comments/").json()["results"] == []
    assert api.get("/api/comments/", {"only_my_company": True}).json()["results"] == []
    assert api.get(f"/api/comments/{private_note.pk}/").status_code == 404
    assert api.patch(f"/api/comments/{private_note.pk}/", {"text": "x"}, format="json").status_code == 404
    assert "Carol" not in told()  # Consulted on the page, but never told of the note


def test_a_partner_mentioned_in_a_shared_comment_is_told(private_note, page, alice):
    comment_by(alice, page, "@Carol please review")
    assert told() == ["Bob", "Bob", "Carol"]  # Bob: the note, and the new comment as Responsible


# --- Query counts --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("door", ["admin", "api"])
def test_a_thread_costs_the_same_queries_at_3_and_30_comments(page, alice, carol, door):
    def read():
        if door == "admin":
            return admin_of(carol).get(f"/admin/campaigns/deliverable/{page.pk}/change/")
        return api_of(carol).get("/api/comments/", {"target_kind": "deliverable", "target_id": page.pk})

    def with_comments(n):
        while Comment.objects.count() < n:
            comment_by(alice, page, f"Comment {Comment.objects.count()} @Carol")
        return queries_of(read)

    assert with_comments(3) == with_comments(30)


def test_a_comment_added_in_the_admin_leads_back_to_its_thread(page, alice, carol):
    admin = admin_of(carol)
    url = f"/admin/campaigns/comment/add/?target_kind=deliverable&target_id={page.pk}"
    form = admin.get(url).content.decode()
    assert 'name="text"' in form and 'name="author"' not in form and 'name="organization"' not in form
    body = {"target_kind": "deliverable", "target_id": page.pk, "text": "Looks good @Alice"}
    saved = admin.post(url, body)
    assert saved.status_code == 302 and saved.url == f"/admin/campaigns/deliverable/{page.pk}/change/"
    comment = Comment.objects.get()
    assert (comment.author, comment.organization, list(comment.mentioned.all())) == (
        carol.person,
        carol.person.organization,
        [alice.person],
    )
