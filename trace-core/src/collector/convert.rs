use std::borrow::Cow;
use std::sync::Arc;

use crate::clock::{WallClock, elapsed};
use crate::record::{Checkpoint, CodeLocation, Process, SpanRecord};
use crate::span::Status;
use crate::span::raw::{Code, RawSpan};

/// Turns the hot path's raw spans into records.
pub(crate) struct Converter {
    pub(crate) clock: WallClock,
    pub(crate) service: Arc<str>,
    pub(crate) process: Arc<Process>,
}

impl Converter {
    pub(crate) fn convert(&self, raw: RawSpan) -> SpanRecord {
        let RawSpan {
            trace_id,
            span_id,
            parent_id,
            kind,
            name,
            code,
            start,
            end,
            data,
            ..
        } = raw;
        let duration = elapsed(start, end);
        let start_time = self.clock.to_system_time(start);
        let (status, checkpoints, links) = match data.extras {
            None => (Status::Ok, Vec::new(), Vec::new()),
            Some(extras) => {
                let checkpoints = extras
                    .checkpoints
                    .into_iter()
                    .map(|(name, at)| Checkpoint {
                        name,
                        offset: elapsed(start, at),
                    })
                    .collect();
                (extras.status.unwrap_or_default(), checkpoints, extras.links)
            }
        };
        SpanRecord {
            trace_id,
            span_id,
            parent_id,
            name,
            kind,
            service: Arc::clone(&self.service),
            process: Arc::clone(&self.process),
            code: Some(code_location(code)),
            start: start_time,
            finish: start_time + duration,
            duration,
            status,
            tags: data.tags,
            checkpoints,
            links,
        }
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
