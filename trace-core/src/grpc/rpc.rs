//! One traced RPC: its span, how it ended, and the messages each way.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tonic::Code;

use crate::grpc::messages::MessageCounter;
use crate::grpc::semconv::{RPC_GRPC_REQUEST_MESSAGES, RPC_GRPC_RESPONSE_MESSAGES};
use crate::grpc::status::{record_error, record_status};
use crate::span::Span;

#[derive(Debug)]
enum Outcome {
    /// No status yet: dropped now, the RPC was cancelled.
    Pending,
    Status(Code, Option<String>),
    /// The transport or body failed; already recorded.
    Failed,
}

/// The span of an RPC in flight. It finishes when dropped, whoever holds it then (the response
/// future, or the response body once the headers are in): so a stream's span covers the whole
/// stream, and one abandoned half-way is recorded as `CANCELLED`.
#[derive(Debug)]
pub(crate) struct Rpc {
    pub(crate) span: Span,
    outcome: Outcome,
    /// Request messages, counted by the request body (which may still be streaming).
    requests: Arc<AtomicU64>,
    pub(crate) responses: MessageCounter,
}

impl Rpc {
    pub(crate) fn new(span: Span, requests: Arc<AtomicU64>) -> Self {
        Self {
            span,
            outcome: Outcome::Pending,
            requests,
            responses: MessageCounter::default(),
        }
    }

    /// The status the server sent (in the headers of a trailers-only response, or in trailers).
    pub(crate) fn set_status(&mut self, code: Code, message: Option<String>) {
        self.outcome = Outcome::Status(code, message);
    }

    /// The response ended: without a status, the server broke the protocol (`UNKNOWN`).
    pub(crate) fn ended(&mut self) {
        if matches!(self.outcome, Outcome::Pending) {
            self.outcome = Outcome::Status(
                Code::Unknown,
                Some("the response ended without a grpc-status".to_owned()),
            );
        }
    }

    /// The call or the response body failed with an error of type `E`.
    pub(crate) fn failed<E>(&mut self) {
        record_error::<E>(&mut self.span);
        self.outcome = Outcome::Failed;
    }
}

impl Drop for Rpc {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.outcome, Outcome::Failed) {
            Outcome::Pending => record_status(
                &mut self.span,
                Code::Cancelled,
                Some("dropped before the status arrived"),
            ),
            Outcome::Status(code, message) => {
                record_status(&mut self.span, code, message.as_deref());
            }
            Outcome::Failed => {}
        }
        self.span.set_tag(
            RPC_GRPC_REQUEST_MESSAGES,
            self.requests.load(Ordering::Relaxed),
        );
        self.span
            .set_tag(RPC_GRPC_RESPONSE_MESSAGES, self.responses.count());
        std::mem::replace(&mut self.span, Span::disabled()).finish();
    }
}
