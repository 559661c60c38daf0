"""What no route may be handed, refused at the edge before any route reads its input.

Text with a NUL character (PostgreSQL cannot store it) or a lone surrogate (it
cannot be encoded as UTF-8), anywhere: path, query, form or JSON body, names
and values; and a JSON body nested deeper than MAX_DEPTH (parsing it would
exhaust the stack). Each bad text is named by its field in one 422.
"""
import re

from flask import Flask, request

from gateway.problems import Problem

MAX_DEPTH = 32
BAD_TEXT = re.compile("[\x00\ud800-\udfff]")
JSON_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
NOT_A_BRACKET = bytes(b for b in range(256) if b not in b"[]{}")


def install(app: Flask) -> None:
    @app.before_request
    def _refuse_hostile_input():
        errors = _bad_pairs((request.view_args or {}).items()) + _bad_pairs(request.args.items(multi=True))
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            errors += _bad_pairs(request.form.items(multi=True))
        elif request.is_json:
            if depth(request.get_data(cache=True)) > MAX_DEPTH:
                raise Problem(400, "too_deeply_nested", params={"max": MAX_DEPTH})
            errors += _bad_json(request.get_json(silent=True))
        if errors:
            raise Problem(422, "invalid_input", errors)


def depth(body: bytes) -> int:
    """How deep the brackets of a JSON text nest (those inside strings do not count)."""
    deepest = level = 0
    for bracket in JSON_STRING.sub(b"", body).translate(None, NOT_A_BRACKET):
        level += 1 if bracket in b"[{" else -1
        deepest = max(deepest, level)
    return deepest


def _bad_pairs(pairs) -> list[dict]:
    """Path, query or form fields whose name or value holds a bad character."""
    return [_invalid(str(name)) for name, value in pairs if BAD_TEXT.search(f"{name}{value}")]


def _bad_json(value, path: str = "") -> list[dict]:
    """Every string of a JSON document (a key or a value) holding a bad character, by its dotted field name."""
    if isinstance(value, str):
        return [_invalid(path)] if BAD_TEXT.search(value) else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            name = f"{path}.{key}" if path else key
            found += [_invalid(name)] if BAD_TEXT.search(key) else _bad_json(item, name)
        return found
    if isinstance(value, list):
        return [error for index, item in enumerate(value) for error in _bad_json(item, f"{path}.{index}")]
    return []


def _invalid(field: str) -> dict:
    # The name itself may hold the bad character: it is shown with a replacement character instead.
    return {"field": BAD_TEXT.sub("\N{REPLACEMENT CHARACTER}", field), "code": "invalid_text", "params": {}}
