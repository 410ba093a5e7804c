//! The YAML document of one span as a serde model: [`SpanDoc`] owns what a reader parsed and
//! checks it into a [`SpanRecord`]. (Writing goes through the schema's own emitter, `emit.rs`.)

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use trace_core::{
    Checkpoint, CodeLocation, Link, Process, SpanId, SpanKind, SpanRecord, Status, TagValue, Tags,
    TraceFlags, TraceId, TraceState,
};

use super::text::{NO_PARENT, parse_time};

/// One span as read. Unknown keys are ignored, so files from a newer writer still read.
#[derive(Deserialize)]
pub(crate) struct SpanDoc {
    trace_id: String,
    span_id: String,
    parent_id: String,
    name: String,
    kind: String,
    process: String,
    start: String,
    finish: String,
    service: String,
    duration_ns: u64,
    status: String,
    #[serde(default)]
    error: Option<String>,
    #[serde(default)]
    flags: u8,
    #[serde(default)]
    trace_state: Option<String>,
    #[serde(default)]
    code: Option<CodeDoc>,
    #[serde(default)]
    tags: TagsDoc,
    #[serde(default)]
    checkpoints: Vec<CheckpointDoc>,
    #[serde(default)]
    links: Vec<LinkDoc>,
}

#[derive(Deserialize)]
struct CodeDoc {
    #[serde(default)]
    module: Option<String>,
    file: String,
    line: u32,
}

#[derive(Deserialize)]
struct CheckpointDoc {
    name: String,
    offset_ns: u64,
}

#[derive(Deserialize)]
struct LinkDoc {
    trace_id: String,
    span_id: String,
}

/// Tags in file order; a repeated key keeps its last value, as [`Tags::set`] does.
#[derive(Default)]
struct TagsDoc(Tags);

impl<'de> Deserialize<'de> for TagsDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TagsVisitor;
        impl<'de> Visitor<'de> for TagsVisitor {
            type Value = TagsDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of tag names to strings, integers, floats or booleans")
            }
            fn visit_unit<E: de::Error>(self) -> Result<TagsDoc, E> {
                Ok(TagsDoc::default())
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<TagsDoc, A::Error> {
                let mut tags = Tags::new();
                while let Some((key, TagValueDoc(value))) =
                    map.next_entry::<String, TagValueDoc>()?
                {
                    tags.set(key, value);
                }
                Ok(TagsDoc(tags))
            }
        }
        deserializer.deserialize_map(TagsVisitor)
    }
}

/// A tag value keeps the YAML type it was written with.
struct TagValueDoc(TagValue);

impl<'de> Deserialize<'de> for TagValueDoc {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl Visitor<'_> for ValueVisitor {
            type Value = TagValueDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string, integer, float or boolean tag value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<TagValueDoc, E> {
                Ok(TagValueDoc(TagValue::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TagValueDoc, E> {
                Ok(TagValueDoc(TagValue::Int(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TagValueDoc, E> {
                // The writer turns integers above i64::MAX into text; a hand-written one reads the
                // same way rather than losing precision as a float.
                Ok(TagValueDoc(TagValue::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TagValueDoc, E> {
                Ok(TagValueDoc(TagValue::Float(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TagValueDoc, E> {
                Ok(TagValueDoc(TagValue::Str(Cow::Owned(v.to_owned()))))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<TagValueDoc, E> {
                Ok(TagValueDoc(TagValue::Str(Cow::Owned(v))))
            }
        }
        deserializer.deserialize_any(ValueVisitor)
    }
}

/// A document that parsed as YAML but does not describe a valid span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidField {
    /// The key whose value is wrong, e.g. `trace_id` or `links[2].span_id`.
    pub field: String,
    /// What is wrong with it.
    pub message: String,
}

impl fmt::Display for InvalidField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}`: {}", self.field, self.message)
    }
}

impl std::error::Error for InvalidField {}

fn invalid(field: impl Into<String>, message: impl fmt::Display) -> InvalidField {
    InvalidField {
        field: field.into(),
        message: message.to_string(),
    }
}

/// Values repeated across the documents of one file, shared instead of allocated per span.
#[derive(Default)]
pub(crate) struct Interned {
    process: Option<(String, Arc<Process>)>,
    service: Option<Arc<str>>,
}

impl Interned {
    fn process(&mut self, text: String) -> Result<Arc<Process>, InvalidField> {
        if let Some((seen, process)) = &self.process
            && *seen == text
        {
            return Ok(Arc::clone(process));
        }
        let process: Arc<Process> = Arc::new(text.parse().map_err(|e| invalid("process", e))?);
        self.process = Some((text, Arc::clone(&process)));
        Ok(process)
    }

    fn service(&mut self, text: String) -> Arc<str> {
        match &self.service {
            Some(seen) if **seen == *text => Arc::clone(seen),
            _ => {
                let service: Arc<str> = text.into();
                self.service = Some(Arc::clone(&service));
                service
            }
        }
    }
}

impl SpanDoc {
    /// Checks every field and builds the record.
    pub(crate) fn into_record(self, interned: &mut Interned) -> Result<SpanRecord, InvalidField> {
        let trace_id = TraceId::from_hex(&self.trace_id).map_err(|e| invalid("trace_id", e))?;
        let span_id = SpanId::from_hex(&self.span_id).map_err(|e| invalid("span_id", e))?;
        let parent_id = if self.parent_id == NO_PARENT {
            None
        } else {
            Some(SpanId::from_hex(&self.parent_id).map_err(|e| invalid("parent_id", e))?)
        };
        let kind: SpanKind = self.kind.parse().map_err(|e| invalid("kind", e))?;
        let start = parse_time(&self.start).map_err(|e| invalid("start", e))?;
        let finish = parse_time(&self.finish).map_err(|e| invalid("finish", e))?;
        let status = match (self.status.as_str(), self.error) {
            ("ok", None) => Status::Ok,
            ("ok", Some(_)) => return Err(invalid("error", "present although `status` is ok")),
            ("error", message) => Status::Error(Cow::Owned(message.unwrap_or_default())),
            (other, _) => {
                return Err(invalid(
                    "status",
                    format_args!("`{other}`; expected `ok` or `error`"),
                ));
            }
        };
        let links = self
            .links
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                Ok(Link {
                    trace_id: TraceId::from_hex(&l.trace_id)
                        .map_err(|e| invalid(format!("links[{i}].trace_id"), e))?,
                    span_id: SpanId::from_hex(&l.span_id)
                        .map_err(|e| invalid(format!("links[{i}].span_id"), e))?,
                })
            })
            .collect::<Result<_, InvalidField>>()?;
        let trace_state = match self.trace_state {
            None => TraceState::default(),
            Some(text) => trace_core::propagation::parse_trace_state(&text)
                .ok_or_else(|| invalid("trace_state", "not a valid W3C tracestate"))?,
        };
        Ok(SpanRecord {
            trace_id,
            span_id,
            parent_id,
            flags: TraceFlags::from_bits(self.flags),
            trace_state,
            name: Cow::Owned(self.name),
            kind,
            service: interned.service(self.service),
            process: interned.process(self.process)?,
            code: self.code.map(|c| CodeLocation {
                module: c.module.map(Cow::Owned),
                file: Cow::Owned(c.file),
                line: c.line,
            }),
            start,
            finish,
            duration: Duration::from_nanos(self.duration_ns),
            status,
            tags: self.tags.0,
            checkpoints: self
                .checkpoints
                .into_iter()
                .map(|c| Checkpoint {
                    name: Cow::Owned(c.name),
                    offset: Duration::from_nanos(c.offset_ns),
                })
                .collect(),
            links,
        })
    }
}
