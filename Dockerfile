# syntax=docker/dockerfile:1
# claimtrack production image.
#
#   docker build -t claimtrack .
#   docker run --rm -p 8000:8000 \
#     -e DJANGO_SECRET_KEY=... -e DATABASE_URL=postgres://... \
#     -e DJANGO_ALLOWED_HOSTS=example.org claimtrack
#
# See docker-compose.yml for a full stack and .env.example for every variable.

FROM python:3.12-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv

# uv from PyPI (no binary downloads). Pin it with --build-arg UV_REQUIREMENT=uv==X.Y.Z.
ARG UV_REQUIREMENT=uv
RUN pip install --no-cache-dir "${UV_REQUIREMENT}"

WORKDIR /app

# Dependencies first, in their own layer: only a change to the lock rebuilds it.
COPY pyproject.toml uv.lock .python-version ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project

# Then the project itself.
COPY . .
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev

ENV PATH="/app/.venv/bin:${PATH}"

# Static files are collected into the image (served by WhiteNoise). Settings refuse to
# load without a secret key when debug is off; this dummy one exists for this RUN only.
RUN DJANGO_SECRET_KEY=collectstatic-build-only-not-a-secret \
    DJANGO_DEBUG=0 \
    python manage.py collectstatic --noinput

# Run as an unprivileged user. The code stays root-owned (read-only to the app), so
# the image is meant to be used with DATABASE_URL pointing at PostgreSQL; the default
# SQLite file (/app/db.sqlite3) is not writable here. /backups is the app's, for the
# backups volume compose mounts there (a new named volume copies its owner).
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app \
    && install -d -o app -g app -m 700 /backups
USER app

# manage.py defaults DJANGO_DEBUG to 1 for development; production must say 0.
ENV DJANGO_DEBUG=0

EXPOSE 8000

# /healthz (config/health.py) answers 200 only when gunicorn serves and the database
# and the cache answer; it is exempt from the HTTPS redirect. The probe names the first
# of DJANGO_ALLOWED_HOSTS as its Host, so host validation passes. The start period
# covers migrations, which run before gunicorn starts. (docs/OPERATIONS.md)
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import http.client, os, sys; h = os.environ.get('DJANGO_ALLOWED_HOSTS', '').split(',')[0].strip().lstrip('.'); c = http.client.HTTPConnection('127.0.0.1', 8000, timeout=9); c.request('GET', '/healthz', headers={'Host': h if h not in ('', '*') else 'localhost'}); sys.exit(c.getresponse().status != 200)"]

# Migrate, then hand the process over to gunicorn (exec: it gets the stop signals).
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable && exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-3} --timeout ${GUNICORN_TIMEOUT:-30} --access-logfile -"]
