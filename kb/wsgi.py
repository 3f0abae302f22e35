import os

from django.core.wsgi import get_wsgi_application

from kb.uploads import read_chunked_bodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kb.settings")
application = read_chunked_bodies(get_wsgi_application())
