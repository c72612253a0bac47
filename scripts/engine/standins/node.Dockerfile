# Stand-in for node:20-trixie-slim (test scaffolding, not the upstream image):
# Debian 13's Node.js 20 and npm on the debootstrapped debian:trixie-slim
# stand-in; trusts the host's CA bundle so `npm ci` reaches the npm registry
# from `docker build --network=host`.
FROM debian:trixie-slim
COPY host-ca.crt /etc/ssl/msbc-host-ca.crt
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/msbc-host-ca.crt \
    SSL_CERT_FILE=/etc/ssl/msbc-host-ca.crt \
    npm_config_update_notifier=false \
    npm_config_fund=false
RUN node --version && npm --version
CMD ["node"]
