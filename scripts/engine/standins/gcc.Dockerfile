# Stand-in for gcc:14-bookworm (test scaffolding, not the upstream image):
# Debian 12's gcc (**12**, upstream ships 14), make and libc6-dev on the
# debootstrapped debian:bookworm-slim stand-in. Like upstream, no cmake.
FROM debian:bookworm-slim
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends gcc libc6-dev make \
 && rm -rf /var/lib/apt/lists/*
RUN gcc --version && make --version
CMD ["bash"]
