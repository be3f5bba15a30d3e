"""Adapters: one folder per port (`sheets/`, `stores/`, `channels/`) and the jinja2 renderer. Only
`functions.bootstrap` chooses among them; jobs see the ports."""
