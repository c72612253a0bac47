//! `msbc lsp` end to end: the real binary, JSON-RPC over its standard input
//! and output, as an editor speaks to it.

use crate::support::root;
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(30);
const URI: &str = "file:///nowhere/app.msb";

/// An editor's end of the connection.
struct Client {
    child: Child,
    /// The server's cache folder (`XDG_CACHE_HOME`), where it writes the
    /// pages its diagnostics link to.
    cache: tempfile::TempDir,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications that arrived while a response was awaited.
    notifications: VecDeque<Value>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let cache = tempfile::tempdir().unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_msbc"))
            .arg("lsp")
            .env("XDG_CACHE_HOME", cache.path())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, incoming) = mpsc::channel();
        std::thread::spawn(move || loop {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if stdout.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    break;
                }
                if let Some(v) = line.strip_prefix("Content-Length: ") {
                    length = v.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            stdout.read_exact(&mut body).unwrap();
            if tx.send(serde_json::from_slice(&body).unwrap()).is_err() {
                return;
            }
        });
        Client {
            child,
            stdin,
            cache,
            incoming,
            notifications: VecDeque::new(),
            next_id: 1,
        }
    }

    /// A started client that has done the handshake.
    fn initialized() -> Client {
        let mut client = Client::start();
        let response = client.request("initialize", json!({ "capabilities": {}, "processId": null }));
        assert!(response.get("result").is_some(), "{response}");
        client.notify("initialized", json!({}));
        client
    }

    fn send_raw(&mut self, body: &[u8]) {
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn send(&mut self, message: Value) {
        self.send_raw(message.to_string().as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn receive(&mut self) -> Value {
        self.incoming
            .recv_timeout(TIMEOUT)
            .expect("the server answers within the timeout")
    }

    /// Sends a request and waits for its response (result or error).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        self.response(json!(id))
    }

    fn response(&mut self, id: Value) -> Value {
        loop {
            let message = self.receive();
            if message.get("id") == Some(&id) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push_back(message);
        }
    }

    /// The result of a request that must succeed.
    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        response
            .get("result")
            .cloned()
            .unwrap_or_else(|| panic!("{method} failed: {response}"))
    }

    fn completion_labels(&mut self, params: Value) -> Vec<String> {
        let items = self.result("textDocument/completion", params);
        let items = items.as_array().unwrap_or_else(|| panic!("{items}"));
        items
            .iter()
            .map(|i| i["label"].as_str().unwrap().to_string())
            .collect()
    }

    /// The places that name what the first `needle` in `text` names.
    fn references(&mut self, text: &str, needle: &str, include_declaration: bool) -> Vec<Value> {
        let mut params = at(text, needle, 0);
        params["context"] = json!({ "includeDeclaration": include_declaration });
        let result = self.result("textDocument/references", params);
        result.as_array().cloned().unwrap_or_else(|| panic!("{result}"))
    }

    /// The next diagnostics published for `URI` at `version`.
    fn diagnostics(&mut self, version: i64) -> Vec<Value> {
        let wanted = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == URI
                && m["params"]["version"] == version
        };
        if let Some(i) = self.notifications.iter().position(wanted) {
            let m = self.notifications.remove(i).unwrap();
            return m["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let message = self.receive();
            if wanted(&message) {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }

    fn open(&mut self, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": URI, "languageId": "msb", "version": 0, "text": text } }),
        );
    }

    fn change(&mut self, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": URI, "version": version }, "contentChanges": changes }),
        );
    }

    /// `shutdown`, then `exit`: the server must end with status 0.
    fn shut_down(mut self) {
        assert_eq!(self.result("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert_eq!(status.code(), Some(0));
                return;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The LSP position of the `nth` occurrence of `needle`, plus `shift` characters (ASCII text).
fn position(text: &str, needle: &str, nth: usize, shift: usize) -> Value {
    let offset = text.match_indices(needle).nth(nth).expect("needle").0 + shift;
    let line = text[..offset].matches('\n').count();
    let character = offset - text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": character })
}

fn at(text: &str, needle: &str, nth: usize) -> Value {
    json!({ "textDocument": { "uri": URI }, "position": position(text, needle, nth, 0) })
}

const FIXED: &str = r#"param VERSION: string = "1.22"

image go     = "golang:${VERSION}-bookworm"
image static = "gcr.io/distroless/static-debian12:nonroot"

## Compiles the server.
builder build from go {
  produce server: exe(static) = /out/server
}

runtime app from static {
  copy build.server to /app/server
  entrypoint server
}
"#;

#[test]
fn initialize_diagnostics_navigation_and_shutdown() {
    let mut client = Client::start();
    // Before `initialize`, a request is refused, and the server stays up.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    let init = client.result("initialize", json!({ "capabilities": {}, "processId": null }));
    let caps = &init["capabilities"];
    for capability in [
        "hoverProvider",
        "definitionProvider",
        "referencesProvider",
        "renameProvider",
        "completionProvider",
        "documentFormattingProvider",
        "documentSymbolProvider",
        "semanticTokensProvider",
    ] {
        assert!(!caps[capability].is_null(), "{capability} in {caps}");
    }
    assert_eq!(init["serverInfo"]["name"], "msbc");
    client.notify("initialized", json!({}));

    // Diagnostics for a broken file: what `msbc check` says, code and help
    // included, with the other end of the edge as related information.
    // One broken artifact edge: `build.srv` is not produced.
    let broken = FIXED.replace("build.server", "build.srv");
    client.open(&broken);
    let diagnostics = client.diagnostics(0);
    // The copy names an artifact `build` does not produce, so none lies in
    // `app` for its entrypoint: two errors, as `msbc check` reports them.
    let codes: Vec<&Value> = diagnostics.iter().map(|d| &d["code"]).collect();
    assert_eq!(codes, [&json!("E0102"), &json!("E0102")]);
    let d = &diagnostics[0];
    assert_eq!(d["code"], "E0102");
    assert_eq!(d["severity"], 1);
    assert_eq!(d["source"], "msbc");
    assert_eq!(d["range"]["start"], position(&broken, "srv", 0, 0));
    assert_eq!(
        d["message"],
        "stage `build` produces no artifact `srv`\nhelp: `build` produces `server`"
    );
    let related = &d["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(
        related["location"]["range"]["start"],
        position(&broken, "build from", 0, 0)
    );
    assert_eq!(related["message"], "stage `build` is declared here");
    assert!(d["data"]["explain"].as_str().unwrap().starts_with("E0102"));
    // The code links to what `msbc explain E0102` prints, as a page.
    let href = d["codeDescription"]["href"].as_str().expect("a code description");
    let page = std::fs::canonicalize(client.cache.path())
        .unwrap()
        .join(format!("msbc/explain/{}/E0102.md", env!("CARGO_PKG_VERSION")));
    assert_eq!(href, format!("file://{}", page.display()));
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        format!(
            "# {}",
            msbc::explain::explain(msbc::diagnostic::Code::UnknownArtifact)
        )
    );

    // Fixing it clears them.
    client.change(1, json!([{ "text": FIXED }]));
    assert_eq!(client.diagnostics(1), Vec::<Value>::new());

    // Definition and references of an artifact, from a bare use in a command.
    let definition = client.result("textDocument/definition", at(FIXED, "server\n}", 1));
    assert_eq!(definition["uri"], URI);
    assert_eq!(definition["range"]["start"], position(FIXED, "server:", 0, 0));
    let references = client.references(FIXED, "server:", true);
    let starts: Vec<&Value> = references.iter().map(|l| &l["range"]["start"]).collect();
    assert_eq!(
        starts,
        [
            &position(FIXED, "server:", 0, 0),
            &position(FIXED, "build.server", 0, 6),
            &position(FIXED, "server\n}", 1, 0),
        ]
    );
    assert_eq!(client.references(FIXED, "server:", false).len(), 2);
    // A param's references reach into strings.
    assert_eq!(client.references(FIXED, "VERSION}", true).len(), 2);

    // Rename a stage: its declaration and the `build.` of the copy.
    let mut params = at(FIXED, "build.server", 0);
    params["newName"] = json!("compile");
    let edit = client.result("textDocument/rename", params.clone());
    let edits = edit["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 2, "{edit}");
    assert!(edits.iter().all(|e| e["newText"] == "compile"));
    // A name that would not be a stage name is refused with an error.
    params["newName"] = json!("Compile");
    let refused = client.request("textDocument/rename", params.clone());
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("lowercase"),
        "{refused}"
    );
    params["newName"] = json!("go");
    let refused = client.request("textDocument/rename", params);
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("already names an image"),
        "{refused}"
    );

    // Completion: stage and image names after `from`, artifacts after `stage.`.
    let typing = format!("{FIXED}\nruntime web from \n");
    client.change(2, json!([{ "text": typing }]));
    let mut params = at(&typing, "from \n", 0);
    params["position"]["character"] = json!(params["position"]["character"].as_u64().unwrap() + 5);
    let labels = client.completion_labels(params);
    assert!(labels[..4] == ["build", "app", "go", "static"], "{labels:?}");
    let typing = FIXED.replace("copy build.server", "copy build.");
    client.change(3, json!([{ "text": typing }]));
    let mut params = at(&typing, "build.", 0);
    params["position"]["character"] = json!(params["position"]["character"].as_u64().unwrap() + 6);
    let items = client.result("textDocument/completion", params);
    assert_eq!(items[0]["label"], "server", "{items}");
    assert_eq!(items[0]["detail"], "exe(static)");

    // Formatting is `msbc fmt`.
    let messy = FIXED.replace("  produce server:", "      produce   server:");
    client.change(4, json!([{ "text": messy }]));
    let edits = client.result(
        "textDocument/formatting",
        json!({
            "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true }
        }),
    );
    assert_eq!(edits[0]["newText"], FIXED);

    // The outline: stages with their artifacts.
    client.change(5, json!([{ "text": FIXED }]));
    let symbols = client.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": URI } }),
    );
    let build = symbols
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "build")
        .unwrap();
    assert_eq!(build["detail"], "builder");
    assert_eq!(build["children"][0]["name"], "server");
    let tokens = client.result(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert_eq!(tokens["data"].as_array().unwrap().len() % 5, 0);
    assert!(!tokens["data"].as_array().unwrap().is_empty());

    client.shut_down();
}

/// Hover texts at each name in a program, snapshotted.
#[test]
fn hover() {
    let program = std::fs::read_to_string(root().join("tests/data/lsp/hover.msb")).unwrap();
    let mut client = Client::initialized();
    client.open(&program);
    let mut out = String::new();
    for (needle, nth) in [
        ("build from", 0),
        ("build.server", 0),
        ("server\n}", 1),
        ("static {", 0),
        ("go {", 0),
        ("VERSION}", 0),
        ("token", 1),
        ("\"alpine", 0),
        ("og to", 0),
    ] {
        let hover = client.result("textDocument/hover", at(&program, needle, nth));
        out.push_str(&format!("--- hover at `{}`\n", needle.lines().next().unwrap()));
        match hover["contents"]["value"].as_str() {
            Some(text) => out.push_str(text),
            None => out.push_str("(nothing)"),
        }
        out.push_str("\n\n");
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/lsp");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("hover", out));
}

/// Completion labels at the marker of each case of a fixture, snapshotted.
#[test]
fn completion() {
    let fixture = std::fs::read_to_string(root().join("tests/data/lsp/completion.msb")).unwrap();
    let mut parts = fixture.split("# ---\n");
    let header = parts.next().unwrap();
    let mut client = Client::initialized();
    client.open(header);
    let mut out = String::new();
    for (version, case) in parts.enumerate() {
        let marked = format!("{header}{case}");
        let offset = marked.find('‸').expect("a marker in each case");
        let program = marked.replace('‸', "");
        client.change(version as i64 + 1, json!([{ "text": program }]));
        let line_start = program[..offset].rfind('\n').map_or(0, |i| i + 1);
        let line = program[..offset].matches('\n').count();
        let params = json!({
            "textDocument": { "uri": URI },
            "position": { "line": line, "character": offset - line_start },
        });
        let labels = client.completion_labels(params);
        out.push_str(&format!(
            "{}‸\n    {}\n",
            &program[line_start..offset],
            labels.join(" ")
        ));
    }
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../../snapshots/lsp");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| insta::assert_snapshot!("completion", out));
}

/// Bad input gets an error response, and the server keeps answering.
#[test]
fn malformed_messages_get_errors_not_an_exit() {
    let mut client = Client::initialized();
    client.open(FIXED);
    let unknown = client.request("textDocument/teleport", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    let bad = client.request("textDocument/hover", json!({ "textDocument": 5 }));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    let closed = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///not/open.msb" }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(closed["error"]["code"], -32803, "{closed}");
    client.send_raw(b"{ this is not json");
    client.send_raw(br#"{"jsonrpc": "2.0", "id": 99, "method": 42}"#);
    let refused = client.response(json!(99));
    assert_eq!(refused["error"]["code"], -32600, "{refused}");
    // Positions far outside the file are clamped, not refused.
    let far = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 9999, "character": 9999 } }),
    );
    assert!(far.get("result").is_some(), "{far}");
    let hover = client.result("textDocument/hover", at(FIXED, "build from", 0));
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("builder `build`"));
    client.shut_down();
}

/// A small fixed-seed PRNG (xorshift64*), so that a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const FRAGMENTS: &[&str] = &[
    "",
    " ",
    "\n",
    "{",
    "}",
    "\"",
    "\"\"\"",
    "${",
    "}",
    ".",
    ":",
    "=",
    "[",
    "]",
    ",",
    "#",
    "##",
    "runtime",
    "builder x from ",
    "copy build.",
    "produce a: exe(",
    "entrypoint ",
    "from",
    "é",
    "𝄞",
    "\r\n",
    "\t",
    "\\",
    "param P: int = ",
    "image i = \"",
    "secret",
    "to",
    "cache /c locked",
    "\u{0}",
];

/// 1,000 random edits, some of them half a keyword, some outside the
/// file: the server stays up, answers requests between them, and finally
/// publishes diagnostics for the last version.
#[test]
fn survives_a_thousand_random_edits() {
    let seed_program = std::fs::read_to_string(root().join("examples/seed-four-stage/app.msb")).unwrap();
    let mut client = Client::initialized();
    client.open(&seed_program);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let lines = seed_program.lines().count() as u64 + 3;
    let mut pending = Vec::new();
    for version in 1..=1000i64 {
        let mut pos = || json!({ "line": rng.below(lines), "character": rng.below(60) });
        let (start, end) = (pos(), pos());
        let text = (0..rng.below(3)).map(|_| rng.pick(FRAGMENTS)).collect::<String>();
        client.change(
            version,
            json!([{ "range": { "start": start, "end": end }, "text": text }]),
        );
        if version % 20 == 0 {
            let method = rng.pick(&[
                "textDocument/hover",
                "textDocument/completion",
                "textDocument/definition",
                "textDocument/documentSymbol",
                "textDocument/semanticTokens/full",
                "textDocument/formatting",
            ]);
            let id = 10_000 + version;
            let params = json!({
                "textDocument": { "uri": URI },
                "position": { "line": rng.below(lines), "character": rng.below(40) },
                "options": { "tabSize": 2, "insertSpaces": true },
            });
            client.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
            pending.push(id);
        }
    }
    for id in pending {
        let response = client.response(json!(id));
        assert!(response.get("result").is_some(), "request {id}: {response}");
    }
    client.diagnostics(1000);
    let symbols = client.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": { "uri": URI } }),
    );
    assert!(symbols.is_array(), "{symbols}");
    client.shut_down();
}

/// Diagnostics for the largest example arrive within 100 ms of a change
/// (20 changes, alternately breaking and fixing it).
#[test]
fn diagnostics_arrive_within_100_ms_of_a_change() {
    let largest = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path().join("app.msb"))
        .filter(|p| p.is_file())
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap();
    let program = std::fs::read_to_string(&largest).unwrap();
    let mut client = Client::initialized();
    client.open(&program);
    client.diagnostics(0);
    let mut times = Vec::new();
    for version in 1..=20 {
        // Alternate between a broken and a fixed program.
        let text = if version % 2 == 1 {
            format!("{program}\nruntime broken from nowhere {{\n}}\n")
        } else {
            program.clone()
        };
        let sent = Instant::now();
        client.change(version, json!([{ "text": text }]));
        let diagnostics = client.diagnostics(version);
        times.push(sent.elapsed());
        assert_eq!(diagnostics.is_empty(), version % 2 == 0);
    }
    times.sort();
    let median = times[times.len() / 2];
    let max = times[times.len() - 1];
    eprintln!(
        "diagnostics latency for {} ({} bytes): median {median:?}, max {max:?}",
        largest.strip_prefix(root()).unwrap().display(),
        program.len()
    );
    // The median, not the maximum: the tests run in parallel on a shared
    // machine, and one sample may wait for a core.
    assert!(
        median < Duration::from_millis(100),
        "median {median:?}, max {max:?}"
    );
    client.shut_down();
}
