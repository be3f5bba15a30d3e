"""The store on Cloud Firestore (google-cloud-firestore), the production store: one database, one
module per kind of record. Document ids and each record's fields are laid out in `documents`;
counts use `count()` (a read per 1,000 entries).

`FirestoreStore(project, database)` hands out the ports; the client is made by the first call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from functions.adapters.stores.firestore.cases import FirestoreCases
from functions.adapters.stores.firestore.credentials import FirestoreCredentials
from functions.adapters.stores.firestore.customer_data import FirestoreCustomerData
from functions.adapters.stores.firestore.database import RETENTION, FirestoreDatabase
from functions.adapters.stores.firestore.delivery_reports import FirestoreDeliveryReports
from functions.adapters.stores.firestore.inbound_events import FirestoreInboundEvents
from functions.adapters.stores.firestore.job_state import FirestoreJobState
from functions.adapters.stores.firestore.ledger import FirestoreLedger
from functions.adapters.stores.firestore.opt_outs import FirestoreOptOuts
from functions.adapters.stores.firestore.replies import FirestoreReplies
from functions.adapters.stores.firestore.retention import FirestoreRetention
from functions.adapters.stores.firestore.surveys import FirestoreSurveys
from functions.adapters.stores.firestore.vouchers import FirestoreVouchers


class FirestoreStore:
    def __init__(
        self, project: str, database: str = "(default)", timeout: float = 30.0, client: Any = None,
        retention: timedelta = RETENTION,
    ):  # fmt: skip
        self.database = FirestoreDatabase(project, database, timeout, client, retention)
        self.ledger = FirestoreLedger(self.database)
        self.delivery_reports = FirestoreDeliveryReports(self.database)
        self.inbound_events = FirestoreInboundEvents(self.database)
        self.replies = FirestoreReplies(self.database)
        self.customer_data = FirestoreCustomerData(self.database)
        self.retention = FirestoreRetention(self.database)
        self.opt_outs = FirestoreOptOuts(self.database)
        self.cases = FirestoreCases(self.database)
        self.surveys = FirestoreSurveys(self.database)
        self.vouchers = FirestoreVouchers(self.database)
        self.credentials = FirestoreCredentials(self.database)
        self.job_state = FirestoreJobState(self.database)
