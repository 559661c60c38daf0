"""gunicorn entry: ``gunicorn -c web/gunicorn.conf.py web.wsgi:app``."""
from web.app import create_app

app = create_app()
