"""python-app: a tiny HTTP server used by the msbc examples.

Serves GET / and GET /healthz on :8000 (or $PORT) with the standard library's
http.server, using `humanize` to format the uptime. `python app.py --version`
prints the version and exits.
"""

import os
import signal
import sys
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import humanize

NAME = "python-app"
VERSION = "1.0.0"
STARTED = time.monotonic()


class Handler(BaseHTTPRequestHandler):
    server_version = f"{NAME}/{VERSION}"

    def do_GET(self):
        path = self.path.split("?", 1)[0]
        if path == "/":
            elapsed = timedelta(seconds=time.monotonic() - STARTED)
            uptime = humanize.precisedelta(elapsed)
            self._reply(200, f"hello from {NAME}, up {uptime}\n")
        elif path == "/healthz":
            self._reply(200, "ok")
        else:
            self._reply(404, "not found\n")

    def _reply(self, status, body):
        data = body.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def main(argv):
    if "--version" in argv:
        print(f"{NAME} {VERSION}")
        return 0
    # Exit cleanly on `docker stop` (PID 1 ignores SIGTERM without a handler).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    port = int(os.environ.get("PORT", "8000"))
    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    print(f"{NAME} {VERSION} listening on :{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
