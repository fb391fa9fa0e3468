# The hub's production image: gunicorn + whitenoise by default; the same image runs the Celery
# worker and beat (docker-compose.yml). Configure it with environment variables (README.md).

# --- Stage 1: the front-end libraries, from npm into static/vendor, as `make assets` does. ---
FROM python:3.12-slim AS assets
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json Makefile ./
RUN make assets

# --- Stage 2: the application. ---
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    PATH=/app/.venv/bin:$PATH \
    DEBUG=0

RUN pip install --no-cache-dir uv \
    && groupadd --system hub \
    && useradd --system --gid hub --home-dir /app --no-create-home hub

WORKDIR /app
# Dependencies first, so that a change to the code alone reuses this layer.
COPY pyproject.toml uv.lock .python-version ./
RUN uv sync --locked --no-dev --no-install-project --no-cache

COPY . .
COPY --from=assets /app/static/vendor static/vendor

# The SECRET_KEY here exists only for this build step; it is not kept in the image.
RUN SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput \
    && mkdir -p var/media \
    && chown -R hub:hub var

USER hub
EXPOSE 8000
CMD ["gunicorn", "hubsite.wsgi", "--bind", "0.0.0.0:8000"]
