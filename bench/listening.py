"""What listening costs (issue 37): an escalation run taking 200 replies from a real IMAP server
(Dovecot on 127.0.0.1) — 40 complaints that open cases, 40 refusals, 120 thanks — into a Firestore
store (the emulator, counted as Firestore bills it), not the store's first run. Prints the IMAP
commands, the Firestore calls, reads and writes, the run's time and its peak of Python memory.

    .venv/bin/python bench/listening.py     (starts Dovecot and the Firestore emulator on 127.0.0.1)
"""

from __future__ import annotations

import imaplib
import sys
import time
import tracemalloc
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from functions import bootstrap  # noqa: E402
from functions.adapters.stores.firestore import FirestoreStore  # noqa: E402
from functions.escalate.job import run_escalate  # noqa: E402
from tests.helpers import mails  # noqa: E402
from tests.helpers.dovecot import PASSWORD, USER, Dovecot  # noqa: E402
from tests.helpers.fakes import MemoryChannel  # noqa: E402
from tests.helpers.firestore_counter import counted  # noqa: E402
from tests.helpers.firestore_emulator import PROJECT, started_or_exit  # noqa: E402
from tests.helpers.rules import business_settings  # noqa: E402
from tests.helpers.support import escalation_book  # noqa: E402

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=VN)
WORDS = {"complaint": "Tôi rất thất vọng, chờ lâu quá mà không ai gọi lại", "refusal": "Đừng gửi tin nữa",
         "thanks": "Cảm ơn văn phòng, dịch vụ tốt"}  # fmt: skip


def main() -> None:
    emulator = started_or_exit()
    sent: list[str] = []
    original = imaplib.IMAP4._command

    def counted_command(self: imaplib.IMAP4, name: str, *args: object) -> object:
        sent.append(name)
        return original(self, name, *args)

    imaplib.IMAP4._command = counted_command  # type: ignore[method-assign]
    try:
        with Dovecot() as mailbox:
            customers = [[f"C-{n:03d}", f"Khách {n}", f"k{n}@example.com", False, "", "", "", ""] for n in range(200)]
            store = FirestoreStore(PROJECT)
            settings = business_settings(imap_host="127.0.0.1", imap_port=str(mailbox.port), imap_security="none",
                                         imap_user=USER, imap_password=PASSWORD)  # fmt: skip
            wiring = bootstrap.escalate_deps(settings, sheet=escalation_book(customers), store=store,
                                             channels={"email": MemoryChannel()}, layouts=())  # fmt: skip
            run_escalate(wiring, NOW - timedelta(minutes=15))  # not the store's first run
            for n in range(200):
                kind = "complaint" if n < 40 else "refusal" if n < 80 else "thanks"
                mailbox.deliver(mails.reply(f"k{n}@example.com", WORDS[kind], message_id=f"<b{n}@ex>",
                                            in_reply_to=mails.ours(f"checkin/C-{n:03d}/2026-11-16")))  # fmt: skip
            sent.clear()
            tally = counted(store)
            tracemalloc.start()
            start = time.perf_counter()
            report = run_escalate(wiring, NOW)
            seconds = time.perf_counter() - start
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        replies = {k: v for k, v in report["replies"].items() if isinstance(v, int)}
        print(f"replies taken: {replies}; cases opened: {len(report['opened'])}")
        print(f"IMAP commands: {len(sent)} (goal ≤ 20): {', '.join(sent)}")
        calls = tally.by_collection("rpcs")
        print(
            f"Firestore calls: {tally.total('rpcs')} (goal ≤ 150); reads {tally.total('reads')}, "
            f"writes {tally.total('writes')}"
        )
        for call, n in sorted(calls.items(), key=lambda item: -item[1])[:8]:
            print(f"  {n:4d}  {call}")
        print(f"  writes by collection: {tally.by_collection('writes')}")
        print(f"run: {seconds:.2f} s, Python memory peak {peak / 2**20:.1f} MiB")
    finally:
        imaplib.IMAP4._command = original  # type: ignore[method-assign]
        emulator.stop()


if __name__ == "__main__":
    main()
