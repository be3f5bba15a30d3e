"""The outermost layer: what starts a run. `http/` holds every functions-framework handler,
`cli/` the `careloop` command. Both are thin: parse the request, build dependencies through
`functions.bootstrap`, call a job, present its report."""
