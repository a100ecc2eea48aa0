"""Settings for benchmark runs: the site's own settings plus the corpus generator app and the
framework floor view (bench/urls.py).

`DJANGO_SETTINGS_MODULE=bench.settings python manage.py generate_corpus …` — the generator is
not installed under `geopolitics.settings`, so production has no command that deletes a corpus
and no benchmark URL.
"""

from geopolitics.settings import *  # noqa: F403
from geopolitics.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench.generator"]
ROOT_URLCONF = "bench.urls"
