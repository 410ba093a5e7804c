//! A DynamoDB item back into the [`SpanRecord`] it was written from.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::types::AttributeValue;
use trace_core::{
    Checkpoint, CodeLocation, Link, Process, SpanId, SpanKind, SpanRecord, Status, Tag, TagValue,
    Tags, TraceId,
};

use super::Item;
use super::names::*;

/// An item that is not a span as this recorder writes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    span_id: Option<String>,
    attribute: String,
    problem: String,
}

impl DecodeError {
    fn new(item: &Item, attribute: &str, problem: impl Into<String>) -> Self {
        Self {
            span_id: match item.get(SPAN_ID) {
                Some(AttributeValue::S(id)) => Some(id.clone()),
                _ => None,
            },
            attribute: attribute.to_owned(),
            problem: problem.into(),
        }
    }

    /// The attribute at fault.
    pub fn attribute(&self) -> &str {
        &self.attribute
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.span_id {
            Some(id) => write!(f, "span item {id}: ")?,
            None => f.write_str("span item without a span_id: ")?,
        }
        write!(f, "attribute `{}` {}", self.attribute, self.problem)
    }
}

impl std::error::Error for DecodeError {}

/// Decodes one item. Unknown attributes are ignored, so tables may carry extra data.
pub(crate) fn decode(item: &Item) -> Result<SpanRecord, DecodeError> {
    let d = Decoder { item };
    let start = d.time(START_UNIX_NANOS)?;
    let finish = d.time(FINISH_UNIX_NANOS)?;
    let duration = Duration::from_nanos(d.number(DURATION_NANOS, d.required(DURATION_NANOS)?)?);
    let parent = d.string(PARENT_ID)?;
    let flags = match d.item.get(FLAGS) {
        Some(v) => trace_core::TraceFlags::from_bits(d.number(FLAGS, v)?),
        None => trace_core::TraceFlags::default(),
    };
    let trace_state = match d.optional_string(TRACE_STATE)? {
        Some(text) => trace_core::propagation::parse_trace_state(text)
            .ok_or_else(|| d.err(TRACE_STATE, "is not a valid W3C tracestate"))?,
        None => trace_core::TraceState::default(),
    };
    let mut tags = d.tags()?;
    if let Some(v) = d.item.get(TRIMMED) {
        // The writer removed this many tags, checkpoints or links to fit the item size limit:
        // say so on the span, so nobody takes it for complete.
        tags.set(TRIMMED_TAG, d.number::<i64>(TRIMMED, v)?);
    }
    Ok(SpanRecord {
        flags,
        trace_state,
        trace_id: d.parse_str::<TraceId>(TRACE_ID)?,
        span_id: d.parse_str::<SpanId>(SPAN_ID)?,
        parent_id: if parent == NO_PARENT {
            None
        } else {
            Some(d.parse(PARENT_ID, parent)?)
        },
        name: Cow::Owned(d.string(NAME)?.to_owned()),
        kind: d.parse_str::<SpanKind>(KIND)?,
        service: Arc::from(d.string(SERVICE)?),
        process: Arc::new(d.parse_str::<Process>(PROCESS)?),
        code: d.code()?,
        start,
        finish,
        duration,
        status: match d.string(STATUS)? {
            "ok" => Status::Ok,
            "error" => Status::Error(Cow::Owned(
                d.optional_string(STATUS_MESSAGE)?
                    .unwrap_or_default()
                    .to_owned(),
            )),
            other => return Err(d.err(STATUS, format!("is `{other}`, not `ok` or `error`"))),
        },
        tags,
        checkpoints: d.checkpoints()?,
        links: d.links()?,
    })
}

struct Decoder<'a> {
    item: &'a Item,
}

impl<'a> Decoder<'a> {
    fn err(&self, attribute: &str, problem: impl Into<String>) -> DecodeError {
        DecodeError::new(self.item, attribute, problem)
    }

    fn required(&self, name: &str) -> Result<&'a AttributeValue, DecodeError> {
        self.item
            .get(name)
            .ok_or_else(|| self.err(name, "is missing"))
    }

    fn string(&self, name: &str) -> Result<&'a str, DecodeError> {
        self.as_str(name, self.required(name)?)
    }

    fn optional_string(&self, name: &str) -> Result<Option<&'a str>, DecodeError> {
        self.item
            .get(name)
            .map(|v| self.as_str(name, v))
            .transpose()
    }

    fn as_str<'v>(&self, name: &str, value: &'v AttributeValue) -> Result<&'v str, DecodeError> {
        match value {
            AttributeValue::S(s) => Ok(s),
            other => Err(self.err(
                name,
                format!("should be a string (S), found {}", type_name(other)),
            )),
        }
    }

    fn parse_str<T>(&self, name: &str) -> Result<T, DecodeError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        self.parse(name, self.string(name)?)
    }

    fn parse<T>(&self, name: &str, text: &str) -> Result<T, DecodeError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        text.parse()
            .map_err(|e| self.err(name, format!("`{text}`: {e}")))
    }

    fn number<T>(&self, name: &str, value: &AttributeValue) -> Result<T, DecodeError>
    where
        T: std::str::FromStr,
        T::Err: fmt::Display,
    {
        match value {
            AttributeValue::N(text) => self.parse(name, text),
            other => Err(self.err(
                name,
                format!("should be a number (N), found {}", type_name(other)),
            )),
        }
    }

    fn time(&self, name: &str) -> Result<SystemTime, DecodeError> {
        let nanos: i128 = self.number(name, self.required(name)?)?;
        let abs = nanos.unsigned_abs();
        let magnitude = u64::try_from(abs / 1_000_000_000)
            .ok()
            .map(|secs| Duration::new(secs, (abs % 1_000_000_000) as u32));
        let time = magnitude.and_then(|m| {
            if nanos >= 0 {
                UNIX_EPOCH.checked_add(m)
            } else {
                UNIX_EPOCH.checked_sub(m)
            }
        });
        time.ok_or_else(|| self.err(name, format!("{nanos} is out of range")))
    }

    fn map_of(
        &self,
        name: &str,
        value: &'a AttributeValue,
    ) -> Result<&'a HashMap<String, AttributeValue>, DecodeError> {
        match value {
            AttributeValue::M(m) => Ok(m),
            other => Err(self.err(
                name,
                format!("should be a map (M), found {}", type_name(other)),
            )),
        }
    }

    fn list_of(&self, name: &str) -> Result<&'a [AttributeValue], DecodeError> {
        match self.item.get(name) {
            None => Ok(&[]),
            Some(AttributeValue::L(l)) => Ok(l),
            Some(other) => Err(self.err(
                name,
                format!("should be a list (L), found {}", type_name(other)),
            )),
        }
    }

    fn field<'m>(
        &self,
        name: &str,
        map: &'m HashMap<String, AttributeValue>,
        field: &str,
    ) -> Result<&'m AttributeValue, DecodeError> {
        map.get(field)
            .ok_or_else(|| self.err(name, format!("has an entry without `{field}`")))
    }

    fn code(&self) -> Result<Option<CodeLocation>, DecodeError> {
        let Some(value) = self.item.get(CODE) else {
            return Ok(None);
        };
        let m = self.map_of(CODE, value)?;
        let module = m
            .get(CODE_MODULE)
            .map(|v| self.as_str(CODE, v).map(|s| Cow::Owned(s.to_owned())))
            .transpose()?;
        Ok(Some(CodeLocation {
            module,
            file: Cow::Owned(
                self.as_str(CODE, self.field(CODE, m, CODE_FILE)?)?
                    .to_owned(),
            ),
            line: self.number(CODE, self.field(CODE, m, CODE_LINE)?)?,
        }))
    }

    fn tags(&self) -> Result<Tags, DecodeError> {
        let Some(value) = self.item.get(TAGS) else {
            return Ok(Tags::new());
        };
        let map = self.map_of(TAGS, value)?;
        let floats: &[String] = match self.item.get(FLOAT_TAGS) {
            None => &[],
            Some(AttributeValue::Ss(v)) => v,
            Some(other) => {
                return Err(self.err(
                    FLOAT_TAGS,
                    format!("should be a string set (SS), found {}", type_name(other)),
                ));
            }
        };
        // Keys in recorded order, then any key the order list does not know (written by others).
        let mut keys: Vec<&str> = Vec::with_capacity(map.len());
        for key in self.list_of(TAG_ORDER)? {
            let key = self.as_str(TAG_ORDER, key)?;
            if map.contains_key(key) && !keys.contains(&key) {
                keys.push(key);
            }
        }
        let mut rest: Vec<&str> = map
            .keys()
            .map(String::as_str)
            .filter(|k| !keys.contains(k))
            .collect();
        rest.sort_unstable();
        keys.extend(rest);
        keys.into_iter()
            .map(|key| {
                let is_float = floats.iter().any(|f| f == key);
                let value = match (&map[key], is_float) {
                    (AttributeValue::S(v), true) | (AttributeValue::N(v), true) => {
                        TagValue::Float(self.parse(TAGS, v)?)
                    }
                    (AttributeValue::S(v), false) => TagValue::Str(Cow::Owned(v.clone())),
                    (AttributeValue::N(v), false) => TagValue::Int(self.parse(TAGS, v)?),
                    (AttributeValue::Bool(v), _) => TagValue::Bool(*v),
                    (other, _) => {
                        return Err(self.err(
                            TAGS,
                            format!("`{key}` has an unsupported type {}", type_name(other)),
                        ));
                    }
                };
                Ok(Tag::new(key.to_owned(), value))
            })
            .collect()
    }

    fn checkpoints(&self) -> Result<Vec<Checkpoint>, DecodeError> {
        self.list_of(CHECKPOINTS)?
            .iter()
            .map(|entry| {
                let m = self.map_of(CHECKPOINTS, entry)?;
                let name =
                    self.as_str(CHECKPOINTS, self.field(CHECKPOINTS, m, CHECKPOINT_NAME)?)?;
                let offset: u64 = self.number(
                    CHECKPOINTS,
                    self.field(CHECKPOINTS, m, CHECKPOINT_OFFSET_NANOS)?,
                )?;
                Ok(Checkpoint {
                    name: Cow::Owned(name.to_owned()),
                    offset: Duration::from_nanos(offset),
                })
            })
            .collect()
    }

    fn links(&self) -> Result<Vec<Link>, DecodeError> {
        self.list_of(LINKS)?
            .iter()
            .map(|entry| {
                let m = self.map_of(LINKS, entry)?;
                Ok(Link {
                    trace_id: self
                        .parse(LINKS, self.as_str(LINKS, self.field(LINKS, m, TRACE_ID)?)?)?,
                    span_id: self
                        .parse(LINKS, self.as_str(LINKS, self.field(LINKS, m, SPAN_ID)?)?)?,
                })
            })
            .collect()
    }
}

fn type_name(value: &AttributeValue) -> &'static str {
    match value {
        AttributeValue::S(_) => "a string (S)",
        AttributeValue::N(_) => "a number (N)",
        AttributeValue::B(_) => "binary (B)",
        AttributeValue::Bool(_) => "a boolean (BOOL)",
        AttributeValue::Null(_) => "null (NULL)",
        AttributeValue::M(_) => "a map (M)",
        AttributeValue::L(_) => "a list (L)",
        AttributeValue::Ss(_) => "a string set (SS)",
        AttributeValue::Ns(_) => "a number set (NS)",
        AttributeValue::Bs(_) => "a binary set (BS)",
        _ => "an unknown type",
    }
}
