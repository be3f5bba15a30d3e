"""The store on a SQLite file, the embedded default: one file, one module per kind of record.

`SqliteStore(path)` opens the file (made, with its schema, by the first call that writes) and
hands out its ports; each port opens its own connection per call."""

from __future__ import annotations

from pathlib import Path

from functions.adapters.stores.sqlite.cases import SqliteCases
from functions.adapters.stores.sqlite.credentials import SqliteCredentials
from functions.adapters.stores.sqlite.customer_data import SqliteCustomerData
from functions.adapters.stores.sqlite.database import SqliteFile
from functions.adapters.stores.sqlite.delivery_reports import SqliteDeliveryReports
from functions.adapters.stores.sqlite.inbound_events import SqliteInboundEvents
from functions.adapters.stores.sqlite.job_state import SqliteJobState
from functions.adapters.stores.sqlite.ledger import SqliteLedger
from functions.adapters.stores.sqlite.opt_outs import SqliteOptOuts
from functions.adapters.stores.sqlite.replies import SqliteReplies
from functions.adapters.stores.sqlite.retention import SqliteRetention
from functions.adapters.stores.sqlite.surveys import SqliteSurveys
from functions.adapters.stores.sqlite.vouchers import SqliteVouchers


class SqliteStore:
    def __init__(self, path: str | Path):
        file = SqliteFile(path)
        self.path = file.path
        self.ledger = SqliteLedger(file)
        self.delivery_reports = SqliteDeliveryReports(file)
        self.inbound_events = SqliteInboundEvents(file)
        self.replies = SqliteReplies(file)
        self.customer_data = SqliteCustomerData(file)
        self.retention = SqliteRetention(file)
        self.opt_outs = SqliteOptOuts(file)
        self.cases = SqliteCases(file)
        self.surveys = SqliteSurveys(file)
        self.vouchers = SqliteVouchers(file)
        self.credentials = SqliteCredentials(file)
        self.job_state = SqliteJobState(file)
