//! The setters every span owner ([`SpanGuard`](crate::SpanGuard), [`Span`](crate::Span)) has,
//! written once: each owner has a `with_data` that runs a closure on the span's data if the span
//! records (taking a recycled box on first use), and does nothing otherwise.

macro_rules! span_setters {
    () => {
        /// Sets a tag; a later value for the same key replaces the earlier one.
        #[inline]
        pub fn set_tag(
            &mut self,
            key: impl Into<::std::borrow::Cow<'static, str>>,
            value: impl Into<$crate::span::TagValue>,
        ) {
            self.with_data(|data| data.tags.set(key, value));
        }

        /// Records that the span reached `name` now.
        pub fn checkpoint(&mut self, name: impl Into<::std::borrow::Cow<'static, str>>) {
            let at = $crate::clock::Instant::now();
            self.with_data(|data| data.checkpoints.push((name.into(), at)));
        }

        /// Marks the span as failed.
        pub fn set_error(&mut self, message: impl Into<::std::borrow::Cow<'static, str>>) {
            self.set_status($crate::span::Status::Error(message.into()));
        }

        /// Sets the span's status.
        pub fn set_status(&mut self, status: $crate::span::Status) {
            self.with_data(|data| data.status = Some(status));
        }

        /// Links this span to another one that is not its parent.
        pub fn add_link(&mut self, other: &$crate::context::SpanContext) {
            self.with_data(|data| data.links.push(other.into()));
        }
    };
}

pub(crate) use span_setters;
