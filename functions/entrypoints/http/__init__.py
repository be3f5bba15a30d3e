"""Every functions-framework handler, one convention: `handler(request) -> (body, status[, headers])`.

`scheduled` serves the jobs Cloud Scheduler calls (JSON reports); `public` serves the pages
customers open (survey, unsubscribe). `main.py` at the repository root imports them lazily.
"""
