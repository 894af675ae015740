//! Test support: a handle on the mock AgentOps backend
//! (`tests/mock_backend/mock_backend.py`), spawned as a child process.
//!
//! ```ignore
//! mod support;
//! let mock = support::MockBackend::start();
//! mock.script("/v2/create_events", serde_json::json!([{"status": 503}]));
//! // ... point the SDK at mock.url() ...
//! assert!(mock.wait_for(Duration::from_secs(10), || mock.events()["accepted"] == 3));
//! ```
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Timeout for control-API calls.
const CONTROL_TIMEOUT: Duration = Duration::from_secs(10);
/// Bound on waiting for the server's `PORT n` line.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(20);
/// Largest control response read (the request log can be large).
const MAX_CONTROL_BODY: u64 = 1 << 30;

/// A response from [`MockBackend::post`].
#[derive(Debug, Clone)]
pub struct RawResponse {
    pub status: u16,
    /// Header names lowercased.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl RawResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Value::Null` if it is not JSON).
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// A running mock backend. Killed and reaped on drop.
pub struct MockBackend {
    child: Child,
    port: u16,
    url: String,
    agent: ureq::Agent,
}

/// Path of the mock server script.
pub fn server_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/mock_backend/mock_backend.py")
}

impl MockBackend {
    /// Spawn the mock server (`python3`, or `$AGENTOPS_MOCK_PYTHON`) on a free port.
    pub fn start() -> MockBackend {
        Self::start_with_args(&[])
    }

    /// Like [`start`](Self::start), with extra server arguments (e.g. `["--token-cost", "7"]`).
    pub fn start_with_args(extra: &[&str]) -> MockBackend {
        let python = std::env::var("AGENTOPS_MOCK_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(server_script())
            .args(["--port", "0", "--max-seconds", "600", "--parent-pid"])
            .arg(std::process::id().to_string())
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot spawn mock backend with {python}: {e}"));

        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let r = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = tx.send(r);
        });
        let port = match rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(Ok(line)) => line
                .strip_prefix("PORT ")
                .and_then(|p| p.trim().parse::<u16>().ok()),
            _ => None,
        };
        let Some(port) = port else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("mock backend did not print `PORT <n>` within {STARTUP_TIMEOUT:?}");
        };

        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(CONTROL_TIMEOUT))
            .build()
            .into();
        MockBackend {
            child,
            port,
            url: format!("http://127.0.0.1:{port}"),
            agent,
        }
    }

    /// `http://127.0.0.1:PORT` (no trailing slash).
    pub fn url(&self) -> String {
        self.url.clone()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Process id of the server.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    // -- control API -------------------------------------------------------------

    fn control(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{}", self.url, path);
        let result = match method {
            "GET" => self.agent.get(&url).call(),
            _ => self
                .agent
                .post(&url)
                .header("content-type", "application/json")
                .send(body.unwrap_or_else(|| json!({})).to_string()),
        };
        let mut resp = result.unwrap_or_else(|e| panic!("mock control {method} {path}: {e}"));
        let status = resp.status().as_u16();
        let text = resp
            .body_mut()
            .with_config()
            .limit(MAX_CONTROL_BODY)
            .read_to_string()
            .unwrap_or_else(|e| panic!("mock control {method} {path}: reading body: {e}"));
        assert_eq!(
            status, 200,
            "mock control {method} {path} -> {status}: {text}"
        );
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("mock control {method} {path}: bad JSON ({e}): {text}"))
    }

    /// Append faults to a route's script, e.g.
    /// `json!([{"status": 503, "retry_after": "1"}, {"hang": 5.0}, {"reset": true}, {"delay": 0.5}])`.
    pub fn script(&self, route: &str, faults: Value) {
        self.control(
            "POST",
            "/_mock/script",
            Some(json!({"route": route, "faults": faults})),
        );
    }

    /// Faults not consumed yet: `{route: [faults]}`.
    pub fn pending_faults(&self) -> Value {
        self.control("GET", "/_mock/script", None)
    }

    /// Persistent rules, e.g. `json!({"max_events_per_request": 10})`, `json!({"down": true})`.
    /// Returns the route's rules after the update.
    pub fn rules(&self, route: &str, rules: Value) -> Value {
        let mut body = match rules {
            Value::Object(m) => m,
            other => panic!("rules must be a JSON object, got {other}"),
        };
        body.insert("route".into(), json!(route));
        self.control("POST", "/_mock/rules", Some(Value::Object(body)))["rules"].clone()
    }

    /// Invalidate every token of the session; returns how many were valid.
    pub fn expire_jwt(&self, session_id: &str) -> u64 {
        self.control(
            "POST",
            "/_mock/expire_jwt",
            Some(json!({"session_id": session_id})),
        )["expired"]
            .as_u64()
            .unwrap_or(0)
    }

    /// Recorded requests in arrival order, optionally only those for `path`.
    /// Each: `{"seq","t","method","path","headers","body","raw","bytes","status","session_id"}`.
    pub fn requests(&self, path: Option<&str>) -> Vec<Value> {
        let q = path
            .map(|p| format!("?path={}", encode_query(p)))
            .unwrap_or_default();
        match self.control("GET", &format!("/_mock/requests{q}"), None)["requests"].take() {
            Value::Array(v) => v,
            other => panic!("unexpected requests payload: {other}"),
        }
    }

    /// `{"accepted", "unique_ids", "duplicates", "by_session": {sid: [events]}}`.
    pub fn events(&self) -> Value {
        self.control("GET", "/_mock/events", None)
    }

    /// `{session_id: latest session body}`.
    pub fn sessions(&self) -> Value {
        self.control("GET", "/_mock/sessions", None)
    }

    /// Clear requests, scripts, rules, sessions and tokens.
    pub fn reset(&self) {
        self.control("POST", "/_mock/reset", None);
    }

    /// Poll `pred` every ~10 ms until it holds or `timeout` passes.
    pub fn wait_for(&self, timeout: Duration, mut pred: impl FnMut() -> bool) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if pred() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Raw POST to the mock (for exercising routes directly). Connection errors
    /// (scripted resets) and timeouts (scripted hangs) come back as `Err`.
    pub fn post(
        &self,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
        timeout: Duration,
    ) -> Result<RawResponse, ureq::Error> {
        let mut req = self
            .agent
            .post(format!("{}{}", self.url, path))
            .config()
            .timeout_global(Some(timeout))
            .build()
            .header("content-type", "application/json");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let mut resp = req.send(body)?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    v.to_str().unwrap_or("").to_string(),
                )
            })
            .collect();
        let body = resp
            .body_mut()
            .with_config()
            .limit(MAX_CONTROL_BODY)
            .read_to_string()?;
        Ok(RawResponse {
            status,
            headers,
            body,
        })
    }

    /// Ask the server to exit by itself; returns its exit code (bounded wait).
    pub fn shutdown(&mut self) -> Option<i32> {
        let _ = self
            .agent
            .post(format!("{}/_mock/shutdown", self.url))
            .send("{}".to_string());
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for MockBackend {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn encode_query(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---------------------------------------------------------------------------------------
// Client-side helpers shared by the core's integration tests.

/// A syntactically valid API key for the mock (it accepts any key).
pub const API_KEY: &str = "0b7d2b52-3f4e-4f7a-9a0e-0c6a8f1d2e3b";

/// A client config pointing at `url`, with short timers so tests stay quick. Timeouts
/// that bound waits are generous: the machine is a shared 2-core box.
pub fn config(url: &str) -> agentops_core::Config {
    agentops_core::Config {
        api_key: Some(API_KEY.to_owned()),
        endpoint: url.to_owned(),
        max_wait_time: Duration::from_millis(100),
        request_timeout: Duration::from_secs(5),
        max_retry_time: Duration::from_secs(30),
        retry_max_backoff: Duration::from_millis(300),
        session_start_timeout: Duration::from_secs(5),
        session_end_timeout: Duration::from_secs(10),
        shutdown_timeout: Duration::from_secs(10),
        ..agentops_core::Config::default()
    }
}

/// A client for `mock` (config adjusted by `tweak`) with one started session.
pub fn start(
    mock: &MockBackend,
    tweak: impl FnOnce(&mut agentops_core::Config),
) -> (agentops_core::Client, agentops_core::Session) {
    let mut c = config(&mock.url());
    tweak(&mut c);
    let client = agentops_core::Client::new(c).expect("client");
    let session = client
        .start_session(agentops_core::StartOptions::default())
        .expect("session");
    (client, session)
}

/// Records `n` actions (`e0`, `e1`, ...) and returns their ids in order.
pub fn record_n(session: &agentops_core::Session, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let e = agentops_core::Event::action(format!("e{i}"));
            let id = e.id.to_string();
            session.record(e).unwrap();
            id
        })
        .collect()
}

impl MockBackend {
    /// Events the backend accepted for `session_id`, in arrival order.
    pub fn session_events(&self, session_id: &str) -> Vec<Value> {
        self.events()["by_session"][session_id]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// Number of events accepted for `session_id`.
    pub fn accepted_for(&self, session_id: &str) -> usize {
        self.session_events(session_id).len()
    }
}
