"""careloop's own health: the alerts a manager gets when a job needs a person (core/health.py has the rules)."""
