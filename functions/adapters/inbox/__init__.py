"""The monitored mailbox."""
