# syntax=docker/dockerfile:1
# The syntax line pulls the current Dockerfile frontend, so the cache mount and
# HEALTHCHECK --start-interval work whatever BuildKit version the engine ships.

# hookyard's container image: the compiled binary on a slim Debian (it links
# against glibc), running as an unprivileged user with its SQLite data in a volume.
#
#   docker build -t hookyard .
#   docker run -p 8000:8000 -e ADMIN_TOKEN=… -v hookyard-data:/var/lib/hookyard hookyard
#
# HOST is 0.0.0.0 here (loopback inside a container reaches nothing), so without
# ADMIN_TOKEN anyone who reaches the published port can manage hookyard: set it.
#
# Give `docker run` --stop-timeout 15 (compose: stop_grace_period) so the graceful
# shutdown, bounded by SHUTDOWN_TIMEOUT (10s), finishes before Docker's SIGKILL.

ARG BUN_VERSION=1.4

# ---- build: compile dist/hookyard ------------------------------------------------
FROM oven/bun:${BUN_VERSION} AS build
WORKDIR /src

# Dependencies first, in their own layer, so a source change does not reinstall them.
COPY package.json bun.lock ./
RUN --mount=type=cache,target=/root/.bun/install/cache \
    bun install --frozen-lockfile

COPY . .
RUN bun run build \
 && ./dist/hookyard --version

# ---- runtime ---------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

ARG VERSION=dev
ARG REVISION=
ARG SOURCE=
LABEL org.opencontainers.image.title="hookyard" \
      org.opencontainers.image.description="A self-hosted webhook hub in one executable: verify, store, inspect, relay and deliver webhooks." \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.base.name="docker.io/library/debian:bookworm-slim"

# ca-certificates: system roots for setups that add their own CA (NODE_EXTRA_CA_CERTS);
# curl: for the HEALTHCHECK (slim images have neither).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*

# A fixed numeric uid/gid, so volume ownership is predictable and orchestrators
# (runAsNonRoot) can tell the user is not root.
RUN groupadd --system --gid 10001 hookyard \
 && useradd --system --uid 10001 --gid hookyard --home-dir /var/lib/hookyard \
      --no-create-home --shell /usr/sbin/nologin hookyard \
 && install -d -o hookyard -g hookyard -m 0750 /var/lib/hookyard

# Owned by root: the service user can run the binary but not replace it.
COPY --from=build /src/dist/hookyard /usr/local/bin/hookyard

# The SQLite default lives in the volume; set DATABASE_URL=postgres://… to use PostgreSQL.
ENV DATABASE_URL=sqlite:/var/lib/hookyard/hookyard.db \
    HOST=0.0.0.0 \
    PORT=8000

# Declared after the chown above: a new named volume copies this folder's ownership.
VOLUME /var/lib/hookyard
WORKDIR /var/lib/hookyard
USER 10001:10001
EXPOSE 8000

# Liveness only (/healthz needs no database); use /readyz where readiness matters.
# --start-interval (Docker Engine 25+) checks every second during the start period,
# so the container turns healthy about a second after it listens, not 30 s later.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --start-interval=1s --retries=3 \
    CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT:-8000}/healthz" || exit 1

# SIGTERM starts the graceful shutdown: stop accepting, finish in-flight work, exit 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/hookyard"]
CMD ["serve"]
