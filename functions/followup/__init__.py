"""The follow-up job: birthday wishes and one-week check-ins (`plan.py` decides, `job.py` runs it),
and the unsubscribe page their messages link to (`unsubscribe.py`)."""
