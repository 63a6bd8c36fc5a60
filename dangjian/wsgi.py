import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
application = get_wsgi_application()

# Load the word dictionaries (masking's tagger, the search words) now, not during the first
# citizen's request: loading takes seconds and held every POST behind it. gunicorn runs with --preload
# (scripts/serve.sh), so this happens once in the master and the workers share the loaded pages.
from dangjian.core import masking, text  # noqa: E402

masking.warm_up()
text.tokenize_warm_up()

# Nothing above should open a database connection; if anything did, the forked workers must not share it.
from django.db import connections  # noqa: E402

connections.close_all()
