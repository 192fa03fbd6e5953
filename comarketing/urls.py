from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from campaigns.pages.answers import answer_page
from comarketing.api.auth import TokenLoginView, TokenLogoutAllView, TokenLogoutView
from comarketing.api.router import router
from comarketing.health import ReadinessView, liveness
from partners.password_reset import ThrottledPasswordResetView
from partners.welcome import WelcomeView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    # "Forgot your password?" (the admin's login page links it by its name) with the admin's own templates.
    path("password-reset/", ThrottledPasswordResetView.as_view(), name="admin_password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("admin/", admin.site.urls),
    path("welcome/<uidb64>/<token>/", WelcomeView.as_view(), name="welcome"),
    path("answer/<str:token>/", answer_page, name="answer"),
    path("api/", include(router.urls)),
    path("api/token/", TokenLoginView.as_view(), name="api-token"),
    path("api/token/logout/", TokenLogoutView.as_view(), name="api-token-logout"),
    path("api/token/logout-all/", TokenLogoutAllView.as_view(), name="api-token-logout-all"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script from this site too, so no inline script needs the CSP's leave.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("healthz", ReadinessView.as_view(), name="healthz"),
    path("readyz", ReadinessView.as_view(), name="readyz"),
    path("livez", liveness, name="livez"),
    path("api-auth/", include("rest_framework.urls")),
    path("files/", include("campaigns.urls")),
    path("calendar/", include("meetings.urls")),
    path("sso/", include("partners.sso.urls")),
]
