"""The escalate job (see DESIGN.md §4): planned, not built yet."""
