"""The escalation job: ticked complaints and low survey scores become cases with a tier, an owner and
business-hours deadlines; overdue cases move up a tier; owners are emailed; the Cases and Dashboard
tabs are written back. `plan.py` decides (pure), `job.py` runs it, `notices.py` sends,
`writeback.py` says what the sheet should show."""
