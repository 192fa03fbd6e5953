from django.urls import path

from partners.sso import views

urlpatterns = [
    path("", views.sign_in_with_company, name="sso-start"),
    path("callback/", views.sign_in_callback, name="sso-callback"),
]
