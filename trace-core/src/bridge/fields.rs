//! `tracing` field values as our tags, and events as checkpoint names.

use std::fmt::{self, Write};

use tracing_core::Event;
use tracing_core::field::{Field, Visit};

use crate::span::Span;

/// Sets each field visited as a typed tag on a span.
pub(super) struct Tags<'a>(pub(super) &'a mut Span);

impl Visit for Tags<'_> {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.set_tag(field.name(), value);
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.set_tag(field.name(), value);
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.set_tag(field.name(), value);
    }

    fn record_i128(&mut self, field: &Field, value: i128) {
        self.0.set_tag(field.name(), value);
    }

    fn record_u128(&mut self, field: &Field, value: u128) {
        self.0.set_tag(field.name(), value);
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.set_tag(field.name(), value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.set_tag(field.name(), value.to_owned());
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.set_tag(field.name(), value.to_string());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.set_tag(field.name(), format!("{value:?}"));
    }
}

/// The checkpoint an event becomes: its message, then its other fields as `key=value`; the event's
/// name (`event file.rs:12`) when it has neither.
pub(super) fn checkpoint_name(event: &Event<'_>) -> String {
    let mut text = EventText::default();
    event.record(&mut text);
    let EventText { message, fields } = text;
    match (message.is_empty(), fields.is_empty()) {
        (false, _) => message + &fields,
        (true, false) => fields.trim_start().to_owned(),
        (true, true) => event.metadata().name().to_owned(),
    }
}

#[derive(Default)]
struct EventText {
    message: String,
    /// Each field with a leading space.
    fields: String,
}

impl Visit for EventText {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value}");
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            // The message is `format_args!`, whose `Debug` is the formatted text.
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }
}
