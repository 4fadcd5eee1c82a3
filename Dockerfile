# Codex container image. It cannot be built on the development machines (no container
# engine there); every command below is the one the make targets run: `make release`
# (scripts/install-deps.sh release + cargo leptos build --release) and `server migrate`.

# --- build ---------------------------------------------------------------------------
FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
# The tools (cargo-leptos, wasm-bindgen-cli at the Cargo.lock version, wasm-opt from npm
# binaryen) are installed by the same script as on a laptop, in a layer of their own.
RUN rustup target add wasm32-unknown-unknown \
 && cargo install cargo-leptos --version 0.3.10 --locked \
 && cargo install wasm-bindgen-cli --version "$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)" \
 && npm install --prefix .tools --no-audit --no-fund --no-save binaryen@132.0.0
COPY . .
RUN cd frontend && npm ci --no-audit --no-fund \
 && mkdir -p ../public/vendor && cp node_modules/hls.js/dist/hls.light.min.js ../public/vendor/hls.min.js
ENV SQLX_OFFLINE=true
RUN PATH="/src/.tools/node_modules/.bin:$PATH" LEPTOS_SITE_ROOT=target/site-release cargo leptos build --release \
 && mkdir -p /out \
 && cp target/release/server /out/server \
 && cp -r target/site-release /out/site

# --- run -----------------------------------------------------------------------------
FROM debian:bookworm-slim AS run
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl ffmpeg \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home /app --shell /usr/sbin/nologin codex
WORKDIR /app
COPY --from=build /out/server /app/server
COPY --from=build /out/site /app/site
RUN mkdir -p /app/data && chown codex:codex /app/data
USER codex
ENV APP_ENV=production \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    LEPTOS_SITE_ROOT=/app/site \
    LOG_FORMAT=json
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD curl -fsS http://127.0.0.1:3000/health || exit 1
# Run `server migrate` once per release (a one-off container) before rolling the app servers.
ENTRYPOINT ["/app/server"]
CMD ["serve"]
