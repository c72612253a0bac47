# Stand-in for rust:1.85-trixie (test scaffolding, not the upstream image):
# Debian 13's rustc and cargo 1.85 on the debootstrapped debian:trixie-slim
# stand-in; trusts the host's CA bundle so `cargo fetch` reaches crates.io
# from `docker build --network=host`.
FROM debian:trixie-slim
COPY host-ca.crt /etc/ssl/msbc-host-ca.crt
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends rustc cargo gcc libc6-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV CARGO_HOME=/usr/local/cargo \
    PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/msbc-host-ca.crt \
    CARGO_HTTP_CAINFO=/etc/ssl/msbc-host-ca.crt
RUN mkdir -p /usr/local/cargo/bin && rustc --version && cargo --version
CMD ["bash"]
