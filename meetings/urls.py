from django.urls import path

from meetings import views

app_name = "meetings"
urlpatterns = [
    path("<str:secret>.ics", views.calendar_feed, name="calendar-feed"),
]
