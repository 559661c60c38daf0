"""What every action form shares: its Idempotency-Key, its photos, and its answer.

A form carries a key the server made when it rendered the form (``idempotency_key``); the
outbox (static/js/console.js) resends an item with the same key, and every gateway POST the
action makes is keyed from it, so a resend replays the first answers instead of doing it twice.
"""
import uuid

from flask import jsonify, redirect, request

from web.gateway_client import Api


def new_key() -> str:
    return str(uuid.uuid4())


def key_of_form() -> str:
    """The form's key; a form posted without one (a hand-made request) gets a fresh one."""
    return (request.form.get("idempotency_key") or "").strip()[:100] or new_key()


def wants_json() -> bool:
    """The outbox sends with Accept: application/json and reads the answer; a plain form wants a page."""
    return request.accept_mimetypes.best == "application/json"


def finish(url: str):
    return jsonify(redirect=url) if wants_json() else redirect(url, 303)


def upload_photos(api: Api, key: str) -> list[str]:
    """Each photo of the form through POST /api/v1/media, keyed per photo; their URLs, in order."""
    urls = []
    for index, photo in enumerate(f for f in request.files.getlist("photos") if f and f.filename):
        stored = api.post("/api/v1/media", idempotency_key=f"{key}:photo:{index}",
                          files={"file": (photo.filename, photo.stream, photo.mimetype or "image/jpeg")})
        urls.append(stored["url"])
    return urls


def text(name: str) -> str | None:
    value = (request.form.get(name) or "").strip()
    return value or None
