# What a first Dockerfile for this module often looks like: one stage, the
# whole context copied, then built. For the benchmark (scripts/toolchain-bench.sh).
FROM golang:1.19-bookworm
WORKDIR /src
COPY . .
RUN go build -o /usr/local/bin/server ./cmd/server
EXPOSE 9000
ENTRYPOINT ["server"]
