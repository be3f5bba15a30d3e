"""Adapters: one module per outside service and backend. Only entry points and the CLI
(through `functions.bootstrap`) import these; jobs see the ports."""
