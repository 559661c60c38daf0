"""``python -m bench.classic_queues run …``: nameko run, with the platform's queues declared as classic
queues (no quorum type, delivery limit or at-least-once dead-lettering). Only for bench.dispatch_drain's comparison:
the platform itself always declares quorum queues."""
import eventlet

eventlet.monkey_patch()  # as nameko run does, before anything else is imported

import sys  # noqa: E402

from nameko.cli.main import main  # noqa: E402

import shared.bus  # noqa: E402

shared.bus.QUORUM = {}
shared.bus.QUORUM_SAFETY = {}

if __name__ == "__main__":
    sys.argv[0] = "nameko"
    sys.exit(main())
