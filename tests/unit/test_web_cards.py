"""The yellow/red card of a task on the console, always in words as well as colour."""
from datetime import datetime, timedelta, timezone

import pytest
from flask import Flask
from flask_babel import Babel

from web.views.work import card

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)


def task(status="accepted", supervision="normal", due_in=timedelta(hours=3), warn_in=timedelta(hours=2)):
    return {"status": status, "supervision": supervision, "deadline_at": (NOW + due_in).isoformat(),
            "warn_at": (NOW + warn_in).isoformat()}


@pytest.fixture(autouse=True)
def chinese():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def test_an_open_task_in_time_is_on_time_with_its_countdown():
    shown = card(task(), NOW)
    assert shown == {"kind": "ok", "text": "正常", "countdown": "还剩 3 小时 0 分"}


def test_past_the_warning_it_is_a_yellow_card_and_past_the_deadline_a_red_one():
    assert card(task(warn_in=-timedelta(minutes=1)), NOW)["text"] == "黄牌"
    assert card(task(supervision="yellow"), NOW)["text"] == "黄牌"
    overdue = card(task(due_in=-timedelta(minutes=90), warn_in=-timedelta(hours=3)), NOW)
    assert overdue == {"kind": "red", "text": "红牌", "countdown": "已超时 1 小时 30 分"}
    assert card(task(supervision="supervised"), NOW)["kind"] == "red"


def test_finished_work_carries_no_card():
    assert card(task(status="resolved"), NOW)["text"] == ""
