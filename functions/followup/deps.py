"""What the follow-up run is given: the ports its records name and the rules settings make
(functions.bootstrap builds them; no defaults of their own)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from functions.core.channel_specs import ChannelBook
from functions.core.customers import ReadRules
from functions.core.links import Links
from functions.core.settings_tab import SettingsFromTab
from functions.core.sheet_schema import TabLayout
from functions.core.tables import Table
from functions.core.vouchers import VoucherRules
from functions.followup.plan import FollowupRules
from functions.ports import (
    Cases,
    Channel,
    DeliveryReports,
    JobState,
    Ledger,
    OptOuts,
    Renderer,
    Retention,
    SendQueue,
    Sheet,
    Surveys,
    Vouchers,
)
from functions.retry import RetryPolicy
from functions.survey.offers import SurveyRules


@dataclass
class FollowupRecords:
    """What the follow-up run keeps and reads: the ledger and its delivery reports, opt-outs, surveys
    and vouchers it sends, the open cases whose low score waits for a call (read only), its report."""

    ledger: Ledger
    delivery_reports: DeliveryReports
    opt_outs: OptOuts
    cases: Cases
    surveys: Surveys
    vouchers: Vouchers
    job_state: JobState
    retention: Retention  # what is older than retention_days, deleted by the daily run


@dataclass
class FollowupDeps:
    sheet: Sheet
    records: FollowupRecords
    channels: Mapping[str, Channel]  # channel name → adapter that delivers it
    templates: Renderer
    links: Links
    rules: FollowupRules
    read_rules: ReadRules
    business_name: str
    channel_book: ChannelBook  # each channel's spec, and how a text-form channel fits its texts
    staff_language: str
    retry: RetryPolicy
    run_budget_seconds: float | None  # the run's time for sending; None: each message's retries only
    surveys: SurveyRules | None  # None: check-ins carry no survey
    vouchers: VoucherRules  # off unless voucher_value is set
    marketing_consent_required: bool  # advertising only to customers who ticked their consent
    retention_days: int  # nothing kept forever: older records are deleted once a day, by this run
    queue: SendQueue | None  # the send queue: a day with more due than fanout_after fans out through it
    fanout_after: int  # messages a run sends itself when it has a queue
    fanout_batch_size: int
    layouts: Sequence[TabLayout]  # careloop's tabs: a run makes what is missing of them
    # The Settings tab's values over the deployed settings: these dependencies as the tab tunes them.
    settings_tab: Callable[[FollowupDeps, Table | None], tuple[FollowupDeps, SettingsFromTab]] | None = None
