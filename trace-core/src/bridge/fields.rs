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
    let mut text = EventText {
        text: String::with_capacity(64),
        has_message: false,
    };
    event.record(&mut text);
    let EventText {
        mut text,
        has_message,
    } = text;
    if !has_message {
        // Fields only (each written with a leading space), or nothing at all.
        match text.strip_prefix(' ') {
            Some(fields) => text = fields.to_owned(),
            None => text.push_str(event.metadata().name()),
        }
    }
    text
}

/// Writes the message (the macros' `format_args!`, usually the first field) where it belongs
/// and each other field as ` key=value`, into one string.
struct EventText {
    text: String,
    has_message: bool,
}

impl EventText {
    fn message(&mut self, write: impl FnOnce(&mut String)) {
        self.has_message = true;
        if self.text.is_empty() {
            write(&mut self.text);
        } else {
            // After other fields: in front of them.
            let mut message = String::new();
            write(&mut message);
            self.text.insert_str(0, &message);
        }
    }
}

impl Visit for EventText {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message(|m| m.push_str(value));
        } else {
            let _ = write!(self.text, " {}={value}", field.name());
        }
    }

    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        if field.name() == "message" {
            self.message(|m| {
                let _ = write!(m, "{value}");
            });
        } else {
            let _ = write!(self.text, " {}={value}", field.name());
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        if field.name() == "message" {
            // `format_args!`, whose `Debug` is the formatted text.
            self.message(|m| {
                let _ = write!(m, "{value:?}");
            });
        } else {
            let _ = write!(self.text, " {}={value:?}", field.name());
        }
    }
}
