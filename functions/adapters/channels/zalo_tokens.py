"""Zalo OA access tokens, kept in the store so every run and instance shares them.

An access token lasts about 25 hours; a refresh token is spent by one use and replaced. Two runs
must never both spend the same refresh token (the second is refused, and the OA is cut off until
someone issues a new one by hand). So a run claims the refresh in the store first (compare-and-swap
on the credential's version, with a lease), refreshes, and stores the new pair; a run that finds a
refresh under way waits for its result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from functions.core.errors import ProviderRefused, TransientDeliveryError
from functions.core.i18n import both
from functions.ports import Credentials

CREDENTIAL = "zalo_oa"
EARLY = 300.0  # refresh this many seconds before the access token expires


@dataclass(frozen=True)
class Refreshed:
    access_token: str
    refresh_token: str
    expires_in: float


class RefreshRefused(Exception):
    """Zalo refused the refresh token (spent, expired or revoked): only a new one issued by hand helps."""


class ZaloTokens:
    def __init__(
        self,
        credentials: Credentials,
        refresh: Callable[[str], Refreshed],  # spends a refresh token at Zalo's OAuth endpoint
        first_refresh_token: str,
        lease_seconds: float = 90.0,  # longer than the longest refresh call (ZaloChannel sets it from its timeout)
        wait_seconds: float = 105.0,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.credentials, self.refresh, self.first = credentials, refresh, first_refresh_token
        self.lease, self.wait, self.clock, self.sleep = lease_seconds, wait_seconds, clock, sleep

    def access_token(self) -> str:
        """A token that works now: the stored one while it lasts, else one refresh made by one run."""
        give_up = self.clock() + self.wait
        while self.clock() < give_up:
            stored = self.credentials.credential(CREDENTIAL)
            if stored is None or self._reseed(stored.fields):
                self.credentials.swap_credential(CREDENTIAL, stored.version if stored else 0, self._seed())
                continue
            fields, now = stored.fields, self.clock()
            if fields.get("error") and fields.get("seed") == self.first:
                raise ProviderRefused(both("zalo_refresh_refused", error=fields["error"]))
            if fields.get("access_token") and float(fields.get("expires_at", 0)) > now + EARLY:
                return fields["access_token"]
            if float(fields.get("refreshing_until", 0)) > now:  # another run is refreshing: wait for it
                self.sleep(0.2)
                continue
            took_over = float(fields.get("refreshing_until", 0)) > 0  # a claim ran out: its call may still answer
            claimed = {**fields, "refreshing_until": str(now + self.lease)}
            if self.credentials.swap_credential(CREDENTIAL, stored.version, claimed):
                return self._refresh(stored.version + 1, claimed, took_over)
        raise TransientDeliveryError(both("zalo_refresh_waited", seconds=int(self.wait)))

    def rejected(self, access_token: str) -> None:
        """Zalo said this access token is invalid: make the next access_token() refresh, unless a
        newer token is stored already."""
        stored = self.credentials.credential(CREDENTIAL)
        if stored and stored.fields.get("access_token") == access_token:
            self.credentials.swap_credential(CREDENTIAL, stored.version, {**stored.fields, "expires_at": "0"})

    def _seed(self) -> dict[str, str]:
        if not self.first:
            raise ProviderRefused(both("zalo_no_refresh_token"))
        return {"refresh_token": self.first, "seed": self.first, "access_token": "", "expires_at": "0"}

    def _reseed(self, fields: Mapping[str, str]) -> bool:
        """Staff issued a new refresh token (the setting changed) after the stored one was refused."""
        return bool(fields.get("error")) and bool(self.first) and fields.get("seed") != self.first

    def _refresh(self, version: int, claimed: Mapping[str, str], took_over: bool) -> str:
        spent = claimed["refresh_token"]
        try:
            fresh = self.refresh(spent)
        except RefreshRefused as refused:
            newer = self._newer(spent, wait=took_over)  # the run whose claim ran out may have spent it
            if newer is None:
                newer = self._refused(version, {**claimed, "refreshing_until": "0", "error": str(refused)})
            if newer is not None:
                return newer
            raise ProviderRefused(both("zalo_refresh_refused", error=refused)) from refused
        except Exception:
            # Not spent, or not known to be: free the claim so a later run tries again.
            self.credentials.swap_credential(CREDENTIAL, version, {**claimed, "refreshing_until": "0"})
            raise
        self._store(version, {
            "refresh_token": fresh.refresh_token, "access_token": fresh.access_token, "seed": claimed.get("seed", ""),
            "expires_at": str(self.clock() + fresh.expires_in), "refreshing_until": "0",
        })  # fmt: skip
        return fresh.access_token

    def _newer(self, spent: str, wait: bool) -> str | None:
        """The access token of a pair stored after `spent`, waiting for it (as for a refresh under
        way) when another run may still be storing it."""
        give_up = self.clock() + (self.wait if wait else 0)
        while True:
            current = self.credentials.credential(CREDENTIAL)
            fields = current.fields if current else {}
            if fields.get("refresh_token") not in (None, spent) and not fields.get("error"):
                return fields.get("access_token") or None
            if self.clock() >= give_up:
                return None
            self.sleep(0.2)

    def _refused(self, version: int, fields: Mapping[str, str]) -> str | None:
        """Record that Zalo refused the spent token: compare-and-swap, never over a newer pair (a
        run whose lease ran out may store the good one meanwhile). Returns that newer token if so."""
        while not self.credentials.swap_credential(CREDENTIAL, version, fields):
            current = self.credentials.credential(CREDENTIAL)
            if current is None:
                version = 0
                continue
            if current.fields.get("refresh_token") != fields["refresh_token"]:
                return current.fields.get("access_token") or None
            version = current.version
        return None

    def _store(self, version: int, fields: Mapping[str, str]) -> None:
        """This run alone holds the newest refresh token now (the old one is spent): it must be kept
        even if the lease ran out meanwhile, so write over whatever is there."""
        while not self.credentials.swap_credential(CREDENTIAL, version, fields):
            current = self.credentials.credential(CREDENTIAL)
            version = current.version if current else 0
