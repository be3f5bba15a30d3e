"""Settings: defaults < careloop.toml < environment (CARELOOP_*) < command-line flags < the sheet's
Settings tab (for the settings that are the business's to decide).

Everything is validated before a run starts; a bad value stops it with a message naming the
setting (its environment variable and its careloop.toml key), before anything is sent.
`schema` declares each setting once; `loading` reads and checks them; `tab` reads the Settings tab.
"""

from functions.settings.checks import firestore_location, registry_order
from functions.settings.loading import (
    MAILBOX,
    RESERVED_DOMAINS,
    configured_channels,
    load_settings,
    pubsub_project,
    reserved_domain,
    sends_for_real,
    settings_warnings,
    warned,
)
from functions.settings.schema import ENV_PREFIX, Settings, SettingsError, setting_fields
from functions.settings.tab import (
    TAB_MANAGERS,
    TAB_ORIGIN,
    origin_text,
    read_settings_tab,
    settings_tab_rows,
    shown_value,
    tab_settings,
    with_tab_values,
)

__all__ = [
    "ENV_PREFIX",
    "MAILBOX",
    "RESERVED_DOMAINS",
    "TAB_MANAGERS",
    "TAB_ORIGIN",
    "Settings",
    "SettingsError",
    "configured_channels",
    "firestore_location",
    "load_settings",
    "origin_text",
    "pubsub_project",
    "read_settings_tab",
    "registry_order",
    "reserved_domain",
    "sends_for_real",
    "setting_fields",
    "settings_tab_rows",
    "settings_warnings",
    "shown_value",
    "tab_settings",
    "warned",
    "with_tab_values",
]
