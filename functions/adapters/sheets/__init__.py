"""The Sheet port: Google Sheets (`google.py`, with `google_setup.py` for `careloop setup-sheet`) and
a local workbook (`xlsx.py`); `placement.py` finds where a write goes in a tab as it is now."""
