"""Local stand-ins for the SMS and Zalo providers, speaking their documented HTTP APIs on
127.0.0.1: the demo sends through them (no account needed) and the tests hold the adapters to them."""
