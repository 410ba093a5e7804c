//! The DynamoDB recorder's own CPU per span, against a loopback stub that answers every
//! `BatchWriteItem` at once: with the server's cost out of the picture (the stub runs in a child
//! process), what is left is the recorder (item encoding, batching, its sender thread) and the AWS
//! SDK under it (signing, JSON, HTTP). The same items sent with the bare SDK, 25 to a
//! `BatchWriteItem` awaited in turn, are the client's ceiling the recorder is compared with.
//!
//! `cargo bench -p trace-record --features dynamodb --bench dynamodb_cpu` (no service needed). Prints `EXTRA dynamodb_cpu ..`
//! lines for `scripts/bench.sh`.

#[path = "support/dynamodb_workload.rs"]
mod dynamodb_workload;
#[path = "support/process_cpu.rs"]
mod process_cpu;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, PutRequest, WriteRequest};
use dynamodb_workload::workload;
use process_cpu::cpu_time;
use trace_core::{Recorder, SpanBatch};
use trace_record::dynamodb::{DynamoDbConfig, DynamoDbRecorder, span_to_item};

/// Spans per round; rounds per measurement.
const SPANS: usize = 1000;
const ROUNDS: usize = 20;

/// The stub: answers every request on every connection with an empty success, keeping
/// connections alive, one thread per connection.
fn serve_stub() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().expect("local address").port();
    println!("{port}");
    let _ = std::io::stdout().flush();
    for stream in listener.incoming().flatten() {
        std::thread::spawn(move || {
            let _ = answer(stream);
        });
    }
}

fn answer(stream: TcpStream) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut length = 0usize;
        let mut batch = false;
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let lower = header.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
            batch |= lower.starts_with("x-amz-target:") && lower.ends_with("batchwriteitem");
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let reply: &[u8] = if batch {
            br#"{"UnprocessedItems":{}}"#
        } else {
            b"{}"
        };
        // One write per response: several small ones meet Nagle's algorithm and delayed ACKs.
        let mut response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.0\r\nx-amzn-requestid: stub\r\ncontent-length: {}\r\n\r\n",
            reply.len()
        )
        .into_bytes();
        response.extend_from_slice(reply);
        writer.write_all(&response)?;
    }
}

/// Starts this binary again as the stub; returns it and its endpoint.
fn start_stub() -> (Child, String) {
    let exe = std::env::current_exe().expect("own path");
    let mut child = Command::new(exe)
        .arg("--stub")
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the stub");
    let mut port = String::new();
    BufReader::new(child.stdout.take().expect("stub stdout"))
        .read_line(&mut port)
        .expect("stub port");
    (child, format!("http://127.0.0.1:{}", port.trim()))
}

fn config(endpoint: &str) -> DynamoDbConfig {
    DynamoDbConfig::new()
        .endpoint_url(endpoint)
        .region("us-east-1")
        .static_credentials("bench", "bench")
        .table("bench")
}

/// CPU of the whole process (recorder threads included) and wall time for `ROUNDS` rounds.
fn measure(mut round: impl FnMut()) -> (Duration, Duration) {
    round(); // warm up: connections, credentials, lazily built state
    let (cpu0, wall0) = (cpu_time(), Instant::now());
    for _ in 0..ROUNDS {
        round();
    }
    (cpu_time() - cpu0, wall0.elapsed())
}

fn report(what: &str, (cpu, wall): (Duration, Duration)) -> f64 {
    let spans = (SPANS * ROUNDS) as f64;
    let cpu_ns = cpu.as_nanos() as f64 / spans;
    println!(
        "EXTRA dynamodb_cpu {what} spans={spans} cpu_ns_per_span={cpu_ns:.0} spans_per_s={:.0}",
        spans / wall.as_secs_f64()
    );
    cpu_ns
}

fn main() {
    if std::env::args().any(|a| a == "--stub") {
        serve_stub();
        return;
    }
    let (mut stub, endpoint) = start_stub();
    let spans = workload(SPANS);

    let mut recorder = DynamoDbRecorder::new(config(&endpoint)).expect("recorder");
    let ours = report(
        "recorder",
        measure(|| {
            recorder
                .record(&SpanBatch::from_records(&spans))
                .expect("queue has room");
            recorder.flush().expect("flushed");
        }),
    );
    let stats = recorder.current_stats();
    assert_eq!(stats.lost.total(), 0, "{stats:?}");
    recorder.shutdown().expect("shutdown");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let client = runtime
        .block_on(config(&endpoint).client())
        .expect("client");
    let items: Vec<HashMap<String, AttributeValue>> = spans
        .iter()
        .map(|s| span_to_item(s, None).expect("small spans"))
        .collect();
    let sdk = report(
        "bare_sdk",
        measure(|| {
            runtime.block_on(async {
                for chunk in items.chunks(25) {
                    let writes = chunk
                        .iter()
                        .map(|item| {
                            let put = PutRequest::builder()
                                .set_item(Some(item.clone()))
                                .build()
                                .expect("item set");
                            WriteRequest::builder().put_request(put).build()
                        })
                        .collect();
                    client
                        .batch_write_item()
                        .request_items("bench", writes)
                        .send()
                        .await
                        .expect("stub answers");
                }
            });
        }),
    );
    println!(
        "EXTRA dynamodb_cpu ratio recorder/bare_sdk={:.2}",
        ours / sdk
    );
    let _ = stub.kill();
    let _ = stub.wait();
}
