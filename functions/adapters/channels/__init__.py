"""The Channel port: SMTP (`smtp.py`) and a folder of .eml files (`outbox.py`); `mime.py` builds the email."""
