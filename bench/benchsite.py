"""Settings of the server the intake benchmark starts (bench/case_intake.py): the project's own settings with one
change, the URLconf, which adds a bare endpoint (bench/benchurls.py). Bench-only: never used by the site."""

from xiangzhi.settings import *  # noqa: F403

ROOT_URLCONF = "benchurls"
