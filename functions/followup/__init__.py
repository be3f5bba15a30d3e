"""The follow-up job: birthday wishes and one-week check-ins."""
