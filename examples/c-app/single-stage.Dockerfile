# What a first Dockerfile for this program often looks like: one stage, the
# whole context copied, then built. For the benchmark (scripts/toolchain-bench.sh).
FROM gcc:14-bookworm
WORKDIR /src
COPY . .
RUN make
ENTRYPOINT ["/src/c-app"]
