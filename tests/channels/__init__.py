"""Channels that exist only in the test suite, to prove one module is all a new channel needs."""
