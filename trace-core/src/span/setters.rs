//! The setters every span owner ([`SpanGuard`](crate::SpanGuard), [`Span`](crate::Span)) has,
//! written once: both keep their record in a field `raw` holding an `Option<RawSpan>`, which is
//! `None` when the span does not record, and then every setter does nothing.

macro_rules! span_setters {
    () => {
        /// The span's data, if it records; taking a recycled box on first use.
        #[inline]
        fn data(&mut self) -> Option<&mut $crate::span::data::SpanData> {
            self.raw
                .as_mut()
                .map(|raw| &mut **raw.data.get_or_insert_with($crate::local::spare_data))
        }

        /// Sets a tag; a later value for the same key replaces the earlier one.
        #[inline]
        pub fn set_tag(
            &mut self,
            key: impl Into<::std::borrow::Cow<'static, str>>,
            value: impl Into<$crate::span::TagValue>,
        ) {
            if let Some(data) = self.data() {
                data.tags.set(key, value);
            }
        }

        /// Records that the span reached `name` now.
        pub fn checkpoint(&mut self, name: impl Into<::std::borrow::Cow<'static, str>>) {
            if let Some(data) = self.data() {
                data.checkpoints
                    .push((name.into(), $crate::clock::Instant::now()));
            }
        }

        /// Marks the span as failed.
        pub fn set_error(&mut self, message: impl Into<::std::borrow::Cow<'static, str>>) {
            self.set_status($crate::span::Status::Error(message.into()));
        }

        /// Sets the span's status.
        pub fn set_status(&mut self, status: $crate::span::Status) {
            if let Some(data) = self.data() {
                data.status = Some(status);
            }
        }

        /// Links this span to another one that is not its parent.
        pub fn add_link(&mut self, other: &$crate::context::SpanContext) {
            if let Some(data) = self.data() {
                data.links.push(other.into());
            }
        }
    };
}

pub(crate) use span_setters;
