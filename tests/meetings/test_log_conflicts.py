"""Two facilitators logging the same meeting: the second to save sees what the first wrote, and nothing of the
first is lost without a word."""

import datetime
import html

import time_machine
from django.urls import reverse

from meetings.models import Meeting
from tests.clients import admin_of
from tests.forms import form_data

AFTER_FIRST_MEETING = datetime.datetime(2026, 11, 24, 16, 0, tzinfo=datetime.UTC)


@time_machine.travel(AFTER_FIRST_MEETING, tick=False)
def test_the_second_facilitator_to_save_the_log_sees_the_first_ones_notes(alice, carol, weekly):
    meeting = Meeting.objects.filter(series=weekly).first()
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    alices = form_data(admin_of(alice).get(url), "meeting_form")
    carols = form_data(admin_of(carol).get(url), "meeting_form")

    assert admin_of(alice).post(url, {**alices, "notes": "Alice: speakers confirmed."}).status_code == 302
    conflict = admin_of(carol).post(url, {**carols, "notes": "Carol: budget approved."})

    assert conflict.status_code == 200
    text = html.unescape(conflict.content.decode())
    assert "Someone else saved this meeting after you opened it (by Alice" in text
    assert "Notes: theirs “Alice: speakers confirmed.”, yours “Carol: budget approved.” (you both changed it)." in text
    assert Meeting.objects.get(pk=meeting.pk).notes == "Alice: speakers confirmed."

    # Carol merges both minutes and saves again: her form now carries the current version.
    merged = {**form_data(conflict, "meeting_form"), "notes": "Alice: speakers confirmed. Carol: budget approved."}
    assert admin_of(carol).post(url, merged).status_code == 302
    assert Meeting.objects.get(pk=meeting.pk).notes == "Alice: speakers confirmed. Carol: budget approved."
