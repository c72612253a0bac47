# Stand-in for golang:1.19-bookworm (test scaffolding, not the upstream image):
# Debian 12's Go 1.19 on the debootstrapped debian:bookworm-slim stand-in.
# GOPATH=/go and GOCACHE=/root/.cache/go-build, as upstream sets them.
FROM debian:bookworm-slim
COPY host-ca.crt /etc/ssl/msbc-host-ca.crt
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends golang-go ca-certificates git gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
ENV GOPATH=/go \
    PATH=/go/bin:/usr/lib/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    SSL_CERT_FILE=/etc/ssl/msbc-host-ca.crt \
    GIT_SSL_CAINFO=/etc/ssl/msbc-host-ca.crt
RUN mkdir -p /go/bin && go version
CMD ["bash"]
