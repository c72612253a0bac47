# What a first Dockerfile for this app often looks like: one stage, the
# whole context copied, then installed. For the benchmark (scripts/toolchain-bench.sh).
FROM node:20-trixie-slim
WORKDIR /app
COPY . .
RUN npm install
EXPOSE 3000
CMD ["node", "server.js"]
