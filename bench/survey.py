"""GET /s/<token> throughput and latency under a real functions-framework process, beside a bare
hello function under the same server, measured side by side; and the survey entry point's cold
import time beside the functions_framework + jinja2 floor."""

from __future__ import annotations

import http.client
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from functions.adapters.stores.sqlite import SqliteStore  # noqa: E402
from functions.core.links import Links  # noqa: E402
from functions.core.surveys import Survey, survey_id_for  # noqa: E402
from tests.helpers import free_port  # noqa: E402
from tests.helpers.processes import functions_framework, server  # noqa: E402

REQUESTS, THREADS = 600, 4


def load(port: int, path: str) -> tuple[float, list[float]]:
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(count: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine = []
        for _ in range(count):
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            assert response.status == 200, response.status
            mine.append(time.perf_counter() - start)
        connection.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(REQUESTS // THREADS,)) for _ in range(THREADS)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return REQUESTS / (time.perf_counter() - start), sorted(latencies)


def percentile(values: list[float], share: float) -> float:
    return values[min(len(values) - 1, int(len(values) * share))] * 1000


def serve(target: str, source: Path, env: dict, path: str) -> tuple[float, list[float]]:
    port = free_port()
    command = functions_framework(target, port, source)
    with server(command, f"http://127.0.0.1:{port}/favicon.ico", env=env):
        load(port, path)  # warm up
        return load(port, path)


def cold_import(modules: list[str]) -> float:
    code = (
        "import importlib, time; t = time.perf_counter()\n"
        + "\n".join(f"importlib.import_module({m!r})" for m in modules)
        + "\nprint(time.perf_counter() - t)"
    )
    runs = [
        float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout)
        for _ in range(5)
    ]
    return statistics.median(runs) * 1000


if __name__ == "__main__":
    folder = Path(tempfile.mkdtemp(prefix="careloop-bench-"))
    try:
        now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
        survey = Survey(survey_id_for("C-1", "checkin/x"), "C-1", "checkin/x", "vi", now, now + timedelta(days=30))
        SqliteStore(folder / "s.sqlite").surveys.create_survey(survey)
        path = urlsplit(Links("http://127.0.0.1", "bench-secret").survey(survey.survey_id, "vi", 4)).path + "?score=4"
        env = {
            **os.environ,
            "CARELOOP_STORE": str(folder / "s.sqlite"),
            "CARELOOP_SECRET": "bench-secret",
            "CARELOOP_CONFIG": "",
        }
        results = {
            "hello (baseline)": serve("hello", ROOT / "bench" / "hello_main.py", env, "/"),
            "GET /s/<token>": serve("survey", ROOT / "main.py", env, path),
        }
        for name, (rate, latencies) in results.items():
            print(
                f"{name:<18} {rate:8.0f} req/s   p50 {percentile(latencies, 0.5):6.2f} ms   "
                f"p99 {percentile(latencies, 0.99):6.2f} ms"
            )
        print(
            f"ratio              {results['hello (baseline)'][0] / results['GET /s/<token>'][0]:.1f}x "
            "the baseline's throughput"
        )
        floor = cold_import(["functions_framework", "jinja2"])
        entry = cold_import(["main", "functions.entrypoints.http.public"])
        print(f"cold import: survey entry {entry:.0f} ms, floor (functions_framework + jinja2) {floor:.0f} ms")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
