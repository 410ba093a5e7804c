//! A [`SpanRecord`] as a DynamoDB item: keys as fixed-width lowercase hex, every field its own
//! attribute with a natural type.

use std::collections::HashMap;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use trace_core::{SpanRecord, SpanView, TagValue};

use super::Item;
use super::names::*;
use super::rfc3339::format_unix_nanos;
use super::size::{MAX_ITEM_BYTES, item_size, value_size};

/// An item ready to write.
#[derive(Debug)]
pub(crate) struct Encoded {
    pub(crate) item: Item,
    /// How many tags, checkpoints and links were removed to fit the size limit (0 normally).
    pub(crate) trimmed: usize,
}

/// The span cannot be stored even with every tag, checkpoint and link removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemTooLarge {
    pub(crate) bytes: usize,
}

impl ItemTooLarge {
    /// The item's size without its tags, checkpoints and links, in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

impl std::fmt::Display for ItemTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the span's item is {} bytes without tags, over DynamoDB's limit of {MAX_ITEM_BYTES}",
            self.bytes
        )
    }
}

impl std::error::Error for ItemTooLarge {}

/// Encodes a span, trimming it to DynamoDB's item size limit if needed: largest tags first, then
/// checkpoints, then links; the number removed goes into a `trimmed` attribute.
pub(crate) fn encode(
    span: &SpanView<'_>,
    retention: Option<Duration>,
) -> Result<Encoded, ItemTooLarge> {
    let item = encode_full(span, retention, 0);
    if item_size(&item) <= MAX_ITEM_BYTES {
        return Ok(Encoded { item, trimmed: 0 });
    }
    trim(span, retention)
}

fn trim(span: &SpanView<'_>, retention: Option<Duration>) -> Result<Encoded, ItemTooLarge> {
    // Rare: an owned copy to remove from.
    let mut span = span.to_record();
    let mut trimmed = 0;
    loop {
        let item = encode_full(&span.view(), retention, trimmed);
        let size = item_size(&item);
        if size <= MAX_ITEM_BYTES {
            return Ok(Encoded { item, trimmed });
        }
        let excess = size - MAX_ITEM_BYTES;
        let removed = remove_largest(&mut span, excess);
        if removed == 0 {
            return Err(ItemTooLarge { bytes: size });
        }
        trimmed += removed;
    }
}

/// Removes the largest entries of the first non-empty list (tags, then checkpoints, then links)
/// until about `excess` bytes are gone; returns how many it removed.
fn remove_largest(span: &mut SpanRecord, excess: usize) -> usize {
    fn pick(sizes: &mut [(usize, usize)], excess: usize) -> Vec<usize> {
        sizes.sort_unstable_by_key(|&(_, size)| std::cmp::Reverse(size));
        let mut freed = 0;
        let mut chosen = Vec::new();
        for &(i, size) in sizes.iter() {
            if freed >= excess {
                break;
            }
            freed += size;
            chosen.push(i);
        }
        chosen
    }
    if !span.tags.is_empty() {
        let mut sizes: Vec<_> = span
            .tags
            .iter()
            .enumerate()
            // The key appears in the map, the order list and maybe the float set.
            .map(|(i, t)| (i, 3 * t.key.len() + 2 + value_size(&tag_value(&t.value))))
            .collect();
        let chosen = pick(&mut sizes, excess);
        let keep = span
            .tags
            .iter()
            .enumerate()
            .filter(|(i, _)| !chosen.contains(i))
            .map(|(_, t)| t.clone());
        span.tags = keep.collect();
        return chosen.len();
    }
    if !span.checkpoints.is_empty() {
        let mut sizes: Vec<_> = span
            .checkpoints
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.name.len() + 64))
            .collect();
        let chosen = pick(&mut sizes, excess);
        let mut i = 0;
        span.checkpoints.retain(|_| {
            i += 1;
            !chosen.contains(&(i - 1))
        });
        return chosen.len();
    }
    let removed = span.links.len();
    span.links.clear();
    removed
}

fn encode_full(span: &SpanView<'_>, retention: Option<Duration>, trimmed: usize) -> Item {
    let mut item: Item = HashMap::with_capacity(20);
    let mut put = |name: &str, value: AttributeValue| {
        item.insert(name.to_owned(), value);
    };
    put(TRACE_ID, s(span.trace_id().to_string()));
    put(SPAN_ID, s(span.span_id().to_string()));
    put(
        PARENT_ID,
        s(span
            .parent_id()
            .map_or_else(|| NO_PARENT.to_owned(), |p| p.to_string())),
    );
    put(FLAGS, n(span.flags().bits()));
    if !span.trace_state().is_empty() {
        let header = trace_core::propagation::format_trace_state(span.trace_state(), usize::MAX);
        put(TRACE_STATE, s(header.unwrap_or_default()));
    }
    put(NAME, s(span.name().to_owned()));
    put(KIND, s(span.kind().as_str().to_owned()));
    put(SERVICE, s(span.service().to_owned()));
    put(PROCESS, s(span.process().to_string()));
    if let Some(code) = span.code() {
        let mut m = HashMap::with_capacity(3);
        if let Some(module) = &code.module {
            m.insert(CODE_MODULE.to_owned(), s(module.to_string()));
        }
        m.insert(CODE_FILE.to_owned(), s(code.file.to_string()));
        m.insert(CODE_LINE.to_owned(), n(code.line));
        put(CODE, AttributeValue::M(m));
    }
    let start = unix_nanos(span.start());
    let finish = unix_nanos(span.finish());
    put(START, s(format_unix_nanos(start)));
    put(FINISH, s(format_unix_nanos(finish)));
    put(START_UNIX_NANOS, n(start));
    put(FINISH_UNIX_NANOS, n(finish));
    put(DURATION_NANOS, n(span.duration().as_nanos()));
    put(STATUS, s(span.status().as_str().to_owned()));
    if let Some(message) = span.status().error_message() {
        put(STATUS_MESSAGE, s(message.to_owned()));
    }
    let tags_of_span = span.tags();
    if !tags_of_span.is_empty() {
        let mut tags = HashMap::with_capacity(tags_of_span.len());
        let mut floats = Vec::new();
        for tag in tags_of_span {
            if matches!(tag.value, TagValue::Float(_)) {
                floats.push(tag.key.to_string());
            }
            tags.insert(tag.key.to_string(), tag_value(&tag.value));
        }
        put(TAGS, AttributeValue::M(tags));
        // A map has no order; the span's tags do, and a reader should see them as recorded.
        let order = tags_of_span.iter().map(|t| s(t.key.to_string())).collect();
        put(TAG_ORDER, AttributeValue::L(order));
        if !floats.is_empty() {
            // Numbers come back normalised (`2.0` as `2`), so remember which ones were floats.
            put(FLOAT_TAGS, AttributeValue::Ss(floats));
        }
    }
    if span.checkpoints().len() > 0 {
        let list = span
            .checkpoints()
            .map(|c| {
                AttributeValue::M(HashMap::from([
                    (CHECKPOINT_NAME.to_owned(), s(c.name.to_owned())),
                    (CHECKPOINT_OFFSET_NANOS.to_owned(), n(c.offset.as_nanos())),
                ]))
            })
            .collect();
        put(CHECKPOINTS, AttributeValue::L(list));
    }
    if !span.links().is_empty() {
        let list = span
            .links()
            .iter()
            .map(|l| {
                AttributeValue::M(HashMap::from([
                    (TRACE_ID.to_owned(), s(l.trace_id.to_string())),
                    (SPAN_ID.to_owned(), s(l.span_id.to_string())),
                ]))
            })
            .collect();
        put(LINKS, AttributeValue::L(list));
    }
    if trimmed > 0 {
        put(TRIMMED, n(trimmed));
    }
    if let Some(retention) = retention {
        let expires = finish.div_euclid(1_000_000_000) + i128::from(retention.as_secs() as i64);
        put(EXPIRES_AT, n(expires));
    }
    item
}

/// A tag value with its natural DynamoDB type. Floats DynamoDB cannot hold as a number (NaN,
/// infinities, magnitudes outside 1e-130..1e126) are stored as text; `float_tags` says they
/// are floats.
fn tag_value(value: &TagValue) -> AttributeValue {
    match value {
        TagValue::Str(v) => s(v.to_string()),
        TagValue::Int(v) => n(v),
        TagValue::Bool(v) => AttributeValue::Bool(*v),
        // `-0` would come back as `0`: kept as text, like the floats DynamoDB cannot hold.
        TagValue::Float(v) if storable_number(*v) && !(*v == 0.0 && v.is_sign_negative()) => n(v),
        TagValue::Float(v) => s(format!("{v:e}")),
    }
}

fn storable_number(v: f64) -> bool {
    v == 0.0 || (v.is_finite() && (1e-130..1e126).contains(&v.abs()))
}

/// Nanoseconds since the Unix epoch, negative before it.
pub(crate) fn unix_nanos(t: SystemTime) -> i128 {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i128,
        Err(e) => -(e.duration().as_nanos() as i128),
    }
}

fn s(v: String) -> AttributeValue {
    AttributeValue::S(v)
}

fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}
