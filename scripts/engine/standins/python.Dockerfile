# Stand-in for python:3.11-slim-bookworm (test scaffolding, not the upstream
# image): Debian 12's Python 3.11 with venv and pip on the debootstrapped
# debian:bookworm-slim stand-in, `python` beside `python3`, and no
# EXTERNALLY-MANAGED marker (upstream's pip installs system-wide too).
# Trusts the host's CA bundle so pip reaches PyPI from
# `docker build --network=host`.
FROM debian:bookworm-slim
COPY host-ca.crt /etc/ssl/msbc-host-ca.crt
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends python3 python3-venv python3-pip ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ln -sf python3 /usr/bin/python \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
ENV LANG=C.UTF-8 \
    SSL_CERT_FILE=/etc/ssl/msbc-host-ca.crt \
    PIP_CERT=/etc/ssl/msbc-host-ca.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/msbc-host-ca.crt \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python --version && python3 --version && python3 -m venv /tmp/v && rm -rf /tmp/v
CMD ["python3"]
