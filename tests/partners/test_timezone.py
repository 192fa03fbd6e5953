from django.test import RequestFactory
from django.utils import timezone

from partners.middleware import PersonTimezoneMiddleware
from tests.partners.factories import company_user


def test_it_shows_dates_in_the_signed_in_persons_time_zone(db):
    seen = {}

    def view(request):
        seen["zone"] = timezone.get_current_timezone_name()
        return None

    request = RequestFactory().get("/")
    request.user = company_user(time_zone="Asia/Tokyo")
    PersonTimezoneMiddleware(view)(request)
    assert seen["zone"] == "Asia/Tokyo"


def test_it_falls_back_to_utc_for_a_login_without_a_person(db, django_user_model):
    seen = {}
    request = RequestFactory().get("/")
    request.user = django_user_model.objects.create_user("nobody")
    PersonTimezoneMiddleware(lambda r: seen.setdefault("zone", timezone.get_current_timezone_name()))(request)
    assert seen["zone"] == "UTC"


def test_the_zone_ends_with_the_request(db):
    """What the thread does next (another test's services, work outside any request) reads the server's "today",
    not the last visitor's: a Tokyo visitor's request at 20:00 UTC once made a sign-off due a day late."""
    request = RequestFactory().get("/")
    request.user = company_user(time_zone="Asia/Tokyo")
    PersonTimezoneMiddleware(lambda r: None)(request)
    assert timezone.get_current_timezone_name() == "UTC"
