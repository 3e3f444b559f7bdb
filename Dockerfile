# Image for web (gunicorn), Celery worker and Celery beat — one image, three commands
# (see docker-compose.yml). Build: docker build -t sunshine-procurement .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=procurement.settings.production \
    MEDIA_ROOT=/data/media

# gettext: compilemessages; libpq5: PostgreSQL client library; curl: health probes;
# Pango and the WenQuanYi font: printable documents rendered as PDF (WeasyPrint).
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext libpq5 curl \
    libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (cached layer): the exact versions pinned in requirements.lock.
COPY requirements.lock ./
RUN pip install -r requirements.lock

COPY . .

# Build-time only values: production settings refuse to load without a strong secret and
# allowed hosts, but collectstatic/compilemessages need neither a database nor the real key.
RUN DJANGO_SECRET_KEY="build-$(python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
    DJANGO_ALLOWED_HOSTS=build.invalid \
    sh -c "python manage.py compilemessages -v 0 --ignore '.venv/*' --ignore '.local/*' \
           && python manage.py collectstatic --noinput -v 0"

RUN useradd --system --uid 10001 --home /app app \
 && mkdir -p /data/media \
 && chown -R app /data
USER app

EXPOSE 8000
CMD ["gunicorn", "procurement.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "4", \
     "--timeout", "120", "--access-logfile", "-", "--error-logfile", "-", "--forwarded-allow-ips", "*"]
