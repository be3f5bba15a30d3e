"""The JobState port's contract (a job's state and its run reports), on every adapter."""

from __future__ import annotations


def test_reports_newest_first(store):
    for day in (23, 24, 25):
        store.job_state.save_report(
            {
                "job": "followup",
                "now": f"2026-11-{day}T09:00:00+07:00",
                "summary": {"sent": day},
                "problems": [{"message": "Ngày sinh '31/02/1990' không tồn tại"}],
            }
        )
    store.job_state.save_report({"job": "escalate", "now": "2026-11-26T09:00:00+07:00", "summary": {}})
    store.job_state.save_report(
        {"job": "followup", "now": "2026-11-23T09:00:00+07:00", "summary": {"sent": 99}}
    )  # a re-run
    reports = store.job_state.reports("followup", limit=3)
    assert [r["summary"]["sent"] for r in reports] == [99, 25, 24]  # the order they were saved in
    assert reports[1]["problems"][0]["message"] == "Ngày sinh '31/02/1990' không tồn tại"


def test_job_state_is_merged_field_by_field(store):
    assert store.job_state.job_state("escalate") == {}
    store.job_state.save_job_state(
        "escalate", {"answers_seen": "2026-11-23T09:00:00+07:00", "weeks": {"2026-W47": {"n": 1}}}
    )
    store.job_state.save_job_state("escalate", {"dashboard_at": "2026-11-23T10:00:00+07:00"})
    store.job_state.save_job_state("escalate-rows-0", {"HS-ABCD1234": "a1b2c3", "HS-EFGH5678": "d4e5f6"})
    store.job_state.save_job_state("escalate-rows-0", {"HS-ABCD1234": None, "HS-JKLM9012": "0f0f0f"})
    assert store.job_state.job_state("escalate") == {
        "answers_seen": "2026-11-23T09:00:00+07:00",
        "weeks": {"2026-W47": {"n": 1}},
        "dashboard_at": "2026-11-23T10:00:00+07:00",
    }
    assert store.job_state.job_state("escalate-rows-0") == {"HS-EFGH5678": "d4e5f6", "HS-JKLM9012": "0f0f0f"}


def test_state_names_with_slashes_and_dashes_are_kept_and_removed(store):
    """The health state is keyed by problem names ("followup/provider-zalo"): every store keeps and
    removes them as written."""
    job_state = store.job_state
    job_state.save_job_state("health", {"followup/provider-zalo": {"detail": "Zalo từ chối", "since": "x"},
                                        "escalate/cannot_run": {"detail": "a.b", "since": "y"}})  # fmt: skip
    assert job_state.job_state("health") == {"followup/provider-zalo": {"detail": "Zalo từ chối", "since": "x"},
                                             "escalate/cannot_run": {"detail": "a.b", "since": "y"}}  # fmt: skip
    job_state.save_job_state("health", {"followup/provider-zalo": None})
    assert list(job_state.job_state("health")) == ["escalate/cannot_run"]
