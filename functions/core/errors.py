"""The errors ports raise and jobs handle: what went wrong, in words a person can act on."""

from __future__ import annotations


class JobCannotRun(RuntimeError):
    """A job could not run at all (a tab missing, no usable escalation matrix); nothing was done."""


class SheetUnavailable(RuntimeError):
    """The sheet cannot be read or written; the message says which one and what to do."""


class StoreUnavailable(RuntimeError):
    """The store cannot be reached: nothing may be sent."""


class InboxUnavailable(RuntimeError):
    """The monitored mailbox cannot be read (server down, login refused, no such folder)."""


class QueueUnavailable(RuntimeError):
    """The send queue (Pub/Sub) did not take a batch: its messages are released for the next run."""


class TransientDeliveryError(RuntimeError):
    """Worth trying again soon (SMTP 4xx, a dropped connection, HTTP 5xx)."""


class PermanentDeliveryError(RuntimeError):
    """Will not work as is (SMTP 5xx: unknown mailbox, rejected sender)."""


class RecipientUnreachable(PermanentDeliveryError):
    """This channel cannot reach this recipient (not a user of the provider, an invalid number, no such mailbox,
    a channel not set up): the next channel of the row is tried under the same ledger key."""


class ProviderLimitReached(RecipientUnreachable):
    """The provider refused for a limit of its own (an account's daily quota, a promotional template
    past its share), not for anything about the customer: the next channel carries the message, the
    channel is not asked again this run, and staff are told once."""


class ProviderRefused(RecipientUnreachable):
    """The provider refuses careloop itself (SMTP 535 to the login, a provider's 401, a refresh token
    refused): nothing about the customer. The next channel carries the message, the channel is not
    asked again this run, and the manager is alerted (a new password, key or token is needed)."""


class AmbiguousDeliveryError(RuntimeError):
    """The message went to the server, whose answer was lost: it may have been accepted. Sending it
    again could make a duplicate, so it is never retried on its own."""


class RenderError(ValueError):
    """A template could not be rendered; names the template and what went wrong."""
