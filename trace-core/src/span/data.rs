use std::borrow::Cow;

use crate::clock::Instant;
use crate::record::Link;
use crate::span::{Status, Tags};

/// What user code adds to a span while it runs.
///
/// Tags are inline (a span with a few tags allocates nothing); the rarer additions share one box so
/// a plain span stays small.
#[derive(Debug, Default)]
pub(crate) struct SpanData {
    pub(crate) tags: Tags,
    pub(crate) extras: Option<Box<Extras>>,
}

#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub(crate) status: Option<Status>,
    pub(crate) checkpoints: Vec<(Cow<'static, str>, Instant)>,
    pub(crate) links: Vec<Link>,
}

impl SpanData {
    fn extras(&mut self) -> &mut Extras {
        self.extras.get_or_insert_with(Box::default)
    }

    pub(crate) fn set_status(&mut self, status: Status) {
        self.extras().status = Some(status);
    }

    /// Marks the span as an error unless something already set its status.
    pub(crate) fn set_error_if_unset(&mut self, message: Cow<'static, str>) {
        let extras = self.extras();
        if extras.status.is_none() {
            extras.status = Some(Status::Error(message));
        }
    }

    pub(crate) fn checkpoint(&mut self, name: Cow<'static, str>, at: Instant) {
        self.extras().checkpoints.push((name, at));
    }

    pub(crate) fn add_link(&mut self, link: Link) {
        self.extras().links.push(link);
    }

    /// Adds what was set through the current-span functions while the span was entered.
    pub(crate) fn merge(&mut self, other: SpanData) {
        self.tags.merge(other.tags);
        if let Some(other) = other.extras {
            let Extras {
                status,
                checkpoints,
                links,
            } = *other;
            let extras = self.extras();
            if status.is_some() {
                extras.status = status;
            }
            extras.checkpoints.extend(checkpoints);
            extras.links.extend(links);
        }
    }
}
