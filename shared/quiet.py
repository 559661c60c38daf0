"""Run a command without the deprecation notices its libraries are known to print.

    python -m shared.quiet deploy.local run
    python -m shared.quiet nameko run --config services/dispatch/config.yml services.dispatch.service

eventlet announces on import that it is deprecated (nameko 2.14 runs on it; see
ARCHITECTURE.md, "Known traps"), and nameko's command line imports pkg_resources,
which setuptools announces as deprecated. Both are known and pinned for; printed by
every process, they bury what ``make run`` has to say. Only these two notices are
quieted, and only for commands started through here: the tests keep their warnings
summary, and any other warning still shows.
"""
import runpy
import sys
import warnings

KNOWN_NOTICES = (
    (r"\s*Eventlet is deprecated", Warning),
    (r"pkg_resources is deprecated", UserWarning),
)


def quiet_known_notices() -> None:
    for message, category in KNOWN_NOTICES:
        warnings.filterwarnings("ignore", message=message, category=category)


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit("usage: python -m shared.quiet MODULE [ARGS ...]")
    quiet_known_notices()
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
