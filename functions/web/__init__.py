"""Public HTTP handlers (pages customers open from a message)."""
