"""credentials.yml as the Rasa server reads it: every enabled channel resolves, and the commented templates for
Telegram, Slack and Messenger become working channel objects once uncommented and their variables are set."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CREDENTIALS = ROOT / "credentials.yml"
TEMPLATE_ENV = {
    "TELEGRAM_TOKEN": "123456:ABC-test", "TELEGRAM_BOT_NAME": "shopmate_test_bot", "PUBLIC_URL": "https://chat.example.org",
    "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_CHANNEL": "C0123", "SLACK_SIGNING_SECRET": "s3cr3t",
    "FACEBOOK_VERIFY_TOKEN": "verify-me", "FACEBOOK_APP_SECRET": "app-secret", "FACEBOOK_PAGE_ACCESS_TOKEN": "page-token",
}


def channels_of(path: Path) -> list:
    from rasa.core.run import create_http_input_channels

    return create_http_input_channels(None, str(path))


def test_enabled_channels_resolve_and_rest_keeps_its_url():
    channels = {c.name(): c for c in channels_of(CREDENTIALS)}
    assert set(channels) == {"rest", "socketio"}
    from channels.rest import RestInput

    assert isinstance(channels["rest"], RestInput)  # our channel, under the built-in's name (same webhook URL)
    assert channels["socketio"].session_persistence is True


def test_commented_templates_work_once_uncommented(tmp_path, monkeypatch):
    for key, value in TEMPLATE_ENV.items():
        monkeypatch.setenv(key, value)
    text = CREDENTIALS.read_text()
    uncommented = re.sub(r"^# ((?:telegram|slack|facebook):|  \S.*)$", r"\1", text, flags=re.MULTILINE)
    path = tmp_path / "credentials.yml"
    path.write_text(uncommented)
    channels = {c.name(): c for c in channels_of(path)}
    assert set(channels) == {"rest", "socketio", "telegram", "slack", "facebook"}
    telegram = channels["telegram"]
    assert telegram.access_token == TEMPLATE_ENV["TELEGRAM_TOKEN"]  # expanded: an unquoted ${VAR}
    assert telegram.webhook_url == "https://chat.example.org/webhooks/telegram/webhook"
    assert channels["slack"].slack_token == "xoxb-test"
    assert channels["facebook"].fb_secret == "app-secret"


def test_a_template_refuses_to_start_without_its_variable(tmp_path, monkeypatch):
    monkeypatch.delenv("TELEGRAM_TOKEN", raising=False)
    path = tmp_path / "credentials.yml"
    path.write_text("telegram:\n  access_token: ${TELEGRAM_TOKEN}\n  verify: bot\n  webhook_url: https://x/y\n")
    with pytest.raises(Exception, match="TELEGRAM_TOKEN"):
        channels_of(path)
