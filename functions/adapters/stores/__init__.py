"""The Store port: a SQLite file (`sqlite.py`, the embedded default) and Firestore (`firestore.py`)."""
