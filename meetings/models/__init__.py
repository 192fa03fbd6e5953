from meetings.models.calendar import CalendarToken
from meetings.models.log import ActionItem, Attendance, Decision
from meetings.models.series import Meeting, MeetingSeries

__all__ = ["ActionItem", "Attendance", "CalendarToken", "Decision", "Meeting", "MeetingSeries"]
