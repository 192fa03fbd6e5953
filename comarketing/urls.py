from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView

from comarketing.api.auth import TokenLoginView, TokenLogoutAllView, TokenLogoutView
from comarketing.api.router import router
from comarketing.health import ReadinessView, liveness
from partners.welcome import WelcomeView

urlpatterns = [
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    path("admin/", admin.site.urls),
    path("welcome/<uidb64>/<token>/", WelcomeView.as_view(), name="welcome"),
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
]
