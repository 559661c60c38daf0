"""Start one service the way every deployment does:

    python -m shared.serve dispatch

is ``nameko run --config services/dispatch/config.yml services.dispatch.service``
after reading the secrets the config names from their files (NAME_FILE).
"""
import sys

from nameko.cli.main import main as nameko_main

from shared.config import SERVICE_NAMES, SERVICES_DIR, config_variables, read_secret_files


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1 or args[0] not in SERVICE_NAMES:
        raise SystemExit(f"usage: python -m shared.serve NAME, NAME one of {', '.join(SERVICE_NAMES)}")
    config = SERVICES_DIR / args[0] / "config.yml"
    read_secret_files(config_variables(config))
    sys.argv = ["nameko", "run", "--config", str(config), f"services.{args[0]}.service"]
    nameko_main()


if __name__ == "__main__":
    main()
