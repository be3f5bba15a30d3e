from datetime import date, datetime, time, timedelta

import pytest

from functions.core.customers import Customer
from functions.core.ledger import FAILED, RESERVED, SENT, LedgerFacts
from functions.core.values import Birthday
from functions.followup.plan import BIRTHDAY, CHECKIN, DueMessage, decide, due_messages
from tests.helpers import VN
from tests.helpers.rules import followup_rules

TODAY = date(2026, 11, 23)
NINE = datetime.combine(TODAY, time(9), VN)
RULES = followup_rules()


def customer(id="C-1", birthday=None, purchase=None, row=2, **kw) -> Customer:
    values = dict(
        row=row,
        id=id,
        name="Nguyễn Thị Lan",
        greeting="chị Lan",
        email="lan@example.com",
        phone=None,
        birthday=birthday,
        purchase_date=purchase,
        language="vi",
        channels=("email",),
        opted_out=False,
    )
    values.update(kw)
    return Customer(**values)


NO_FACTS = LedgerFacts()


def plan(customers, facts=NO_FACTS, now=NINE, rules=RULES):
    return decide(due_messages(customers, now.date(), rules), facts, now, rules)


def kinds(messages):
    return [(m.kind, m.customer.id) for m in messages]


def reasons(p):
    return [(s.message.kind, s.message.customer.id, s.reason) for s in p.skipped]


@pytest.mark.parametrize(
    "birthday, due",
    [
        (Birthday(11, 23, 1990), True),
        (Birthday(11, 23), True),
        (Birthday(11, 24, 1990), False),
        (Birthday(11, 22, 1990), False),
        (Birthday(10, 23, 1990), False),
    ],
)
def test_birthday_is_day_and_month(birthday, due):
    assert bool(plan([customer(birthday=birthday)]).send) is due


@pytest.mark.parametrize(
    "today, due", [(date(2027, 2, 28), True), (date(2028, 2, 28), False), (date(2028, 2, 29), True)]
)
def test_29_february_birthdays(today, due):
    now = datetime.combine(today, time(9), VN)
    assert bool(plan([customer(birthday=Birthday(2, 29, 2000))], now=now).send) is due


def test_birthday_key_is_once_per_year():
    (message,) = plan([customer("C-00042", birthday=Birthday(11, 23, 1990))]).send
    assert message.key == "birthday/C-00042/2026"


@pytest.mark.parametrize(
    "days_ago, outcome",
    [
        (6, None),  # due tomorrow
        (7, "send"),  # due today
        (8, "send"),
        (10, "send"),  # inside the 3-day catch-up window
        (11, "too_late"),  # one day past it
        (40, "too_late"),  # still reported for a while
        (41, None),  # then no longer mentioned
        (0, None),
    ],
)
def test_checkin_window(days_ago, outcome):
    p = plan([customer(purchase=TODAY - timedelta(days=days_ago))])
    got = "send" if p.send else (p.skipped[0].reason if p.skipped else None)
    assert got == outcome


def test_checkin_key_is_once_per_purchase_date():
    (message,) = plan([customer("C-1", purchase=date(2026, 11, 16))]).send
    assert message.key == "checkin/C-1/2026-11-16"


def test_catchup_window_is_a_setting():
    rules = followup_rules(catchup_days="0")
    assert not plan([customer(purchase=TODAY - timedelta(days=8))], rules=rules).send
    assert plan([customer(purchase=TODAY - timedelta(days=7))], rules=rules).send


@pytest.mark.parametrize(
    "kw, reason",
    [
        (dict(opted_out=True), "opted_out"),
        (dict(channels=("zalo",)), "channel_unavailable"),
        (dict(channels=()), "channel_unavailable"),
    ],
)
def test_never_contacted(kw, reason):
    p = plan([customer(birthday=Birthday(11, 23), **kw)])
    assert not p.send and reasons(p) == [("birthday", "C-1", reason)]


def test_invalid_rows_are_never_contacted():
    from functions.core.customers import Problem

    c = customer(birthday=Birthday(11, 23), problems=(Problem(2, "C-1", "Email", "email_invalid", {"value": "x"}),))
    assert reasons(plan([c])) == [("birthday", "C-1", "invalid_row")]


@pytest.mark.parametrize(
    "clock, sends",
    [
        (time(7, 59), False),
        (time(8, 0), True),
        (time(19, 59), True),
        (time(20, 0), False),
        (time(23, 0), False),
        (time(3, 0), False),
    ],
)
def test_only_inside_allowed_hours(clock, sends):
    p = plan([customer(birthday=Birthday(11, 23))], now=datetime.combine(TODAY, clock, VN))
    assert bool(p.send) is sends
    if not sends:
        assert p.skipped[0].reason == "outside_hours" and p.skipped[0].params == {"hours": "08:00–20:00"}


def test_one_message_per_customer_per_day_birthday_first():
    c = customer(birthday=Birthday(11, 23), purchase=TODAY - timedelta(days=9))
    p = plan([c])
    assert kinds(p.send) == [(BIRTHDAY, "C-1")]
    assert reasons(p) == [(CHECKIN, "C-1", "one_per_day")]
    # The next day the check-in is still inside the window and goes out.
    tomorrow = NINE + timedelta(days=1)
    p2 = plan([c], facts=LedgerFacts({"birthday/C-1/2026": SENT}), now=tomorrow)
    assert kinds(p2.send) == [(CHECKIN, "C-1")]


def test_a_customer_contacted_earlier_today_waits():
    p = plan([customer(purchase=TODAY - timedelta(days=7))], facts=LedgerFacts(contacted_today=frozenset({"C-1"})))
    assert reasons(p) == [(CHECKIN, "C-1", "one_per_day")]


def test_ledger_states():
    c = [
        customer("C-1", birthday=Birthday(11, 23)),
        customer("C-2", birthday=Birthday(11, 23)),
        customer("C-3", birthday=Birthday(11, 23)),
        customer("C-4", purchase=TODAY - timedelta(days=12)),
    ]
    facts = LedgerFacts(
        {
            "birthday/C-1/2026": SENT,
            "birthday/C-2/2026": RESERVED,
            "birthday/C-3/2026": FAILED,
            "checkin/C-4/2026-11-11": SENT,
        }
    )
    p = plan(c, facts)
    assert not p.send
    assert kinds(p.unknown) == [(BIRTHDAY, "C-2")]
    assert reasons(p) == [
        (BIRTHDAY, "C-1", "already_sent"),
        (BIRTHDAY, "C-3", "failed_before"),
    ]  # late but sent: silent


def test_daily_cap_defers_the_rest_oldest_due_first():
    customers = [
        customer(f"C-{i}", purchase=TODAY - timedelta(days=days), row=i + 2) for i, days in enumerate([7, 10, 8, 9])
    ] + [customer("C-9", birthday=Birthday(11, 23), row=20)]
    p = plan(customers, rules=followup_rules(daily_cap="3"))
    assert [m.customer.id for m in p.send] == ["C-1", "C-3", "C-2"]  # due 20/11, 21/11, 22/11
    assert sorted(reasons(p)) == [(BIRTHDAY, "C-9", "daily_cap"), (CHECKIN, "C-0", "daily_cap")]


def test_daily_cap_counts_what_earlier_runs_sent_today():
    customers = [customer(f"C-{i}", purchase=TODAY - timedelta(days=7)) for i in range(3)]
    p = plan(customers, facts=LedgerFacts(reserved_today=2), rules=followup_rules(daily_cap="3"))
    assert len(p.send) == 1 and [s.reason for s in p.skipped] == ["daily_cap", "daily_cap"]


def test_no_cap_sends_all():
    customers = [customer(f"C-{i}", purchase=TODAY - timedelta(days=7)) for i in range(50)]
    assert len(plan(customers).send) == 50


def test_due_message_keys_are_distinct_per_occasion():
    c = customer("C-1")
    assert DueMessage(BIRTHDAY, c, date(2026, 1, 1)).key != DueMessage(BIRTHDAY, c, date(2027, 1, 1)).key
