import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
application = get_wsgi_application()

# The dictionaries loaded, connections closed, the loaded heap frozen (core/process.py). gunicorn runs with
# --preload (scripts/serve.sh), so this happens once in the master and the workers share the loaded pages.
from dangjian.core.process import ready_to_serve  # noqa: E402

ready_to_serve()
