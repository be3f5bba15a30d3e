"""What the escalation job works with: the ports, and the rules that come from settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import time

from functions.core.business_calendar import BusinessCalendar
from functions.core.channel_specs import ChannelBook
from functions.core.customers import ReadRules
from functions.core.links import Links
from functions.core.settings_tab import SettingsFromTab
from functions.core.sheet_schema import TabLayout
from functions.core.tables import Table
from functions.core.themes import Lexicon
from functions.core.vouchers import VoucherRules
from functions.ports import (
    Cases,
    Channel,
    CustomerData,
    DeliveryReports,
    InboundEvents,
    Inbox,
    JobState,
    Ledger,
    OptOuts,
    Renderer,
    Replies,
    Sheet,
    Surveys,
    Vouchers,
)
from functions.retry import RetryPolicy
from functions.survey.offers import SurveyRules


@dataclass
class EscalationRecords:
    """What the escalation run keeps and reads: cases, the owners' notices and surveys it sends (the
    ledger), opt-outs, the answers it takes in, the Dashboard's counts, its state and report."""

    ledger: Ledger
    delivery_reports: DeliveryReports  # a bounced email, from the monitored mailbox
    inbound_events: InboundEvents  # the events channels' webhooks kept: texts, ratings
    opt_outs: OptOuts
    cases: Cases
    surveys: Surveys
    vouchers: Vouchers
    replies: Replies  # each reply heard, by kind and day: the Dashboard's counts
    customer_data: CustomerData  # a customer's data erased on request (the Erase data tick)
    job_state: JobState


@dataclass
class EscalationDeps:
    sheet: Sheet
    records: EscalationRecords
    channels: Mapping[str, Channel]
    templates: Renderer
    calendar: BusinessCalendar
    read_rules: ReadRules
    business_name: str
    sheet_link: str
    channel_book: ChannelBook  # each channel's spec, and how a text-form channel fits its texts
    staff_language: str
    phrases: Sequence[str]
    retry: RetryPolicy
    run_budget_seconds: float | None  # the run's time for sending; None: each message's retries only
    links: Links | None  # for the survey sent when a case is resolved
    surveys: SurveyRules | None
    csat_threshold: int
    send_start: time  # the follow-up run is due done by this + 2 hours on a working day
    vouchers: VoucherRules  # a birthday text's voucher, in a test message
    managers: Sequence[str]  # who gets staff's test messages; empty: the tier-3 owner of the '*' row
    inbox: Inbox | None  # the monitored mailbox: customers' replies and bounces; None: not listening
    inbox_authserv_id: str  # whose Authentication-Results prove a sender (the receiving server); '': none
    retention_days: int  # the Replies tab's rows older than this are cleared
    layouts: Sequence[TabLayout]  # careloop's tabs: a run makes what is missing of them
    lexicon: Lexicon  # Vietnamese words (a dictionary and a segmenter), to find the themes of what customers say
    # The Settings tab's values over the deployed settings: these dependencies as the tab tunes them.
    settings_tab: Callable[[EscalationDeps, Table | None], tuple[EscalationDeps, SettingsFromTab]] | None = None
