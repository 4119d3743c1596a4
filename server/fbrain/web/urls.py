"""URLs of the browser pages (namespace `web`)."""

from django.urls import path

from fbrain.web.views import settings as settings_views

app_name = "web"

urlpatterns = [
    path("settings/", settings_views.settings_page, name="settings"),
    path("settings/tokens/<int:token_id>/revoke", settings_views.token_revoke, name="token-revoke"),
]
