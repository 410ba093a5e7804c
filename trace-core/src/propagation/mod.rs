//! Trace context on the wire: the header formats that carry a [`SpanContext`](crate::SpanContext)
//! between processes.
