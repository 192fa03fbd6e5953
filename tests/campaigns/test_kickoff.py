import pytest
from django.core.exceptions import ValidationError

from campaigns.models import KickoffCompanyPart, KickoffQuestionnaire, ToolAccess
from campaigns.selectors.kickoff import campaign_for_completeness, kickoff_completeness, tool_access_checklist
from campaigns.services import kickoff as services
from tests.campaigns.factories import member_of
from tests.campaigns.kickoff_factories import complete_company_part, complete_questionnaire, person_of
from utilities.validation import save_validated

COMPANY_QUESTIONS = 6  # legal review, brand assets, four processes
CAMPAIGN_QUESTIONS = 10


def completeness(campaign):
    return kickoff_completeness(campaign_for_completeness(campaign.pk))


def test_it_counts_nothing_answered_without_a_questionnaire(shared_campaign):
    result = completeness(shared_campaign)
    assert result.total == CAMPAIGN_QUESTIONS + 2 * COMPANY_QUESTIONS
    assert (result.answered, result.percent) == (0, 0)
    assert "Production process" in result.unanswered
    assert "Legal review (Company A)" in result.unanswered


def test_a_new_questionnaire_has_only_the_weekly_cadence_answered(shared_campaign):
    save_validated(KickoffQuestionnaire(campaign=shared_campaign))
    result = completeness(shared_campaign)
    assert result.answered == 1
    assert "Meeting cadence" not in result.unanswered
    assert len(result.unanswered) == result.total - 1


def test_a_half_filled_questionnaire_lists_what_is_missing(shared_campaign, company_a):
    save_validated(
        KickoffQuestionnaire(
            campaign=shared_campaign,
            production_process="Draft, review.",
            video_meeting_tool="Zoom",
            file_sharing_tool="Drive",
            file_review_tool="Figma",
        )
    )
    complete_company_part(shared_campaign, company_a)
    result = completeness(shared_campaign)
    assert result.answered == 5 + COMPANY_QUESTIONS  # process, 3 tools, cadence + company A's part
    assert result.percent == 11 * 100 // 22
    assert "Legal review (Company B)" in result.unanswered
    assert "Legal review (Company A)" not in result.unanswered
    assert "Tool access of every team member" in result.unanswered
    assert "How will we measure success? (KPIs with targets)" in result.unanswered


def test_a_complete_questionnaire_is_100_percent(shared_campaign):
    complete_questionnaire(shared_campaign)
    result = completeness(shared_campaign)
    assert (result.percent, result.unanswered) == (100, [])


def test_legal_review_is_answered_only_with_reviewer_and_turnaround(shared_campaign, company_a, alice):
    part = complete_company_part(shared_campaign, company_a, has_legal_review=True)
    assert "Legal review (Company A)" in completeness(shared_campaign).unanswered
    part.legal_reviewer = alice.person
    part.legal_turnaround_business_days = 3
    save_validated(part)
    assert "Legal review (Company A)" not in completeness(shared_campaign).unanswered


def test_it_refuses_a_legal_reviewer_of_another_company(shared_campaign, company_a, carol):
    with pytest.raises(ValidationError, match="legal reviewer must be a person of Company A"):
        complete_company_part(shared_campaign, company_a, has_legal_review=True, legal_reviewer=carol.person)


def test_it_refuses_answers_for_a_company_that_is_not_a_party(shared_campaign, company_c):
    with pytest.raises(ValidationError, match="Company C is not a party"):
        complete_company_part(shared_campaign, company_c)


def test_a_company_marks_its_own_part_complete(shared_campaign, company_a, alice):
    part = complete_company_part(shared_campaign, company_a)
    services.kickoff_part_mark_complete(part=part, person=alice.person)
    part.refresh_from_db()
    assert part.completed_at is not None and part.completed_by == alice.person


def test_it_refuses_marking_another_companys_part(shared_campaign, company_a, carol):
    part = complete_company_part(shared_campaign, company_a)
    with pytest.raises(ValidationError, match="Only people of Company A"):
        services.kickoff_part_mark_complete(part=part, person=carol.person)


def test_it_refuses_marking_a_part_with_unanswered_questions(shared_campaign, company_a, alice):
    part = save_validated(
        KickoffCompanyPart(campaign=shared_campaign, organization=company_a, social_posts_lead_days=2)
    )
    with pytest.raises(ValidationError) as refused:
        services.kickoff_part_mark_complete(part=part, person=alice.person)
    assert "Legal review (Company A)" in refused.value.messages[0]
    assert "Scheduling social posts" not in refused.value.messages[0]


def test_the_tool_access_checklist_lists_only_campaign_members(
    shared_campaign, other_campaign, company_a, company_b, alice, carol
):
    save_validated(KickoffQuestionnaire(campaign=shared_campaign, video_meeting_tool="Zoom", file_review_tool="Figma"))
    person_of(company_a, "Not on the team")
    member_of(other_campaign, company_b)
    services.tool_access_confirm(
        member=shared_campaign.members.get(person=alice.person),
        tool="video_meeting",
        has_access=True,
        person=alice.person,
    )
    lines = tool_access_checklist(shared_campaign)
    assert sorted(line.member.person.full_name for line in lines) == ["Alice", "Carol"]
    alice_line = next(line for line in lines if line.member.person == alice.person)
    assert alice_line.access == {"video_meeting": True, "file_review": None}


def test_a_colleague_confirms_tool_access_but_another_company_cannot(shared_campaign, alice, bob, carol):
    member = shared_campaign.members.get(person=alice.person)
    access = services.tool_access_confirm(member=member, tool="file_sharing", has_access=False, person=bob.person)
    assert access.confirmed_by == bob.person
    with pytest.raises(ValidationError, match="Only Alice or a colleague at Company A"):
        services.tool_access_confirm(member=member, tool="file_sharing", has_access=True, person=carol.person)
    assert ToolAccess.objects.get(member=member, tool="file_sharing").has_access is False
