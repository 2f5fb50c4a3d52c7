# Dockerfile — owns the container image of the orgwatch server: builds build/orgwatch on
# Debian 12 and runs it as a non-root user with sql/, openapi.yaml and web/ in /app.
# Used by docker-compose.yml (PostgreSQL 15 + this image).

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      build-essential pkg-config libmicrohttpd-dev libjansson-dev libpq-dev uuid-dev \
      libcurl4-openssl-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Makefile ./
COPY include/ include/
COPY server/ server/
# The statements' SQL, embedded into the binary by scripts/sql_embed.sh (sh + awk).
COPY scripts/sql_embed.sh scripts/
COPY sql/statements/ sql/statements/
RUN make -j"$(nproc)" all

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libmicrohttpd12 libjansson4 libpq5 libuuid1 libcurl4 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --home-dir /app --shell /usr/sbin/nologin orgwatch
COPY --from=build /src/build/orgwatch /usr/local/bin/orgwatch
WORKDIR /app
COPY sql/ sql/
COPY web/ web/
COPY openapi.yaml ./
ENV ORGWATCH_HOME=/app \
    ORGWATCH_LISTEN=0.0.0.0:8080
USER orgwatch
EXPOSE 8080
CMD ["orgwatch", "serve"]
