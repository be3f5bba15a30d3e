"""Short links (pure): /s/<code> for a survey and /u/<code> to opt out, in a text or a template; /c/<code>
in the Calls tab, which answers with a redirect to the customer's `tel:` (Google Sheets links only
web addresses, so a phone cannot be tapped to dial there otherwise).

A signed token is 60–90 characters: a third of a 160-character text. A short link is 16 base32 characters
(80 bits) derived with a keyed hash from what it opens, so the same survey always gets the same
code (a re-run or a fallback channel links to the one stored) and nobody can guess one without
the secret. The code names nothing personal; the store maps it to the survey or customer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

SURVEY, UNSUBSCRIBE, DIAL = "survey", "unsubscribe", "dial"
DIAL_DAYS = 90  # a call waits in the Calls tab at most this long
CODE_LENGTH = 16  # base32: 5 bits a character, 80 bits in all
_CODE = re.compile(rf"[a-z2-7]{{{CODE_LENGTH}}}")


@dataclass(frozen=True)
class ShortLink:
    code: str
    purpose: str  # SURVEY, UNSUBSCRIBE or DIAL
    target: str  # the survey ID, the customer ID, or the phone to dial (E.164) and the call's day
    language: str
    expires_at: datetime


def short_code(secret: str, purpose: str, target: str) -> str:
    digest = hmac.new(secret.encode(), f"short-link/{purpose}/{target}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:CODE_LENGTH]


def is_short_code(text: str) -> bool:
    return _CODE.fullmatch(text) is not None
