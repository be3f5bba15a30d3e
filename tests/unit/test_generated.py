"""Issue 34: each setting is declared once. The README's settings table and Terraform's settings.tf are
written from the schema by `careloop generate`; the committed copies must be what it writes now."""

from __future__ import annotations

import shutil

from functions.entrypoints.cli.generate import README, TERRAFORM, generated, run_generate
from functions.settings import Settings, setting_fields, tab_settings
from tests.helpers import ROOT


def test_the_committed_copies_are_what_the_schema_writes():
    assert run_generate(check_only=True) == [], "run `careloop generate` and commit what it writes"


def test_a_changed_meaning_is_drift_until_generated_again(tmp_path, monkeypatch):
    for path in (README, TERRAFORM):
        (tmp_path / path.relative_to(ROOT)).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, tmp_path / path.relative_to(ROOT))
    field = next(f for f in setting_fields() if f.name == "retention_days")
    monkeypatch.setattr(field, "metadata", {**field.metadata, "doc": "kept this many days"})
    stale = run_generate(check_only=True, root=tmp_path)
    assert sorted(p.name for p in stale) == ["README.md", "settings.tf"]
    assert run_generate(check_only=False, root=tmp_path) and run_generate(check_only=True, root=tmp_path) == []
    assert "kept this many days" in (tmp_path / "README.md").read_text(encoding="utf-8")


def test_every_setting_says_what_it_means_and_the_tab_ones_show_staff_a_right_value():
    from functions.core.i18n import knows

    assert [f.name for f in setting_fields() if not f.metadata["doc"]] == []
    assert [name for name in tab_settings() if not knows(f"setting_{name}")] == []
    examples = {f.name: f.metadata["example"] for f in setting_fields() if f.metadata.get("tab")}
    assert [name for name, example in examples.items() if not example and name != "channel_order"] == []
    for name, example in examples.items():  # each example passes the setting's own check
        field = next(f for f in setting_fields() if f.name == name)
        assert example == "" or field.metadata["parse"](example) is not None


def test_terraform_deploys_what_the_schema_says():
    text = generated()[TERRAFORM]
    deployed = [f.name for f in setting_fields() if f.metadata.get("deploy")]
    assert all(f'variable "{name}"' in text for name in deployed)
    assert 'variable "smtp_password"' not in text and 'variable "twilio_auth_token"' not in text  # secrets stay out
    assert "var.retention_days >= 30 && var.retention_days <= 3650" in text  # the setting's own range
    assert Settings().retention_days == 730 and "default     = 730" in text
