//! A loopback HTTP/1.1 proxy in front of dynalite that answers chosen `BatchWriteItem` calls with
//! the failures no local server produces: `UnprocessedItems`, throttling, 500s.
//!
//! Every other request, and every batch write without a planned fault, goes to dynalite as is, so
//! the real server stays in the loop (it stores what the proxy lets through).

use std::collections::VecDeque;
use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What to do with one `BatchWriteItem` call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Forward only the first `keep` items; return the rest as `UnprocessedItems`.
    Unprocess { keep: usize },
    /// Answer `ProvisionedThroughputExceededException` without forwarding.
    Throttle,
    /// Answer 500 `InternalServerError` without forwarding.
    ServerError,
}

#[derive(Debug)]
struct State {
    upstream: String,
    planned: Mutex<VecDeque<Fault>>,
    always: Mutex<Option<Fault>>,
    batch_writes: AtomicUsize,
    unprocessed: AtomicUsize,
}

impl State {
    fn next_fault(&self) -> Option<Fault> {
        self.batch_writes.fetch_add(1, Ordering::SeqCst);
        if let Some(f) = self.planned.lock().unwrap().pop_front() {
            return Some(f);
        }
        *self.always.lock().unwrap()
    }
}

#[derive(Debug)]
pub struct Proxy {
    pub endpoint: String,
    state: Arc<State>,
    _runtime: tokio::runtime::Runtime,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream` (`http://host:port`).
    pub fn start(upstream: &str) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let state = Arc::new(State {
            upstream: upstream
                .trim_start_matches("http://")
                .trim_end_matches('/')
                .to_owned(),
            planned: Mutex::default(),
            always: Mutex::default(),
            batch_writes: AtomicUsize::new(0),
            unprocessed: AtomicUsize::new(0),
        });
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let accept_state = state.clone();
        runtime.spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                tokio::spawn(serve(conn, accept_state.clone()));
            }
        });
        Self {
            endpoint,
            state,
            _runtime: runtime,
        }
    }

    /// Plans faults for the next batch writes, in order.
    pub fn plan(&self, faults: impl IntoIterator<Item = Fault>) {
        self.state.planned.lock().unwrap().extend(faults);
    }

    /// A fault for every batch write with nothing planned (`None`: forward).
    pub fn always(&self, fault: Option<Fault>) {
        *self.state.always.lock().unwrap() = fault;
    }

    /// `BatchWriteItem` calls seen so far.
    pub fn batch_writes(&self) -> usize {
        self.state.batch_writes.load(Ordering::SeqCst)
    }

    /// Items returned as `UnprocessedItems` so far.
    pub fn unprocessed(&self) -> usize {
        self.state.unprocessed.load(Ordering::SeqCst)
    }

    /// Planned faults not used yet.
    pub fn planned_left(&self) -> usize {
        self.state.planned.lock().unwrap().len()
    }
}

#[derive(Debug)]
struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The message with `body`, its length fixed and any body checksum dropped.
    fn with_body(mut self, body: Vec<u8>) -> Self {
        self.headers
            .retain(|(n, _)| !n.eq_ignore_ascii_case("x-amz-crc32"));
        self.body = body;
        self
    }

    fn to_bytes(&self) -> Vec<u8> {
        let mut out = format!("{}\r\n", self.start).into_bytes();
        for (name, value) in &self.headers {
            if !name.eq_ignore_ascii_case("content-length") {
                out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
            }
        }
        out.extend_from_slice(format!("content-length: {}\r\n\r\n", self.body.len()).as_bytes());
        out.extend_from_slice(&self.body);
        out
    }

    fn error(status: &str, kind: &str) -> Self {
        let body = serde_json::json!({
            "__type": format!("com.amazonaws.dynamodb.v20120810#{kind}"),
            "message": "injected by the test proxy",
        });
        Self {
            start: format!("HTTP/1.1 {status}"),
            headers: vec![
                ("content-type".into(), "application/x-amz-json-1.0".into()),
                ("x-amzn-requestid".into(), "test-proxy".into()),
            ],
            body: body.to_string().into_bytes(),
        }
    }
}

async fn read_message<R: AsyncBufRead + Unpin>(r: &mut R) -> io::Result<Option<Message>> {
    let mut lines = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).await? == 0 {
            return if lines.is_empty() {
                Ok(None)
            } else {
                Err(io::ErrorKind::UnexpectedEof.into())
            };
        }
        let line = line.trim_end_matches(['\r', '\n']).to_owned();
        if line.is_empty() {
            break;
        }
        lines.push(line);
    }
    let start = lines.remove(0);
    let headers: Vec<(String, String)> = lines
        .iter()
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; length];
    r.read_exact(&mut body).await?;
    Ok(Some(Message {
        start,
        headers,
        body,
    }))
}

async fn forward(upstream: &str, request: &Message) -> io::Result<Message> {
    let mut conn = BufReader::new(TcpStream::connect(upstream).await?);
    conn.get_mut().write_all(&request.to_bytes()).await?;
    read_message(&mut conn)
        .await?
        .ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
}

async fn serve(conn: TcpStream, state: Arc<State>) {
    let mut conn = BufReader::new(conn);
    while let Ok(Some(request)) = read_message(&mut conn).await {
        let is_batch_write = request
            .header("x-amz-target")
            .is_some_and(|t| t.ends_with(".BatchWriteItem"));
        let fault = if is_batch_write {
            state.next_fault()
        } else {
            None
        };
        let response = match fault {
            None => forward(&state.upstream, &request).await,
            Some(Fault::Throttle) => Ok(Message::error(
                "400 Bad Request",
                "ProvisionedThroughputExceededException",
            )),
            Some(Fault::ServerError) => Ok(Message::error(
                "500 Internal Server Error",
                "InternalServerError",
            )),
            Some(Fault::Unprocess { keep }) => unprocess(&state, request, keep).await,
        };
        let Ok(response) = response else { return };
        if conn
            .get_mut()
            .write_all(&response.to_bytes())
            .await
            .is_err()
        {
            return;
        }
    }
}

/// Forwards the first `keep` items of the batch and returns the others as unprocessed.
async fn unprocess(state: &State, request: Message, keep: usize) -> io::Result<Message> {
    let invalid = |e: serde_json::Error| io::Error::new(io::ErrorKind::InvalidData, e);
    let mut body: Value = serde_json::from_slice(&request.body).map_err(invalid)?;
    let Some(tables) = body["RequestItems"].as_object_mut() else {
        return forward(&state.upstream, &request).await;
    };
    let mut left = serde_json::Map::new();
    for (table, writes) in tables.iter_mut() {
        if let Some(writes) = writes.as_array_mut() {
            let rest = writes.split_off(keep.min(writes.len()));
            state.unprocessed.fetch_add(rest.len(), Ordering::SeqCst);
            if !rest.is_empty() {
                left.insert(table.clone(), Value::Array(rest));
            }
        }
    }
    tables.retain(|_, writes| writes.as_array().is_some_and(|w| !w.is_empty()));
    let mut answer: Value = if tables.is_empty() {
        serde_json::json!({})
    } else {
        let forwarded = Message {
            start: request.start.clone(),
            headers: request.headers.clone(),
            body: body.to_string().into_bytes(),
        };
        let response = forward(&state.upstream, &forwarded).await?;
        if !response.start.contains(" 200 ") {
            return Ok(response);
        }
        serde_json::from_slice(&response.body).map_err(invalid)?
    };
    answer["UnprocessedItems"] = Value::Object(left);
    let ok = Message {
        start: "HTTP/1.1 200 OK".into(),
        headers: vec![
            ("content-type".into(), "application/x-amz-json-1.0".into()),
            ("x-amzn-requestid".into(), "test-proxy".into()),
        ],
        body: Vec::new(),
    };
    Ok(ok.with_body(answer.to_string().into_bytes()))
}
