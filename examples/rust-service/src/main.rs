//! rust-service: a tiny HTTP service used by the msbc examples.
//! Listens on :8080 (GET / and GET /healthz) using `tiny_http`;
//! `rust-service --version` prints the version and exits.

use tiny_http::{Header, Method, Response, Server};

const NAME: &str = env!("CARGO_PKG_NAME");
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn main() {
    if std::env::args()
        .skip(1)
        .any(|a| a == "--version" || a == "-V")
    {
        println!("{NAME} {VERSION}");
        return;
    }

    let addr = "0.0.0.0:8080";
    let server = Server::http(addr).unwrap_or_else(|e| {
        eprintln!("{NAME}: cannot listen on {addr}: {e}");
        std::process::exit(1);
    });
    eprintln!("{NAME} {VERSION} listening on {addr}");

    let text_plain = Header::from_bytes("Content-Type", "text/plain; charset=utf-8").unwrap();
    for request in server.incoming_requests() {
        let (status, body) = match (request.method(), request.url()) {
            (Method::Get, "/") => (200, "hello from rust-service\n"),
            (Method::Get, "/healthz") => (200, "ok"),
            (Method::Get, _) => (404, "not found\n"),
            _ => (405, "method not allowed\n"),
        };
        let response = Response::from_string(body)
            .with_status_code(status)
            .with_header(text_plain.clone());
        if let Err(e) = request.respond(response) {
            eprintln!("{NAME}: failed to respond: {e}");
        }
    }
}
