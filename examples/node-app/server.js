// node-app: a tiny HTTP server used by the msbc examples.
// Uses only node's `http` module plus the `ms` package (to format uptime).
// Listens on :3000 (or $PORT); `node server.js --version` prints the version and exits.
"use strict";

const http = require("http");
const ms = require("ms");
const pkg = require("./package.json");

if (process.argv.slice(2).includes("--version")) {
  console.log(`${pkg.name} ${pkg.version}`);
  process.exit(0);
}

const port = Number(process.env.PORT) || 3000;
const started = Date.now();

const server = http.createServer((req, res) => {
  const path = new URL(req.url, "http://localhost").pathname;
  let status = 200;
  let body;
  if (req.method !== "GET" && req.method !== "HEAD") {
    status = 405;
    body = "method not allowed\n";
  } else if (path === "/") {
    body = `hello from ${pkg.name}, up ${ms(Date.now() - started, { long: true })}\n`;
  } else if (path === "/healthz") {
    body = "ok";
  } else {
    status = 404;
    body = "not found\n";
  }
  res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(body);
});

server.listen(port, () => {
  console.log(`${pkg.name} ${pkg.version} listening on :${port}`);
});

// Exit cleanly on `docker stop`.
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => process.exit(0));
}
