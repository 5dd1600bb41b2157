# Gatehouse: a self-hosted AWS IAM/STS server. Two stages: build with the Rust toolchain, run on a slim Debian.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin gatehouse

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /var/lib/gatehouse --create-home gatehouse
COPY --from=build /src/target/release/gatehouse /usr/local/bin/gatehouse
USER gatehouse
WORKDIR /var/lib/gatehouse
ENV GATEHOUSE_LISTEN=0.0.0.0:4590 \
    GATEHOUSE_ISSUER_LISTEN=0.0.0.0:4591 \
    GATEHOUSE_DATA_DIR=/var/lib/gatehouse
# 4590: IAM and STS; 4591: the outbound federation issuer endpoints.
EXPOSE 4590 4591
VOLUME ["/var/lib/gatehouse"]
# The health probe answers 200 once the server is up and its store answers, 503 while the store does not
# (curl -f fails on it).
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=10 \
  CMD curl -fs -o /dev/null http://127.0.0.1:4590/healthz || exit 1
ENTRYPOINT ["gatehouse"]
CMD ["serve"]
