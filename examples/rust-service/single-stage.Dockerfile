# What a first Dockerfile for this service often looks like: one stage, the
# whole context copied, then built. For the benchmark (scripts/toolchain-bench.sh).
FROM rust:1.85-trixie
WORKDIR /src
COPY . .
RUN cargo build --release --locked
EXPOSE 8080
ENTRYPOINT ["/src/target/release/rust-service"]
