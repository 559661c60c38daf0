"""The yellow/red card of a task on the console, always in words as well as colour, with the
working time the platform counted for it (the console does no calendar arithmetic)."""
import pytest
from flask import Flask
from flask_babel import Babel

from web.views.work import card


def task(status="accepted", overdue=False, days=0, hours=3, minutes=0, shown="normal"):
    clock = {"overdue": overdue, "working_minutes": days * 450 + hours * 60 + minutes, "working_days": days,
             "hours": hours, "minutes": minutes, "card": shown}
    return {"status": status, "countdown": None if status in ("resolved", "closed") else clock}


@pytest.fixture(autouse=True)
def chinese():
    app = Flask(__name__)
    Babel(app)
    with app.test_request_context():
        yield


def test_an_open_task_in_time_is_on_time_with_its_working_time_left():
    assert card(task()) == {"kind": "ok", "text": "正常", "countdown": "剩余 3 小时"}
    assert card(task(days=1, hours=3, minutes=15))["countdown"] == "剩余 1 个工作日 3 小时 15 分钟"


def test_near_the_deadline_it_is_a_yellow_card_and_past_it_a_red_one():
    assert card(task(hours=0, minutes=40, shown="yellow"))["text"] == "黄牌"
    overdue = card(task(overdue=True, hours=1, minutes=30, shown="red"))
    assert overdue == {"kind": "red", "text": "红牌", "countdown": "已超期 1 小时 30 分钟"}
    # Due at Friday's close and read on Saturday: overdue, though no office time has passed since.
    assert card(task(overdue=True, hours=0, shown="red"))["countdown"] == "已超期"


def test_finished_work_carries_no_card():
    assert card(task(status="resolved"))["text"] == ""


def test_english_reads_working_days_in_the_plural():
    app = Flask("web")  # the console's own folder, with its translations
    Babel(app, locale_selector=lambda: "en")
    with app.test_request_context():
        assert card(task(days=2, hours=1))["countdown"] == "2 working days 1 hour left"
