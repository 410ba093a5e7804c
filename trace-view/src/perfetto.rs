//! `trace-view perfetto`: Chrome trace-event JSON, which Perfetto UI (ui.perfetto.dev) and
//! `chrome://tracing` open.
//!
//! One process per service; each span a complete event (`ph: "X"`, `ts`/`dur` in µs from the
//! earliest span) with its ids, kind, status and tags as `args`; each checkpoint an instant event
//! on the same track. Complete events on one track must nest, so concurrent spans of a service
//! are spread over as few tracks ("lanes", shown as threads) as keep every lane properly nested.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::time::SystemTime;

use serde_json::{Map, Value, json};
use trace_core::{SpanRecord, TagValue};
use trace_record::Trace;

use crate::analysis::tag_pairs;
use crate::format::offset_nanos;

/// Writes the trace-event JSON of every span of `traces`.
pub fn write_perfetto(out: &mut (impl Write + ?Sized), traces: &[Trace]) -> io::Result<()> {
    let spans: Vec<&SpanRecord> = traces.iter().flat_map(|t| t.spans()).collect();
    let origin = spans
        .iter()
        .map(|s| s.start)
        .min()
        .unwrap_or(SystemTime::UNIX_EPOCH);
    let micros = |t: SystemTime| offset_nanos(origin, t) as f64 / 1e3;

    let mut by_service: BTreeMap<&str, Vec<&SpanRecord>> = BTreeMap::new();
    for span in &spans {
        by_service.entry(&span.service).or_default().push(span);
    }
    let mut events = Vec::with_capacity(spans.len() + 2 * by_service.len());
    for (pid, (service, mut spans)) in (1u32..).zip(by_service) {
        events.push(
            json!({"ph": "M", "name": "process_name", "pid": pid, "tid": 0,
            "args": {"name": service}}),
        );
        // Longer first at equal starts, so a parent is on its lane before its children.
        spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.finish)));
        // Per lane, the finish times of the spans still open on it, innermost last.
        let mut lanes: Vec<Vec<SystemTime>> = Vec::new();
        for span in spans {
            let lane = lanes.iter_mut().position(|open| {
                while open.last().is_some_and(|&end| end <= span.start) {
                    open.pop();
                }
                open.last().is_none_or(|&end| span.finish <= end)
            });
            let lane = match lane {
                Some(lane) => lane,
                None => {
                    lanes.push(Vec::new());
                    lanes.len() - 1
                }
            };
            lanes[lane].push(span.finish);
            let tid = lane + 1;
            events.push(json!({
                "ph": "X",
                "name": span.name,
                "cat": span.kind.as_str(),
                "pid": pid,
                "tid": tid,
                "ts": micros(span.start),
                "dur": span.duration.as_nanos() as f64 / 1e3,
                "args": args(span),
            }));
            for c in &span.checkpoints {
                events.push(json!({
                    "ph": "i",
                    "s": "t",
                    "name": c.name,
                    "pid": pid,
                    "tid": tid,
                    "ts": micros(span.start + c.offset),
                    "args": {"span_id": span.span_id.to_string()},
                }));
            }
        }
        for lane in 1..=lanes.len() {
            events.push(
                json!({"ph": "M", "name": "thread_name", "pid": pid, "tid": lane,
                "args": {"name": format!("lane {lane}")}}),
            );
        }
    }
    let doc = json!({"traceEvents": events, "displayTimeUnit": "ms"});
    serde_json::to_writer(&mut *out, &doc)?;
    out.write_all(b"\n")
}

fn args(span: &SpanRecord) -> Value {
    let mut args = Map::new();
    args.insert("trace_id".into(), span.trace_id.to_string().into());
    args.insert("span_id".into(), span.span_id.to_string().into());
    if let Some(parent) = span.parent_id {
        args.insert("parent_id".into(), parent.to_string().into());
    }
    args.insert("kind".into(), span.kind.as_str().into());
    args.insert("process".into(), span.process.to_string().into());
    args.insert("status".into(), span.status.as_str().into());
    if let Some(message) = span.status.error_message() {
        args.insert("error".into(), message.into());
    }
    for (key, value) in tag_pairs(span) {
        args.insert(format!("tag.{key}"), tag_json(value));
    }
    Value::Object(args)
}

/// A tag value as JSON of the same type; a float JSON cannot hold (NaN, infinity) as text.
pub(crate) fn tag_json(value: &TagValue) -> Value {
    match value {
        TagValue::Str(s) => Value::from(s.as_ref()),
        TagValue::Int(v) => Value::from(*v),
        TagValue::Bool(v) => Value::from(*v),
        TagValue::Float(v) => serde_json::Number::from_f64(*v)
            .map_or_else(|| Value::from(v.to_string()), Value::Number),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{at, trace_of};
    use std::time::Duration;
    use trace_core::Checkpoint;

    #[test]
    fn concurrent_spans_get_lanes_that_nest_and_checkpoints_are_instants() {
        let root = at("root", None, 0, 100);
        let a = at("a", Some(&root), 10, 60);
        let b = at("b", Some(&root), 20, 80); // overlaps a without nesting: another lane
        let mut c = at("c", Some(&a), 30, 40);
        c.checkpoints.push(Checkpoint {
            name: "half".into(),
            offset: Duration::from_millis(5),
        });
        c.tags.set("rows", 3);
        let trace = trace_of(vec![root, a, b, c]);
        let mut out = Vec::new();
        write_perfetto(&mut out, &[trace]).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let events = doc["traceEvents"].as_array().unwrap();
        let complete: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
        assert_eq!(complete.len(), 4);
        let by_name = |n: &str| complete.iter().find(|e| e["name"] == n).unwrap();
        assert_eq!(by_name("root")["tid"], by_name("a")["tid"]);
        assert_eq!(by_name("a")["tid"], by_name("c")["tid"]);
        assert_ne!(by_name("a")["tid"], by_name("b")["tid"]);
        assert_eq!(by_name("c")["ts"], 30_000.0);
        assert_eq!(by_name("c")["dur"], 10_000.0);
        assert_eq!(by_name("c")["args"]["tag.rows"], 3);
        let instant = events.iter().find(|e| e["ph"] == "i").unwrap();
        assert_eq!(instant["ts"], 35_000.0);
        assert_eq!(instant["tid"], by_name("c")["tid"]);
        let names: Vec<&Value> = events
            .iter()
            .filter(|e| e["name"] == "process_name")
            .collect();
        assert_eq!(names.len(), 1);
        assert_eq!(names[0]["args"]["name"], "svc");
    }
}
