"""A .tok file whose grant has ended: the errors say that a new token file is needed."""

from __future__ import annotations

from pathlib import Path

import pytest

import latchkey
from conftest import Server


def test_a_revoked_token_from_a_tok_file_says_a_new_token_file_may_be_needed_and_a_dead_refresh_says_it_is(server: Server, tmp_path: Path) -> None:
    app = server.create_app()
    tok = server.tok_file(app, tmp_path)
    new_secret = server.admin.apps.rotate_secret(app["id"])["clientSecret"]
    lk = server.client(credentials=latchkey.TokenFile(tok, new_secret))
    with pytest.raises(latchkey.ApiError) as api:
        lk.me()
    assert api.value.status == 401 and api.value.detail == "the access token has been revoked"
    assert str(api.value) == (f"GET {server.url}/t/demo/api/v1/me failed: 401 Unauthorized: the access token has been revoked. "
                              f"It came from the token file {tok}: if refreshing fails too (get_access_token(force_refresh=True)), "
                              "its grant has ended and a new token file is needed")
    with pytest.raises(latchkey.AuthError) as auth:
        lk.get_access_token(force_refresh=True)
    assert auth.value.error == "invalid_grant"
    assert str(auth.value) == (f"refreshing with the token file {tok} failed: invalid_grant (refresh token was invalidated when "
                               "the application's secret was regenerated: a new token file (or refresh token) is needed)")


def test_a_refresh_token_ended_otherwise_gets_the_clients_own_hint(server: Server, tmp_path: Path) -> None:
    app = server.create_app()
    tok = server.tok_file(app, tmp_path)
    lk = server.client(credentials=latchkey.TokenFile(tok, app["clientSecret"]))
    lk.logout()  # revokes the file's refresh token: its grant ends
    with pytest.raises(latchkey.AuthError) as auth:
        lk.get_access_token(force_refresh=True)
    assert auth.value.error == "invalid_grant"
    assert auth.value.hint is not None and str(auth.value) == (
        f"refreshing with the token file {tok} failed: invalid_grant (refresh token is invalid, expired or revoked). This token file no "
        "longer works: a new token file is needed (an administrator of the application generates one: console, Applications, "
        "GENERATE ACCESS TOKEN)")
