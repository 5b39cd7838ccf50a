"""The `gridgov` console script: Django's management commands under one name."""

import os
import sys


def _take_data_dir(argv: list[str]) -> tuple[str | None, list[str]]:
    """Remove --data-dir from the arguments (every command accepts it) and return its value, for settings."""
    for i, arg in enumerate(argv):
        if arg == "--data-dir" and i + 1 < len(argv):
            return argv[i + 1], argv[:i] + argv[i + 2:]
        if arg.startswith("--data-dir="):
            return arg.split("=", 1)[1], argv[:i] + argv[i + 1:]
    return None, argv


def main(argv: list[str] | None = None) -> None:
    """Run a gridgov command (demo, token, …) or any Django management command."""
    argv = list(sys.argv if argv is None else argv)
    data_dir, argv = _take_data_dir(argv)
    if data_dir:
        os.environ["GRIDGOV_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridgov", *argv[1:]])


if __name__ == "__main__":
    main()
