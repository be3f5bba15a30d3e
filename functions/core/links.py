"""Public links in messages: opaque, signed, with no personal data in the URL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from functions.core.tokens import Signer

if TYPE_CHECKING:  # short links are for texts and templates: an email-only run never loads them
    from functions.core.short_links import ShortLink

UNSUBSCRIBE = "unsubscribe"
SURVEY, SURVEY_FORM = "survey", "survey-form"
UNSUBSCRIBE_DAYS = 400  # a link in last year's birthday wish still works
SAMPLE = "mau"  # the token of every link in staff's test messages: a page that says it is a sample


@dataclass(frozen=True)
class Links:
    public_url: str
    secret: str
    survey_url: str = ""  # each public function may have its own URL (Cloud Functions gen2)
    unsubscribe_url: str = ""

    def unsubscribe_signer(self) -> Signer:
        return Signer(self.secret, UNSUBSCRIBE)

    def unsubscribe(self, customer_id: str, language: str, at: datetime | None = None) -> str:
        token = self.unsubscribe_signer().sign({"c": customer_id, "l": language}, at)
        return f"{self.unsubscribe_url or self.public_url}/{UNSUBSCRIBE}/{token}"

    def survey_signer(self) -> Signer:
        return Signer(self.secret, SURVEY)

    def form_signer(self) -> Signer:
        return Signer(self.secret, SURVEY_FORM)

    def survey(self, survey_id: str, language: str, score: int | None = None, at: datetime | None = None) -> str:
        """The survey page: /s/<token>; the token names only the survey (no personal data), dated `at`."""
        token = self.survey_signer().sign({"s": survey_id, "l": language}, at)
        return f"{self.survey_url or self.public_url}/s/{token}" + (f"?score={score}" if score else "")

    def short(self, purpose: str, target: str, language: str, expires_at: datetime) -> ShortLink:
        """A short link for a text or a template; the store must hold it before the message goes."""
        from functions.core.short_links import ShortLink, short_code

        return ShortLink(short_code(self.secret, purpose, target), purpose, target, language, expires_at)

    def short_url(self, link: ShortLink) -> str:
        from functions.core.short_links import DIAL, SURVEY

        if link.purpose == SURVEY:
            return f"{self.survey_url or self.public_url}/s/{link.code}"
        if link.purpose == DIAL:  # the survey function answers it: it is public, and a redirect is all it takes
            return f"{self.survey_url or self.public_url}/c/{link.code}"
        return f"{self.unsubscribe_url or self.public_url}/u/{link.code}"


@dataclass(frozen=True)
class SampleLinks(Links):
    """The links of a test message (`Gửi thử`): each opens a page saying it is a sample; none names a
    customer, records an answer or opts anyone out."""

    def unsubscribe(self, customer_id: str, language: str, at: datetime | None = None) -> str:
        return f"{self.unsubscribe_url or self.public_url}/{UNSUBSCRIBE}/{SAMPLE}"

    def survey(self, survey_id: str, language: str, score: int | None = None, at: datetime | None = None) -> str:
        return f"{self.survey_url or self.public_url}/s/{SAMPLE}" + (f"?score={score}" if score else "")

    def short_url(self, link: ShortLink) -> str:
        from functions.core.short_links import SURVEY as SHORT_SURVEY

        base = self.survey_url if link.purpose == SHORT_SURVEY else self.unsubscribe_url
        return f"{base or self.public_url}/{'s' if link.purpose == SHORT_SURVEY else 'u'}/{SAMPLE}"
