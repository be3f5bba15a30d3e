"""Surveys: which survey a message offers and its one-tap links (`offers.py`, pure), and the page a
customer answers on (`page.py`), served by `functions.entrypoints.http.public`."""
