"""A street office's account on the platform's broker: it may read its own street's escalations and nothing else.

    python -m deploy.street.account lanshan --vhost grid              # print the rabbitmqctl commands
    python -m deploy.street.account lanshan --vhost grid --apply      # run them here (asks for the password)

District IT runs this on a broker node once per street (docs/events/README.md, "The street contract"):

- configure and write: only the street's queue ``street.<street>.escalations`` (to declare it
  again and bind it; the platform already declared it when the street was registered);
- read: that queue and the ``dispatch.events`` exchange;
- topic permissions on ``dispatch.events``: bind (read) only keys that begin
  ``report.escalated.street.<street>.``; publish nothing. So binding another street's key, or
  ``report.escalated.street.#``, is refused by the broker (ACCESS_REFUSED).
"""
import argparse
import getpass
import shutil
import subprocess

from shared.contracts.streets import is_street_code


def permissions(street: str) -> dict:
    if not is_street_code(street):
        raise ValueError(f"not a street code: {street!r}")
    queue = rf"street\.{street}\.escalations"
    return {"configure": f"^{queue}$", "write": f"^{queue}$", "read": rf"^({queue}|dispatch\.events)$",
            "topic_exchange": "dispatch.events", "topic_write": "^$",
            "topic_read": rf"^report\.escalated\.street\.{street}\."}


def commands(street: str, vhost: str, user: str | None = None, password: str = "<password>") -> list[list[str]]:
    user = user or f"street-{street}"
    p = permissions(street)
    return [
        ["rabbitmqctl", "add_user", user, password],
        ["rabbitmqctl", "set_permissions", "-p", vhost, user, p["configure"], p["write"], p["read"]],
        ["rabbitmqctl", "set_topic_permissions", "-p", vhost, user, p["topic_exchange"], p["topic_write"],
         p["topic_read"]],
    ]


def apply(street: str, vhost: str, user: str | None, password: str) -> None:
    rabbitmqctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    for command in commands(street, vhost, user, password):
        subprocess.run([rabbitmqctl, "-q", *command[1:]], check=True, capture_output=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.street.account", description=__doc__.splitlines()[0])
    parser.add_argument("street")
    parser.add_argument("--vhost", default="/")
    parser.add_argument("--user", help="default: street-<street>")
    parser.add_argument("--apply", action="store_true", help="run the commands with this machine's rabbitmqctl")
    args = parser.parse_args(argv)
    if args.apply:
        user = args.user or f"street-{args.street}"
        apply(args.street, args.vhost, args.user, getpass.getpass(f"password for {user}: "))
        return 0
    for command in commands(args.street, args.vhost, args.user):
        print(" ".join(f"'{part}'" if set(part) & set("^$\\|()<>") else part for part in command))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
