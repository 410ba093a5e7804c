//! The `tracing` bridge next to the DynamoDB recorder (dynalite, started by scripts/test.sh): the
//! AWS SDK emits `tracing` spans for every call, and those of the recorder's own writes must not
//! become spans, or every write would record more spans to write.

mod dynamodb_support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use dynamodb_support::{serial, traced_table};
use trace_core::bridge::TracingLayer;
use trace_core::{SpanRecord, Tracer, span};
use trace_record::dynamodb::read_trace;
use tracing_core::Subscriber;
use tracing_core::span::{Attributes, Id};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

/// Counts the `tracing` spans opened on each thread, by thread name.
#[derive(Clone, Default)]
struct SpansPerThread(Arc<Mutex<HashMap<String, usize>>>);

impl<S: Subscriber> Layer<S> for SpansPerThread {
    fn on_new_span(&self, _: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
        let name = std::thread::current()
            .name()
            .unwrap_or("unnamed")
            .to_owned();
        *self.0.lock().unwrap().entry(name).or_default() += 1;
    }
}

impl SpansPerThread {
    fn on(&self, thread: &str) -> usize {
        self.0.lock().unwrap().get(thread).copied().unwrap_or(0)
    }
}

/// The bridge and the counter, as the process-wide subscriber (the recorder's thread uses it).
fn subscriber() -> &'static SpansPerThread {
    static SPY: OnceLock<SpansPerThread> = OnceLock::new();
    SPY.get_or_init(|| {
        let spy = SpansPerThread::default();
        let subscriber = tracing_subscriber::registry()
            .with(TracingLayer::new())
            .with(spy.clone());
        tracing::subscriber::set_global_default(subscriber).unwrap();
        spy
    })
}

#[test]
fn the_recorders_own_sdk_calls_are_never_traced() {
    let spy = subscriber();
    let _serial = serial();
    let (table, tracer) = traced_table("bridge", |c| c, Tracer::builder().service("bridge"));
    let writer_spans_before = spy.on("trace-dynamodb");
    for i in 0..5 {
        let mut work = span("work").enter();
        work.set_tag("i", i);
    }
    // Written now, while the tracer runs: spans the writes opened would be recorded at shutdown.
    tracer.flush().unwrap();
    // The same SDK called from the application's thread is traced: its spans join ours.
    let user_call = {
        let call = span("user call").enter();
        let ctx = call.context().unwrap();
        table
            .rt
            .block_on(
                table
                    .client
                    .describe_table()
                    .table_name(&table.table)
                    .send(),
            )
            .unwrap();
        ctx
    };
    tracer.shutdown().unwrap();

    assert!(
        spy.on("trace-dynamodb") > writer_spans_before,
        "the SDK opened tracing spans on the recorder's thread, which the bridge had to ignore"
    );
    let spans = table.memory.take();
    let (sdk, ours): (Vec<&SpanRecord>, Vec<&SpanRecord>) = spans
        .iter()
        .partition(|s| s.name != "work" && s.name != "user call");
    assert_eq!(ours.len(), 6);
    assert!(!sdk.is_empty(), "the user's SDK call was bridged");
    for s in &sdk {
        assert_eq!(
            s.trace_id,
            user_call.trace_id(),
            "an SDK span outside the user's call, from the recorder's own writes: {s:#?}"
        );
    }
    // The table holds every span recorded, and nothing else.
    let mut stored = 0;
    for trace in spans
        .iter()
        .map(|s| s.trace_id)
        .collect::<std::collections::BTreeSet<_>>()
    {
        stored += table
            .rt
            .block_on(read_trace(&table.client, &table.table, trace))
            .unwrap()
            .len();
    }
    assert_eq!(stored, spans.len());
}
