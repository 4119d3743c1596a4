"""Root URL configuration: probes, metrics, API, admin and the site."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from fbrain.accounts import views as account_views
from fbrain.accounts.forms import AdminSignInForm
from fbrain.core import views as core_views

# Every sign-in path shares the API's limits (fbrain.accounts.throttles) and answers 429 while locked out.
admin.site.login_form = AdminSignInForm

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
    path("api/", include("config.api_urls")),
    path(f"{settings.ADMIN_URL}login/", account_views.rate_limited(admin.site.login)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("accounts/login/", account_views.sign_in, name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("fbrain.web.urls")),
]

handler400 = "fbrain.core.errors.handler400"
handler403 = "fbrain.core.errors.handler403"
handler404 = "fbrain.core.errors.handler404"
handler500 = "fbrain.core.errors.handler500"
