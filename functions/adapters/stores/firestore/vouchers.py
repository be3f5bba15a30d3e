"""Vouchers in Firestore: a code is issued once (`create()`); whoever issues it first owns it."""

from __future__ import annotations

from datetime import UTC, date, datetime

from functions.adapters.stores.firestore.database import FieldFilter, FirestorePort, unavailable_on_error
from functions.adapters.stores.firestore.documents import VOUCHERS, document_id, voucher_document
from functions.core.vouchers import Voucher, voucher_from_fields


class FirestoreVouchers(FirestorePort):
    def _voucher_ref(self, code: str):
        return self.db.client.collection(VOUCHERS).document(document_id(code))

    @unavailable_on_error
    def voucher(self, code: str) -> Voucher | None:
        fields = self.db.fields(self._voucher_ref(code))
        return voucher_from_fields(fields) if fields else None

    @unavailable_on_error
    def issue_voucher(self, voucher: Voucher) -> Voucher:
        issued = datetime.combine(voucher.issued, datetime.min.time(), UTC)
        if self.db.create(self._voucher_ref(voucher.code), self.db.expiring(voucher_document(voucher), issued)):
            return voucher
        stored = self.voucher(voucher.code)
        assert stored is not None  # created by someone else a moment ago (vouchers go only after retention_days)
        return stored

    @unavailable_on_error
    def vouchers(self, issued_since: date) -> list[Voucher]:
        query = self.db.client.collection(VOUCHERS).where(filter=FieldFilter("issued", ">=", issued_since.isoformat()))
        return sorted((voucher_from_fields(s.to_dict()) for s in query.stream(**self.db.call())),
                      key=lambda v: (v.issued, v.code))  # fmt: skip

    @unavailable_on_error
    def count_vouchers(self, first: date, last: date, by: str = "issued") -> int:
        field = "used_on" if by == "used_on" else "issued"
        query = (
            self.db.client.collection(VOUCHERS)
            .where(filter=FieldFilter(field, ">=", first.isoformat()))
            .where(filter=FieldFilter(field, "<=", last.isoformat()))
        )
        if by == "issued_used":
            query = query.where(filter=FieldFilter("used", "==", True))
        return self.db.count(query)

    @unavailable_on_error
    def set_voucher_used(self, code: str, day: date | None) -> None:
        from google.api_core.exceptions import NotFound

        try:
            self._voucher_ref(code).update({"used_on": day.isoformat() if day else None, "used": day is not None},
                                           **self.db.call())  # fmt: skip
        except NotFound:
            pass
