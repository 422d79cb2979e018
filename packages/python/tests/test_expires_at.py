"""What an expiry means when the Python client sends it: the shared cases (packages/sdk/test/fixtures/expires-at-cases.json),
which the server, the SDK and the console check too, given as the date and datetime values a Python caller passes."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import pytest

from latchkey.api._common import expires
from latchkey.api.personal_clients import _new
from latchkey.errors import ConfigError
from conftest import ROOT

CASES: list[dict[str, Any]] = json.loads((ROOT / "packages/sdk/test/fixtures/expires-at-cases.json").read_text())["cases"]


def as_python(text: str) -> date | datetime | None:
    """The value a caller would pass for this text: a date, a datetime, or None where Python has none."""
    try:
        return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)
    except ValueError:
        return None


# The cases a Python caller can say with a date or datetime; the others are strings, sent as written
# (the server refuses them).
VALUES = [(c, v) for c in CASES if (v := as_python(c["input"])) is not None]


@pytest.mark.parametrize(("case", "value"), VALUES, ids=[c["input"] for c, _ in VALUES])
def test_a_date_is_the_end_of_that_day_utc_and_a_datetime_keeps_its_instant(case: dict[str, Any], value: date | datetime) -> None:
    if case["expiresAt"] is None:
        with pytest.raises(ConfigError, match="has no time zone"):
            expires(value)
    else:
        assert expires(value) == case["expiresAt"]


def test_the_create_body_carries_the_instant() -> None:
    assert _new("nightly", date(2027, 1, 15), None) == {"name": "nightly", "expiresAt": "2027-01-15T23:59:59.999Z"}
    assert _new("nightly", "2027-01-15", ["metering"]) == {"name": "nightly", "expiresAt": "2027-01-15", "scopes": ["metering"]}
