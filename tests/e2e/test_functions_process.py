"""The entry points served by a real `functions-framework` process on 127.0.0.1."""

import os

import requests

from functions.core.links import Links
from tests.helpers import TEST_SECRET, free_port
from tests.helpers.processes import functions_framework, server
from tests.helpers.support import HEADER, local_settings, row, write_workbook


def test_followup_and_unsubscribe_through_a_real_functions_framework(tmp_path):
    workbook = write_workbook(tmp_path / "k.xlsx", HEADER, [row("C-1", "Nguyễn Thị Lan", "chị", "lan@example.com")])
    env = {**os.environ, **local_settings(tmp_path, workbook, send_hours="07:00-22:00")}
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = functions_framework("unsubscribe", port)
    with server(command, url + "/", env=env):
        token_path = Links(url, TEST_SECRET).unsubscribe("C-1", "vi")
        page = requests.get(token_path, timeout=10)
        assert page.status_code == 200 and "Hủy đăng ký" in page.text
        assert requests.get(url + "/unsubscribe/forged", timeout=10).status_code == 404
        done = requests.post(token_path, data={"List-Unsubscribe": "One-Click"}, timeout=10)
        assert done.status_code == 200 and "Đã hủy đăng ký" in done.text

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = functions_framework("followup_daily", port)
    with server(command, url + "/favicon.ico", env=env):
        report = requests.post(url + "/", timeout=30).json()
    assert report["job"] == "followup"
    assert report["write_back"]["rows"] == 1  # the Opt out tick
