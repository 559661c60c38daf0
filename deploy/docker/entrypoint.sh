#!/bin/sh
# Every image's entrypoint: bring the component's own database to head, then
# become the real process (exec, so it is PID 1 and receives docker's SIGTERM).
#
#     entrypoint.sh COMPONENT COMMAND [ARG ...]
set -eu

component="$1"
shift
python -m shared.migrations upgrade "$component"
exec "$@"
