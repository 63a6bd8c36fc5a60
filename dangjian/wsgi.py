import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
application = get_wsgi_application()

# Load the word dictionaries (masking's tagger, the policy search words) as each worker starts, not
# during the first citizen's request: loading takes about two seconds and held every POST behind it.
from dangjian.core import masking  # noqa: E402
from dangjian.policies import search  # noqa: E402

masking.warm_up()
search.tokenize_warm_up()
