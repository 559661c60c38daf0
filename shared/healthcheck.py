"""An image's HEALTHCHECK: ``python -m shared.healthcheck URL`` exits 0 when URL answers 200.

The slim images have no curl; this needs nothing but the standard library.
"""
import sys
import urllib.error
import urllib.request


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m shared.healthcheck URL", file=sys.stderr)
        return 2
    try:
        with urllib.request.urlopen(argv[0], timeout=5) as answer:
            return 0 if answer.status == 200 else 1
    except (urllib.error.URLError, OSError) as exc:
        print(f"{argv[0]}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
