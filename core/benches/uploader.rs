//! Uploader benchmark: caller cost of `record()`, end-to-end delivery to a loopback
//! backend, and peak memory of a burst, against the loopback sink `bench/harness/sink.py`
//! (a copy of the peer harness's) in its own process, with chunked timing and one
//! `RESULT {json}` line. `bench/run-rust.sh` runs it; when `../shared/anchors` is present it
//! also runs the OpenTelemetry Rust SDK from there, measured by the same method (same sink,
//! same timing, same keys), in the same session.
//!
//!   cargo bench -p agentops-core --bench uploader -- --workload record --mode default --n 1000000
//!
//! workloads: `record`       build `Event::action("x")`, params {"a":1,"b":"hello"} from a struct
//!                           (`with_params_of`, encoded at once), returns "ok"; then record it
//!            `record_value` the same with params built as a `serde_json::Value` (`json!`)
//!            `prebuilt`     record events built beforehand (outside the clock): `record()` alone
//! modes:     `default`  SDK defaults, producer flat out (events beyond the buffer are dropped and counted)
//!            `paced`    defaults, but the producer retries when the buffer is full (back-pressure):
//!                       measures what the pipeline sustains with zero loss
//! options:   --n N --warmup W --chunk C --sink-python P --sink-script S --tag T --out FILE
//!            (sink defaults: `python3` and `../bench/harness/sink.py`, relative to `core/`, where
//!            `cargo bench` runs the binary)

use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use agentops_core::{Client, Config, ErrorKind, Event, Session, StartOptions};
use serde_json::{Value, json};

struct Args(BTreeMap<String, String>);

impl Args {
    fn parse() -> Args {
        let v: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| a != "--bench")
            .collect();
        let mut kv = BTreeMap::new();
        let mut i = 0;
        while i < v.len() {
            let k = v[i].trim_start_matches("--").to_owned();
            let val = v.get(i + 1).filter(|x| !x.starts_with("--")).cloned();
            i += if val.is_some() { 2 } else { 1 };
            kv.insert(k, val.unwrap_or_else(|| "1".into()));
        }
        Args(kv)
    }
    fn s(&self, k: &str, d: &str) -> String {
        self.0.get(k).cloned().unwrap_or_else(|| d.to_owned())
    }
    fn u(&self, k: &str, d: u64) -> u64 {
        self.0
            .get(k)
            .map_or(d, |x| x.replace('_', "").parse().expect("number"))
    }
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

fn status_mb(key: &str) -> f64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb: f64 = text
        .lines()
        .find(|l| l.starts_with(key))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    (kb / 1024.0 * 10.0).round() / 10.0
}

/// The loopback sink (`bench/harness/sink.py`, or `--sink-script`) in its own process.
struct Sink {
    child: Child,
    port: u16,
}

impl Sink {
    fn start(python: &str, script: &str) -> Sink {
        let mut child = Command::new(python)
            .args([
                script,
                "--parent-pid",
                &std::process::id().to_string(),
                "--max-seconds",
                "900",
                "--quiet",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the sink (see --sink-python / --sink-script)");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .expect("sink PORT line");
        let port = line
            .trim()
            .strip_prefix("PORT ")
            .expect("PORT n")
            .parse()
            .unwrap();
        Sink { child, port }
    }
    fn stats(&self, log: bool) -> Value {
        let mut c = TcpStream::connect(("127.0.0.1", self.port)).expect("sink");
        c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let path = if log { "/stats?log=1" } else { "/stats" };
        write!(
            c,
            "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut buf = Vec::new();
        c.read_to_end(&mut buf).unwrap();
        let body = buf
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map_or(0, |p| p + 4);
        serde_json::from_slice(&buf[body..]).unwrap_or(Value::Null)
    }
    fn items(&self) -> (u64, Option<f64>) {
        let s = self.stats(false);
        (s["items"].as_u64().unwrap_or(0), s["last_item_ts"].as_f64())
    }
    /// Polls (bounded) until `expected` new items arrived or nothing arrived for `idle`.
    fn wait(
        &self,
        baseline: u64,
        expected: u64,
        idle: Duration,
        timeout: Duration,
    ) -> (u64, Option<f64>) {
        let start = Instant::now();
        let (mut last, mut changed) = (u64::MAX, Instant::now());
        loop {
            let (items, ts) = self.items();
            let got = items.saturating_sub(baseline);
            if got >= expected || changed.elapsed() >= idle || start.elapsed() >= timeout {
                return (got, ts);
            }
            if got != last {
                (last, changed) = (got, Instant::now());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(serde::Serialize)]
struct Params {
    a: i32,
    b: &'static str,
}

fn event() -> Event {
    Event::action("x")
        .with_params_of(&Params { a: 1, b: "hello" })
        .with_returns("ok")
}

fn event_value() -> Event {
    Event::action("x")
        .with_params(json!({"a": 1, "b": "hello"}))
        .with_returns("ok")
}

/// Records with back-pressure: while the buffer is full, sleeps briefly (leaving the CPU
/// to the uploader and the sink) and retries.
fn record_paced(session: &Session, make: fn() -> Event) {
    while let Err(err) = session.record(make()) {
        if err.kind() != ErrorKind::QueueFull {
            return;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
}

/// Runs `n` calls in chunks; returns total ns and per-chunk ns/call.
fn timed(n: u64, chunk: u64, mut call_chunk: impl FnMut(u64)) -> (u128, Vec<f64>) {
    let mut per = Vec::new();
    let mut total = 0u128;
    let mut done = 0;
    while done < n {
        let k = chunk.min(n - done);
        let t = Instant::now();
        call_chunk(k);
        let ns = t.elapsed().as_nanos();
        total += ns;
        per.push(ns as f64 / k as f64);
        done += k;
    }
    (total, per)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn r1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

fn main() {
    let a = Args::parse();
    let (workload, mode) = (a.s("workload", "record"), a.s("mode", "default"));
    let (n, warmup, chunk) = (a.u("n", 100_000), a.u("warmup", 2_000), a.u("chunk", 1_000));
    let sink = Sink::start(
        &a.s("sink-python", "python3"),
        &a.s("sink-script", "../bench/harness/sink.py"),
    );
    let url = format!("http://127.0.0.1:{}", sink.port);

    let t_setup = Instant::now();
    let config = Config {
        api_key: Some("6f1c0e4e-8a54-4c0c-9d35-1b1f3b0c2a11".into()),
        endpoint: url,
        ..Config::default()
    };
    let cfg_json = json!({"max_queue_size": config.max_queue_size, "max_wait_time_ms": config.max_wait_time.as_millis() as u64,
                          "max_buffered_events": config.max_buffered_events, "max_buffered_bytes": config.max_buffered_bytes});
    let client = Client::new(config).expect("client");
    let session = client
        .start_session(StartOptions::default())
        .expect("session");
    let mut res = json!({
        "sdk": "agentops-rs", "workload": workload, "mode": mode, "n": n, "warmup": warmup, "chunk": chunk,
        "tag": a.s("tag", ""), "config": cfg_json, "versions": {"agentops-core": env!("CARGO_PKG_VERSION")},
        "setup_s": t_setup.elapsed().as_secs_f64(), "event_struct_bytes": std::mem::size_of::<Event>(), "rss_after_setup_mb": status_mb("VmRSS:"),
    });

    // Warm-up, then wait until the sink is quiet and take its count as the baseline.
    for _ in 0..warmup {
        record_paced(&session, event);
    }
    client.flush(Duration::from_secs(30));
    let (baseline, _) = sink.wait(0, warmup, Duration::from_secs(2), Duration::from_secs(60));
    let baseline_unique = sink.stats(false)["unique_ids"].as_u64().unwrap_or(0);

    let paced = mode == "paced";
    let t0 = unix_now();
    let (total, mut per) = match workload.as_str() {
        "record" | "record_value" => {
            let make = if workload == "record" {
                event
            } else {
                event_value
            };
            timed(n, chunk, |k| {
                for _ in 0..k {
                    if paced {
                        record_paced(&session, make);
                    } else {
                        let _ = black_box(session.record(make()));
                    }
                }
            })
        }
        "prebuilt" => {
            // Build each chunk's events outside the clock; time only record().
            let mut per = Vec::new();
            let mut total = 0;
            let mut done = 0;
            while done < n {
                let k = chunk.min(n - done);
                let events: Vec<Event> = (0..k).map(|_| event()).collect();
                let t = Instant::now();
                for e in events {
                    let _ = black_box(session.record(e));
                }
                let ns = t.elapsed().as_nanos();
                total += ns;
                per.push(ns as f64 / k as f64);
                done += k;
            }
            (total, per)
        }
        other => panic!("unknown --workload {other}"),
    };
    let t_end = unix_now();
    res["ns_per_call"] = json!(r1(total as f64 / n as f64));
    res["chunk_median_ns"] = json!(r1(median(&mut per)));
    res["produce_s"] = json!(t_end - t0);
    res["recorded_dropped_queue_full"] =
        json!(client.stats().dropped(agentops_core::DropReason::QueueFull));

    let (got, last_ts) = sink.wait(
        baseline,
        n,
        Duration::from_secs(7),
        Duration::from_secs(300),
    );
    if let Some(last) = last_ts.filter(|&t| t > t0 && got > 0) {
        res["e2e_s"] = json!(last - t0);
        res["deliver_eps"] = json!(r1(got as f64 / (last - t0)));
        // Leave out a final partial batch that only waited for the 5 s timer.
        let log: Vec<(f64, u64)> = sink.stats(true)["log"]
            .as_array()
            .map(|l| {
                l.iter()
                    .map(|e| (e[0].as_f64().unwrap_or(0.0), e[1].as_u64().unwrap_or(0)))
                    .collect()
            })
            .unwrap_or_default();
        let after: Vec<&(f64, u64)> = log.iter().filter(|(ts, _)| *ts >= t0).collect();
        let m = after.len();
        let tail = if m >= 2 && after[m - 1].0 - after[m - 2].0 > 1.0 {
            after[m - 1].1
        } else {
            0
        };
        let t_bulk = if tail > 0 {
            after[m - 2].0
        } else {
            after[m - 1].0
        };
        if t_bulk > t0 {
            res["deliver_eps_bulk"] = json!(r1((got - tail) as f64 / (t_bulk - t0)));
        }
        let during: u64 = after
            .iter()
            .filter(|(ts, _)| *ts <= t_end)
            .map(|e| e.1)
            .sum();
        res["deliver_eps_during_produce"] = json!(r1(during as f64 / (t_end - t0).max(1e-9)));
    }
    res["peak_rss_mb"] = json!(status_mb("VmHWM:"));
    let report = client.shutdown(Duration::from_secs(30));
    res["shutdown_completed"] = json!(report.completed);
    let (got, _) = sink.wait(baseline, n, Duration::from_secs(1), Duration::from_secs(60));
    let st = sink.stats(false);
    let unique = st["unique_ids"]
        .as_u64()
        .unwrap_or(0)
        .saturating_sub(baseline_unique);
    res["delivered"] = json!(got);
    res["loss_pct"] = json!(100.0 * (n as f64 - got as f64) / n as f64);
    res["loss_unique_pct"] = json!(100.0 * (n as f64 - unique as f64) / n as f64);
    res["dup_ids"] = st["dup_ids"].clone();
    res["sink_requests"] = st["requests"].clone();
    res["by_path"] = st["by_path"].clone();
    res["rss_above_idle_mb"] = json!(r1(
        res["peak_rss_mb"].as_f64().unwrap() - res["rss_after_setup_mb"].as_f64().unwrap()
    ));

    let line = res.to_string();
    println!("RESULT {line}");
    let out = a.s("out", "");
    if !out.is_empty() {
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&out)
            .expect("--out");
        writeln!(f, "{line}").unwrap();
    }
}
