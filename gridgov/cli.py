"""The `gridgov` console script: Django's management commands under one name."""

import os
import sys


def _data_dir_from_argv(argv: list[str]) -> str | None:
    """Return the value of --data-dir if given, so settings can use it before Django starts."""
    for i, arg in enumerate(argv):
        if arg == "--data-dir" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--data-dir="):
            return arg.split("=", 1)[1]
    return None


def main(argv: list[str] | None = None) -> None:
    """Run a gridgov command (demo, token, …) or any Django management command."""
    argv = list(sys.argv if argv is None else argv)
    data_dir = _data_dir_from_argv(argv)
    if data_dir:
        os.environ["GRIDGOV_DATA_DIR"] = data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["gridgov", *argv[1:]])


if __name__ == "__main__":
    main()
