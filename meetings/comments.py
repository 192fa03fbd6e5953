"""Meetings and decisions can be commented on (the thread shows on their pages and in the API)."""

from campaigns.registries.commentable import commentable
from meetings.models import Decision, Meeting

commentable("meeting", Meeting, admin_change="admin:meetings_meeting_change")
commentable("decision", Decision, admin_change="admin:meetings_decision_change")
