"""Signed link tokens (unsubscribe, survey): HMAC via itsdangerous, checked in constant time.

A token carries only careloop's own identifiers (customer ID, language) — never a name, an
email address or a phone number — and expires.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


class TokenInvalid(ValueError):
    """Forged, tampered with or malformed."""


class TokenExpired(ValueError):
    def __init__(self, payload: Any):
        super().__init__("expired")
        self.payload = payload  # still useful to answer in the right language


@dataclass(frozen=True)
class Signer:
    secret: str
    purpose: str  # a token for one purpose is useless for another

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt=f"careloop/{self.purpose}")

    def sign(self, payload: Any, at: datetime | None = None) -> str:
        """The token, dated `at` (the run's moment, so a run at another time — `--now` — signs as of
        then), else now."""
        if at is None:
            return self._serializer().dumps(payload)
        from itsdangerous import TimestampSigner

        stamp = int(at.timestamp())

        class _SignedAt(TimestampSigner):
            def get_timestamp(self) -> int:
                return stamp

        return URLSafeTimedSerializer(self.secret, salt=f"careloop/{self.purpose}", signer=_SignedAt).dumps(payload)

    def verify(self, token: str, max_age_seconds: int, now: datetime | None = None) -> Any:
        if not _canonical(token):
            raise TokenInvalid(token)
        serializer = self._serializer()
        try:
            payload, signed_at = serializer.loads(token, return_timestamp=True)
        except SignatureExpired as error:  # only raised when max_age is given; we check below
            raise TokenExpired(error.payload) from None
        except BadSignature:
            raise TokenInvalid(token) from None
        age = ((now or datetime.now(signed_at.tzinfo)) - signed_at).total_seconds()
        if age > max_age_seconds:
            raise TokenExpired(payload)
        return payload


def _canonical(token: str) -> bool:
    """Base64 lets a last character vary in bits nobody reads; only the one true spelling of each
    part is accepted, so that any change to a token is rejected."""
    from itsdangerous.encoding import base64_decode, base64_encode

    parts = token.split(".")
    if len(parts) != 3 or not all(parts):
        return False
    try:
        return all(base64_encode(base64_decode(part)).decode() == part for part in parts)
    except Exception:  # not base64 at all
        return False
