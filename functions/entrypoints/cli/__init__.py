"""The `careloop` command: argparse and dispatch (`main`), report formatting (`reports`), and the
commands that are not jobs: `demo`, `check`, `preview`."""
