# Stand-in for debian:12-slim (test scaffolding, not the upstream image):
# the debootstrapped debian:bookworm-slim stand-in (upstream, debian:12-slim
# and debian:bookworm-slim are one image) that also trusts the host's CA
# bundle, so a build that installs pip with apt reaches PyPI from
# `docker build --network=host`, as the toolchain stand-ins do. Used by
# examples/python-app's builder.
FROM debian:bookworm-slim
COPY host-ca.crt /etc/ssl/msbc-host-ca.crt
ENV SSL_CERT_FILE=/etc/ssl/msbc-host-ca.crt \
    PIP_CERT=/etc/ssl/msbc-host-ca.crt \
    REQUESTS_CA_BUNDLE=/etc/ssl/msbc-host-ca.crt
CMD ["bash"]
