"""Strict input fields: lengths count what the client sent, as the schema says."""

import pytest
from rest_framework import serializers

from fbrain.core.validation import TextField


class Sample(serializers.Serializer):
    name = TextField(max_length=5)


@pytest.mark.parametrize("value", ["abcdef", "abcde\x1c", " abcde", "abcde\n"])
def test_max_length_counts_the_raw_value(value):
    data = Sample(data={"name": value})
    assert not data.is_valid()
    assert "no more than 5" in str(data.errors["name"][0])


def test_values_within_the_limit_are_trimmed():
    data = Sample(data={"name": " abc "})
    assert data.is_valid() and data.validated_data["name"] == "abc"
