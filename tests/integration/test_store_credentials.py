"""The Credentials port's contract, on every adapter."""

from __future__ import annotations


def test_credentials_change_only_by_compare_and_swap(store):
    assert store.credentials.credential("zalo") is None
    assert store.credentials.swap_credential("zalo", 0, {"refresh_token": "R1"}) is True
    assert (
        store.credentials.swap_credential("zalo", 0, {"refresh_token": "R-late"}) is False
    )  # someone stored one first
    first = store.credentials.credential("zalo")
    assert (first.version, dict(first.fields)) == (1, {"refresh_token": "R1"})
    assert store.credentials.swap_credential("zalo", 1, {"refresh_token": "R2", "access_token": "A2"}) is True
    assert store.credentials.swap_credential("zalo", 1, {"refresh_token": "R2-again"}) is False  # spent already
    assert dict(store.credentials.credential("zalo").fields) == {"refresh_token": "R2", "access_token": "A2"}
