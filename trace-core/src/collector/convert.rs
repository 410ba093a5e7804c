use std::borrow::Cow;
use std::sync::Arc;

use crate::clock::{WallClock, elapsed};
use crate::record::{Checkpoint, CodeLocation, Process, SpanRecord};
use crate::span::data::SpanData;
use crate::span::raw::{Code, RawSpan};
use crate::span::{Status, Tags};

/// Turns the hot path's raw spans into records.
pub(crate) struct Converter {
    pub(crate) clock: WallClock,
    pub(crate) service: Arc<str>,
    pub(crate) process: Arc<Process>,
}

impl Converter {
    /// Builds the record of `raw`; returns its data box, emptied, for reuse.
    pub(crate) fn convert(&self, raw: RawSpan) -> (SpanRecord, Option<Box<SpanData>>) {
        let RawSpan {
            trace_id,
            span_id,
            parent_id,
            kind,
            code,
            start,
            end,
            mut data,
            ..
        } = raw;
        let duration = elapsed(start, end);
        let start_time = self.clock.to_system_time(start);
        let mut name = None;
        let mut record = SpanRecord {
            trace_id,
            span_id,
            parent_id,
            name: Cow::Borrowed(""),
            kind,
            service: Arc::clone(&self.service),
            process: Arc::clone(&self.process),
            code: Some(code_location(code)),
            start: start_time,
            finish: start_time + duration,
            duration,
            status: Status::Ok,
            tags: Tags::new(),
            checkpoints: Vec::new(),
            links: Vec::new(),
        };
        if let Some(data) = &mut data {
            name = data.name.take();
            record.tags = std::mem::take(&mut data.tags);
            record.status = data.status.take().unwrap_or_default();
            record.checkpoints = data
                .checkpoints
                .drain(..)
                .map(|(name, at)| Checkpoint {
                    name,
                    offset: elapsed(start, at),
                })
                .collect();
            record.links = std::mem::take(&mut data.links);
        }
        record.name = match (name, code) {
            (Some(name), _) => name,
            (None, Code::Callsite(cs)) => Cow::Borrowed(cs.name()),
            (None, Code::Caller(_)) => Cow::Borrowed("unnamed"),
        };
        (record, data)
    }
}

fn code_location(code: Code) -> CodeLocation {
    match code {
        Code::Callsite(cs) => CodeLocation {
            module: Some(Cow::Borrowed(cs.module_path())),
            file: Cow::Borrowed(cs.file()),
            line: cs.line(),
        },
        Code::Caller(loc) => CodeLocation {
            module: None,
            file: Cow::Borrowed(loc.file()),
            line: loc.line(),
        },
    }
}
