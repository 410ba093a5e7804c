//! A small WebDriver client for chromedriver: JSON over HTTP on loopback, no dependency beyond
//! serde_json. Starts its own chromedriver and a headless chromium with a fresh profile.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const HOW_TO_INSTALL: &str = "install chromium and chromedriver with `bash scripts/services/chromium.sh` \
     (or run `bash scripts/test.sh`), which also exports TRACE_TEST_CHROMIUM and TRACE_TEST_CHROMEDRIVER";

fn binary(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.exists(),
        "{} not found (${var} unset or wrong): {HOW_TO_INSTALL}",
        path.display()
    );
    path
}

/// A running chromedriver with one browser session; both end on drop.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    profile: PathBuf,
}

impl Browser {
    /// Starts chromedriver and a headless chromium with a `width`×`height` window.
    pub fn start(width: u32, height: u32) -> Browser {
        let chromium = binary("TRACE_TEST_CHROMIUM", "/usr/bin/chromium");
        let chromedriver = binary("TRACE_TEST_CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e}; {HOW_TO_INSTALL}",
                    chromedriver.display()
                )
            });
        let profile =
            std::env::temp_dir().join(format!("trace-view-chromium-{}-{port}", std::process::id()));
        let mut browser = Browser {
            driver,
            port,
            session: String::new(),
            profile,
        };
        browser.wait_for_driver();
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--disable-dev-shm-usage",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", browser.profile.display()),
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }}});
        let created = browser.call("POST", "/session", Some(&caps));
        browser.session = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_owned();
        browser
    }

    fn wait_for_driver(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let status = http(self.port, "GET", "/status", None);
            if status.as_ref().is_ok_and(|s| s["value"]["ready"] == true) {
                return;
            }
            if let Ok(Some(exit)) = self.driver.try_wait() {
                panic!("chromedriver exited: {exit}; {HOW_TO_INSTALL}");
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not answer on port {}: {status:?}",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let reply =
            http(self.port, method, path, body).unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let value = reply["value"].clone();
        if let Some(error) = value.get("error") {
            panic!("{method} {path}: {error}: {}", value["message"]);
        }
        value
    }

    fn session_call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// Opens a file in the browser and waits until the page says it is drawn.
    pub fn open(&self, file: &Path) -> Duration {
        let url = format!("file://{}", file.canonicalize().unwrap().display());
        // Forget what the browser's own start page loaded: only this page's requests count.
        self.log("performance");
        let started = Instant::now();
        self.session_call("POST", "/url", Some(&json!({"url": url})));
        self.wait_until(
            "document.body && document.body.dataset.ready === '1'",
            "the page to draw",
        );
        started.elapsed()
    }

    /// Runs `script` (a function body; `arguments` holds `args`) in the page.
    pub fn eval(&self, script: &str, args: Value) -> Value {
        self.session_call(
            "POST",
            "/execute/sync",
            Some(&json!({"script": script, "args": args})),
        )
    }

    /// Polls `condition` (an expression) until it holds; a hang guard, not a timing assertion.
    pub fn wait_until(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.eval(&format!("return !!({condition});"), json!([])) != true {
            assert!(Instant::now() < deadline, "gave up waiting for {what}");
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The WebDriver id of the first element matching `css`.
    pub fn find(&self, css: &str) -> String {
        let found = self.session_call(
            "POST",
            "/element",
            Some(&json!({"using": "css selector", "value": css})),
        );
        found
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    /// Clicks the element matching `css`, as a user would (WebDriver scrolls it into view).
    pub fn click(&self, css: &str) {
        let id = self.find(css);
        self.session_call("POST", &format!("/element/{id}/click"), Some(&json!({})));
    }

    /// Types `text` into the element matching `css`.
    pub fn type_into(&self, css: &str, text: &str) {
        let id = self.find(css);
        self.session_call(
            "POST",
            &format!("/element/{id}/value"),
            Some(&json!({"text": text})),
        );
    }

    /// The browser's log (`browser` for the console, `performance` for DevTools events).
    pub fn log(&self, kind: &str) -> Vec<Value> {
        let value = self.session_call("POST", "/se/log", Some(&json!({"type": kind})));
        value.as_array().cloned().unwrap_or_default()
    }

    /// Every URL the document at `page` requested (the document itself included), from the
    /// DevTools network events. (The browser's own start page loads `chrome://` resources
    /// meanwhile; those belong to another document.)
    pub fn requested_urls(&self, page: &str) -> Vec<String> {
        self.log("performance")
            .iter()
            .filter_map(|entry| {
                let message: Value = serde_json::from_str(entry["message"].as_str()?).ok()?;
                let message = &message["message"];
                let params = &message["params"];
                (message["method"] == "Network.requestWillBeSent" && params["documentURL"] == page)
                    .then(|| params["request"]["url"].as_str().map(str::to_owned))?
            })
            .collect()
    }

    /// A PNG of the window.
    pub fn screenshot(&self) -> Vec<u8> {
        let encoded = self.session_call("GET", "/screenshot", None);
        base64_decode(encoded.as_str().expect("base64 PNG"))
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// One HTTP/1.1 exchange on a connection closed after it (chromedriver answers with a
/// `Content-Length`, never chunked), JSON both ways.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream
        .set_read_timeout(Some(Duration::from_secs(300)))
        .map_err(|e| e.to_string())?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| e.to_string())?;
    // chromedriver keeps the connection open despite `Connection: close`: read the headers,
    // then exactly `Content-Length` bytes.
    let mut reply = Vec::new();
    let mut buf = [0u8; 64 * 1024];
    let (header_end, length) = loop {
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err(format!(
                "connection closed: {}",
                String::from_utf8_lossy(&reply)
            ));
        }
        reply.extend_from_slice(&buf[..n]);
        if let Some(end) = reply.windows(4).position(|w| w == b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&reply[..end]).to_ascii_lowercase();
            let length = headers
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .ok_or_else(|| format!("no content-length in {headers}"))?;
            break (end + 4, length);
        }
    };
    while reply.len() < header_end + length {
        let n = stream.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed mid-body".to_owned());
        }
        reply.extend_from_slice(&buf[..n]);
    }
    let body = &reply[header_end..header_end + length];
    serde_json::from_slice(body).map_err(|e| format!("{e}: {}", String::from_utf8_lossy(body)))
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        b'/' => 63,
        _ => panic!("not base64: {c}"),
    };
    let clean: Vec<u8> = text
        .bytes()
        .filter(|&c| c != b'=' && !c.is_ascii_whitespace())
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &c)| n | u32::from(value(c)) << (18 - 6 * i));
        let bytes = n.to_be_bytes();
        out.extend_from_slice(&bytes[1..chunk.len()]);
    }
    out
}
