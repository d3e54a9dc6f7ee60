"""The settings the tests run with: the project's own, spoken over plain HTTP.

With DEBUG off the project redirects HTTP to HTTPS and marks its cookies Secure (HTTPS_ONLY);
Django's test client and the live test server speak plain HTTP, so the tests turn that off
here, before the settings are read. ``tests/core/test_deploy.py`` checks the real defaults in a
fresh process.
"""

import os

os.environ.setdefault("HTTPS_ONLY", "0")

from fivestar.settings import *  # noqa: F403
