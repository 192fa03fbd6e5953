import datetime
import zoneinfo
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from campaigns.models import Campaign, CampaignChildQuerySet, KeptRecordQuerySet, KickoffQuestionnaire, Member
from campaigns.models.core import PARTY
from meetings import recurrence as rules
from partners.models import is_known_time_zone, validate_time_zone
from partners.scoping import ADD, CHANGE, DELETE, NOBODY, VIEW, while_open
from partners.scoping.versions import Versioned
from utilities.validation import validate_in_date_window, validate_single_line

# The kickoff questionnaire's answer to "What is the meeting cadence?" as a recurrence rule.
CADENCE_RULES = {
    KickoffQuestionnaire.Cadence.WEEKLY: rules.DEFAULT_RULE,
    KickoffQuestionnaire.Cadence.BIWEEKLY: "FREQ=WEEKLY;INTERVAL=2",
    KickoffQuestionnaire.Cadence.MONTHLY: "FREQ=MONTHLY",
}


class MeetingSeriesQuerySet(KeptRecordQuerySet):  # a series is ended, never deleted
    def active(self, now: datetime.datetime) -> "MeetingSeriesQuerySet":
        """Series with meetings still to come (no end, or a last meeting not yet past)."""
        return self.filter(Q(last_start__isnull=True) | Q(last_start__gte=now))


class MeetingSeries(Versioned):
    """The cadence of a campaign's meetings: a recurrence rule from a first local date and time in a named zone."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="meeting_series")
    title = models.CharField(max_length=200, default="Weekly joint meeting", validators=[validate_single_line])
    first_date = models.DateField("first meeting date", help_text="Local date, in the series' time zone.")
    start_time = models.TimeField("local start time", help_text="Wall-clock time in the series' time zone.")
    time_zone = models.CharField(
        max_length=64,
        validators=[validate_time_zone],
        help_text="IANA name, e.g. America/New_York. The meeting keeps this local time across daylight-saving changes.",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        default=30, validators=[MinValueValidator(5), MaxValueValidator(480)]
    )
    recurrence = models.CharField(
        max_length=255,
        blank=True,
        help_text=f"{rules.RULE_HELP} Leave empty to follow the kickoff questionnaire's meeting cadence.",
    )
    facilitator = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="facilitated_meeting_series")
    video_link = models.URLField(blank=True, help_text="Leave empty to use the kickoff questionnaire's video link.")
    default_attendees = models.ManyToManyField(
        Member,
        blank=True,
        related_name="meeting_series",
        help_text="Team members of any company invited to every meeting. Leave empty to invite the whole team.",
    )
    # Start (UTC) of the last meeting when the rule has an end; kept in step with the rule on save.
    last_start = models.DateTimeField("last meeting", null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(m2m_fields=[default_attendees])
    objects = MeetingSeriesQuerySet.as_manager()

    class Meta:
        verbose_name = "meeting series"
        verbose_name_plural = "meeting series"
        ordering = ["campaign_id", "first_date", "pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.campaign})" if self.campaign_id else self.title

    def save(self, *args, **kwargs) -> None:
        self.__dict__.pop("parsed_recurrence", None)
        last = self.parsed_recurrence.last_start
        self.last_start = last.astimezone(datetime.UTC) if last else None
        super().save(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_campaign_id = getattr(instance, "campaign_id", None)
        instance._stored_first_date = getattr(instance, "first_date", None)
        return instance

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def first_start(self) -> datetime.datetime:
        """The first meeting's start, aware in the series' zone."""
        return rules.local_start(self.first_date, self.start_time, self.zone)

    @property
    def duration(self) -> datetime.timedelta:
        return datetime.timedelta(minutes=self.duration_minutes)

    @cached_property
    def parsed_recurrence(self) -> rules.Recurrence:
        return rules.parse(self.recurrence, self.first_start)

    def clean(self) -> None:
        errors: dict[str, list] = {}
        stored_campaign = getattr(self, "_stored_campaign_id", None)
        if stored_campaign and self.campaign_id != stored_campaign:
            errors["campaign"] = ["A series stays with its campaign; end it and create one on the other campaign."]
        if self.facilitator_id and self.campaign_id and self.facilitator.campaign_id != self.campaign_id:
            errors["facilitator"] = [f"{self.facilitator} is not on this campaign's team; choose a team member."]
        if self.campaign_id and not (self.recurrence.strip() and self.video_link):
            self._fill_in_from_kickoff()
        if self.first_date and self.start_time and is_known_time_zone(self.time_zone):
            self.__dict__.pop("parsed_recurrence", None)
            try:
                if self.first_date != getattr(self, "_stored_first_date", None):
                    validate_in_date_window(self.first_date, "first_date")
                rules.check_wall_time_exists(self.first_start)
                self.recurrence = self.parsed_recurrence.text
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    errors.setdefault(field, []).extend(messages)
        if errors:
            raise ValidationError(errors)

    def _fill_in_from_kickoff(self) -> None:
        kickoff = KickoffQuestionnaire.objects.filter(campaign_id=self.campaign_id).first()
        if not self.recurrence.strip():
            self.recurrence = CADENCE_RULES.get(kickoff.meeting_cadence if kickoff else "", rules.DEFAULT_RULE)
        if not self.video_link and kickoff:
            self.video_link = kickoff.video_meeting_link

    def invalid_attendees(self, members) -> list[Member]:
        """Members offered as default attendees that are not on this series' campaign team."""
        return [member for member in members if member.campaign_id != self.campaign_id]


class MeetingQuerySet(CampaignChildQuerySet):
    # Occurrences come from their series; every party logs, moves or cancels one, none deletes it.
    campaign_path = "series__campaign"
    rules = while_open({VIEW: PARTY, ADD: NOBODY, CHANGE: PARTY, DELETE: NOBODY})


class Meeting(Versioned):
    """One occurrence of a series; its log (attendance, agenda, notes, decisions, action items) hangs off it."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held (logged)"
        CANCELLED = "cancelled", "Cancelled"

    series = models.ForeignKey(MeetingSeries, on_delete=models.PROTECT, related_name="meetings")
    # The occurrence of the rule this meeting is (RFC 5545 RECURRENCE-ID): its local date and original start.
    occurrence_date = models.DateField(editable=False)
    original_start = models.DateTimeField(editable=False)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.SCHEDULED, editable=False)
    is_rescheduled = models.BooleanField(
        default=False, editable=False, help_text="Moved away from the series' time; kept when the series changes."
    )
    agenda = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    logged_at = models.DateTimeField(null=True, blank=True, editable=False)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )

    history = HistoricalRecords()
    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "original_start"],
                name="meeting_once_per_occurrence",
                violation_error_message="This series already has a meeting at that time.",
            ),
            models.UniqueConstraint(
                fields=["series", "occurrence_date"],
                name="meeting_once_per_series_day",
                violation_error_message="This series already has a meeting on that day.",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")),
                name="meeting_ends_after_start",
                violation_error_message="A meeting must end after it starts.",
            ),
        ]
        indexes = [models.Index(fields=["starts_at", "id"], name="meeting_starts_idx")]  # lists in their order

    def __str__(self) -> str:
        if not self.starts_at:
            return "Meeting"
        local = self.starts_at.astimezone(self.series.zone)
        return f"{self.series.title}, {local:%a %d %b %Y %H:%M} {self.series.time_zone}"

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_times = (getattr(instance, "starts_at", None), getattr(instance, "ends_at", None))
        return instance

    def clean(self) -> None:
        # A moved meeting stays within the planning window (a typo'd year 9999 overflows when a zone is added).
        stored = getattr(self, "_stored_times", (None, None))
        for field, value, before in (("starts_at", self.starts_at, stored[0]), ("ends_at", self.ends_at, stored[1])):
            if value and value != before:
                validate_in_date_window(value, field)

    @property
    def campaign(self) -> Campaign:
        return self.series.campaign

    @property
    def campaign_id(self) -> int:
        return self.series.campaign_id

    @property
    def is_logged(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def local_start(self) -> datetime.datetime:
        return self.starts_at.astimezone(self.series.zone)
