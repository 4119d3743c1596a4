# F_BRAIN image: one image for web, worker and beat; the command chooses the process.
#
# Stages: builder (wheels from the lock file, installed + trimmed into /install)
#         -> base (python:3.11-slim + /install, non-root user, no compiler)
#         -> dev (adds test/lint deps; used by docker-compose.yml)
#         -> runtime (code + collected static files; the default, published image).
# Written for BuildKit 0.8 (Docker 20.10) as well as current Docker: no `# syntax=` line,
# no heredocs, no COPY --link. Build: `docker build -t fbrain .` (see docs/docker.md).

ARG PYTHON_IMAGE=python:3.11-slim

# ---------------------------------------------------------------- builder: wheels, installed tree
FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_PYTHON_VERSION_WARNING=1
# binutils only for `strip` below; nothing of this stage ships but /install.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends binutils \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /build
COPY server/requirements/base.txt server/requirements/dev.txt ./
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels/base -r base.txt
# The runtime dependencies, installed into /install and trimmed (target: image <= 250 MB):
# - no .pyc (--no-compile, ~31 MB; each process start compiles in memory, ~0.4 s CPU);
# - gettext sources *.po (~11 MB; only compiled *.mo are read), and the catalogs of languages
#   other than English (~7 MB): F_BRAIN is English-only (LANGUAGE_CODE en-us, no
#   LocaleMiddleware), so no other catalog is ever loaded;
# - Babel's locale data except root/en (~32 MB): Babel comes in only through courlan's URL
#   language filter, which trafilatura uses when crawling with a target language, never in
#   F_BRAIN's single-page extraction;
# - debug symbols of the shared libraries (strip --strip-unneeded, ~5 MB).
RUN pip install --no-cache-dir --no-compile --no-index --find-links=/wheels/base \
      --prefix=/install -r base.txt \
    && site="$(python -c 'import sysconfig; print(sysconfig.get_path("purelib", vars={"base": "/install", "platbase": "/install"}))')" \
    && find "$site" -name '*.po' -type f -delete \
    && find "$site" -path '*/locale/*/LC_MESSAGES/*.mo' ! -path '*/locale/en/*' \
         ! -path '*/locale/en_*/*' -type f -delete \
    && if [ -d "$site/babel/locale-data" ]; then \
         find "$site/babel/locale-data" -name '*.dat' ! -name 'root.dat' ! -name 'en.dat' \
           ! -name 'en_*.dat' -delete; \
       fi \
    && find "$site" -type f \( -name '*.so' -o -name '*.so.*' \) -exec strip --strip-unneeded {} +

FROM builder AS builder-dev
RUN --mount=type=cache,target=/root/.cache/pip \
    pip wheel --wheel-dir /wheels/dev -r dev.txt

# ---------------------------------------------------------------- base: runtime deps, no compiler
FROM ${PYTHON_IMAGE} AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_PYTHON_VERSION_WARNING=1 \
    DJANGO_SETTINGS_MODULE=config.settings.prod \
    DATA_DIR=/data \
    STATIC_ROOT=/app/staticfiles \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-multiproc \
    PATH=/app/scripts:$PATH
# A fixed non-root uid/gid so volume ownership is predictable across releases.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app \
    && mkdir -p /app/server /app/scripts /data /srv/static \
    && chown app:app /data /srv/static
COPY --from=builder /install /usr/local
WORKDIR /app/server
EXPOSE 8000
ENTRYPOINT ["/app/scripts/entrypoint.sh"]
CMD ["/app/scripts/start-web.sh"]

# ---------------------------------------------------------------- dev: + test/lint deps
# Size does not matter here, start-up time does (tests start gunicorn/celery): bytecode for all.
FROM base AS dev
ENV DJANGO_SETTINGS_MODULE=config.settings.dev
RUN --mount=type=bind,from=builder-dev,source=/wheels/dev,target=/wheels \
    --mount=type=bind,source=server/requirements/dev.txt,target=/tmp/dev.txt \
    pip install --no-cache-dir --no-index --find-links=/wheels -r /tmp/dev.txt \
    && python -m compileall -q -j 0 "$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
COPY scripts/ /app/scripts/
COPY server/ /app/server/
USER 10001:10001
CMD ["/app/scripts/start-web-dev.sh"]

# ---------------------------------------------------------------- runtime (default)
FROM base AS runtime
COPY scripts/ /app/scripts/
COPY server/ /app/server/
# Static files are collected at build time with production settings and throw-away values:
# nothing here talks to a database or Redis.
RUN env -u PROMETHEUS_MULTIPROC_DIR \
    SECRET_KEY=collectstatic-only-build-time-dummy-value-never-used-at-runtime-0123456789 \
    DATABASE_URL=postgres://build:build@127.0.0.1:1/build \
    REDIS_URL=redis://127.0.0.1:1/0 \
    ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput --verbosity 0
USER 10001:10001
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/app/scripts/healthcheck.py", "web"]
# Build metadata last, so a new revision does not invalidate the layers above.
ARG VERSION=0.0.0-dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/OWNER/fbrain
LABEL org.opencontainers.image.title="F_BRAIN" \
      org.opencontainers.image.description="F_BRAIN personal knowledge base: web, worker and beat" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}"
ENV APP_VERSION=${VERSION} \
    GIT_REVISION=${REVISION}
