# GouTong Callbacks: one image for every process.
#
#   docker build -t goutong-callbacks .
#   docker run ... goutong-callbacks                  # the API (default: goutong api)
#   docker run ... goutong-callbacks goutong worker   # a Temporal worker
#   docker run ... goutong-callbacks goutong migrate  # apply the store migrations and exit
#
# Every setting comes from the environment (GOUTONG_*, DATABASE_URL; see .env.example).
# docker-compose.temporal.yml runs the whole stack; docs/deployment.md explains it.

# --- build: a virtualenv with the project installed as a wheel (no source tree at run time) ---
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY . .
RUN python -m venv /opt/goutong && /opt/goutong/bin/pip install '.[otlp]'
# The wheel must hold the top-level modules and the Alembic template (checked outside /src, so
# nothing is imported from the source tree).
RUN cd / && /opt/goutong/bin/python -c "import importlib.resources as r, cli, worker, api.app; \
assert r.files('store.migrations').joinpath('script.py.mako').is_file()"

# --- runtime ---------------------------------------------------------------------------------
FROM python:3.11-slim

# A fixed numeric uid/gid, so orchestrators can check "runs as non-root" without a passwd lookup.
RUN groupadd --system --gid 10001 goutong \
    && useradd --system --uid 10001 --gid goutong --home-dir /var/lib/goutong \
        --shell /usr/sbin/nologin goutong \
    && mkdir -p /var/lib/goutong \
    && chown goutong:goutong /var/lib/goutong

COPY --from=build /opt/goutong /opt/goutong

# GOUTONG_API_HOST: uvicorn must listen on all interfaces inside a container.
# GOUTONG_DATA_DIR: only used without DATABASE_URL (SQLite, one machine) or without
# GOUTONG_ADMIN_API_KEY (the generated key file); mount a volume there in that case.
ENV PATH=/opt/goutong/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    GOUTONG_API_HOST=0.0.0.0 \
    GOUTONG_API_PORT=8000 \
    GOUTONG_DATA_DIR=/var/lib/goutong

WORKDIR /var/lib/goutong
USER 10001:10001

# 8000: the API; 9464: worker metrics (arrive with the operations issue).
EXPOSE 8000 9464 9465

CMD ["goutong", "api"]
