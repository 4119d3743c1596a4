"""Accounts API: API tokens (create, list, rename, revoke), sign-in for a token, optional sign-up."""

from typing import cast

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from fbrain.accounts import selectors, services, throttles
from fbrain.accounts.models import ApiToken
from fbrain.core.errors import DomainError, NotFound
from fbrain.core.schema import ERROR_RESPONSES
from fbrain.core.validation import NewestFirstPagination, TextField, body_params, cursor_page, query_params


class TokenOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="First characters of the key, to tell tokens apart.")
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)
    is_active = serializers.BooleanField()


class NewTokenOutput(TokenOutput):
    token = serializers.CharField(help_text="The secret key. Shown once: store it now.")


class TokenNameInput(serializers.Serializer):
    name = TextField(max_length=100)


class TokenListQuery(serializers.Serializer):
    cursor = serializers.CharField(required=False, max_length=1000, help_text="From `next`/`previous`.")
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100, default=50)


def _user(request: Request) -> User:
    # Only called behind IsAuthenticated: the user is a real account.
    return cast(User, request.user)


def _created_token(token: ApiToken, key: str) -> Response:
    """201 with the new token (its secret shown once) and its `Location`."""
    response = Response(_new_token_body(token, key), status=status.HTTP_201_CREATED)
    response["Location"] = reverse("api-v1:token-detail", args=[token.pk])
    return response


def _new_token_body(token: object, key: str) -> dict[str, object]:
    return {**TokenOutput(token).data, "token": key}


class TokenListApi(APIView):
    throttle_classes = [throttles.TokenCreateThrottle]

    @extend_schema(
        operation_id="tokens_list",
        parameters=[TokenListQuery],
        responses={200: cursor_page("TokenPage", TokenOutput(many=True)), **ERROR_RESPONSES},
    )
    def get(self, request: Request) -> Response:
        query_params(TokenListQuery, request)
        paginator = NewestFirstPagination()
        page = paginator.paginate_queryset(selectors.token_list(user=_user(request)), request, view=self)
        return paginator.get_paginated_response(TokenOutput(page, many=True).data)

    @extend_schema(
        operation_id="tokens_create", request=TokenNameInput, responses={201: NewTokenOutput, **ERROR_RESPONSES}
    )
    def post(self, request: Request) -> Response:
        data = body_params(TokenNameInput, request)
        token, key = services.token_create(user=_user(request), name=data["name"])
        return _created_token(token, key)


class TokenDetailApi(APIView):
    def _get(self, request: Request, token_id: int) -> object:
        token = selectors.token_list(user=_user(request)).filter(pk=token_id).first()
        if token is None:
            raise NotFound("No such token.")
        return token

    @extend_schema(operation_id="tokens_retrieve", responses={200: TokenOutput, **ERROR_RESPONSES})
    def get(self, request: Request, token_id: int) -> Response:
        return Response(TokenOutput(self._get(request, token_id)).data)

    @extend_schema(
        operation_id="tokens_rename", request=TokenNameInput, responses={200: TokenOutput, **ERROR_RESPONSES}
    )
    def patch(self, request: Request, token_id: int) -> Response:
        data = body_params(TokenNameInput, request, partial=True)
        if "name" not in data:  # nothing to change: PATCH {} answers the token as it is
            return Response(TokenOutput(self._get(request, token_id)).data)
        token = services.token_rename(user=_user(request), token_id=token_id, name=data["name"])
        return Response(TokenOutput(token).data)

    @extend_schema(
        operation_id="tokens_revoke",
        responses={204: OpenApiResponse(description="Revoked; the token stops working at once."), **ERROR_RESPONSES},
    )
    def delete(self, request: Request, token_id: int) -> Response:
        services.token_revoke(user=_user(request), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SignInInput(serializers.Serializer):
    username = TextField(max_length=150)
    password = TextField(max_length=4096, trim_whitespace=False)
    name = TextField(max_length=100, required=False, default="API client")


class SignInApi(APIView):
    """Exchange a username and password for a new API token (for scripts and load tests)."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [throttles.LoginIpThrottle, throttles.LoginAccountThrottle]

    @extend_schema(
        operation_id="auth_token_create", request=SignInInput, responses={201: NewTokenOutput, **ERROR_RESPONSES}
    )
    def post(self, request: Request) -> Response:
        data = body_params(SignInInput, request)
        user = authenticate(request._request, username=data["username"], password=data["password"])
        if user is None:
            raise DomainError("Wrong username or password.", code="invalid_credentials")
        token, key = services.token_create(user=user, name=data["name"])
        return _created_token(token, key)


class SignUpInput(serializers.Serializer):
    username = TextField(max_length=150)
    password = TextField(max_length=4096, trim_whitespace=False)
    email = serializers.EmailField(required=False, allow_blank=True, default="")


class UserOutput(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    email = serializers.CharField()


class SignUpApi(APIView):
    """Self sign-up, only when SIGNUP_ENABLED is true."""

    authentication_classes: list[type] = []
    permission_classes = [AllowAny]
    throttle_classes = [throttles.SignupThrottle]

    @extend_schema(operation_id="auth_signup", request=SignUpInput, responses={201: UserOutput, **ERROR_RESPONSES})
    def post(self, request: Request) -> Response:
        if not settings.SIGNUP_ENABLED:
            raise DomainError("Sign-up is disabled on this server.", code="signup_disabled")
        user = services.user_sign_up(**body_params(SignUpInput, request))
        return Response(UserOutput(user).data, status=status.HTTP_201_CREATED)
