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
