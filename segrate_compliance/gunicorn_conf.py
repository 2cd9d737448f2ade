"""gunicorn's configuration for ``make run`` (``-c python:segrate_compliance.gunicorn_conf``).

Its error log in the project's one format (segrate_compliance/log.py); no access log: the
request middleware logs each request once, with its id and user.
"""

import os

from segrate_compliance.log import gunicorn_logconfig

logconfig_dict = gunicorn_logconfig(os.environ.get("LOG_LEVEL", "INFO"))
accesslog = None
