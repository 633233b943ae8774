"""The `xiangzhi` command: Django's management commands under the project's name.

`xiangzhi demo`, `xiangzhi serve`, `xiangzhi worker`, `xiangzhi audit verify`, `xiangzhi migrate` …
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiangzhi.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    argv[0] = "xiangzhi"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
