"""The send queue's consumer: a Pub/Sub message (a batch, as a CloudEvent) sent by `send_batch`.

A batch that cannot be sent now raises, so Pub/Sub offers it again (and, after the subscription's
attempts, hands it to the dead-letter topic); the messages it sent are not sent twice, because each
is claimed in the ledger first. A payload careloop did not make is logged and let go."""

from __future__ import annotations

import base64
from typing import Any

from functions import bootstrap
from functions.entrypoints.http.logs import log
from functions.fanout import BatchUnreadable
from functions.settings import load_settings


def send_batch(cloud_event: Any) -> None:
    from functions.sendbatch.job import run_send_batch  # here: only this function's cold start imports it

    message = (cloud_event.data or {}).get("message", {})
    batch_id = str(message.get("messageId", ""))
    try:
        payload = base64.b64decode(message.get("data", ""), validate=True)
    except ValueError as error:
        log("ERROR", "send_batch: not a batch, let go", batch=batch_id, error=str(error))
        return
    settings = load_settings()  # a bad setting raises: the batch waits in the queue until it is mended
    with bootstrap.channels_closed(bootstrap.send_batch_deps(settings)) as deps:
        try:
            report = run_send_batch(deps, payload, bootstrap.local_now(settings), batch_id)
        except BatchUnreadable as error:
            log("ERROR", "send_batch: not a batch careloop made, let go", batch=batch_id, error=str(error))
            return
    problems = report["summary"]["failed"] or report["summary"]["unknown"]
    log("WARNING" if problems else "INFO", "send_batch run", batch=batch_id, summary=report["summary"])
