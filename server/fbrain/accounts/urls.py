"""API URLs for accounts."""

from django.urls import path

from fbrain.accounts import api

urlpatterns = [
    path("tokens/", api.TokenListApi.as_view(), name="tokens"),
    path("tokens/<int:token_id>/", api.TokenDetailApi.as_view(), name="token-detail"),
    path("auth/token", api.SignInApi.as_view(), name="auth-token"),
    path("auth/signup", api.SignUpApi.as_view(), name="auth-signup"),
]
