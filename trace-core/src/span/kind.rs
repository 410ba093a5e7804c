use std::fmt;
use std::str::FromStr;

/// The role a span plays in a request, as in OpenTelemetry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// Work inside one process (the default).
    #[default]
    Internal,
    /// Handling a request from a remote client.
    Server,
    /// A request to a remote server.
    Client,
    /// Sending a message for later, asynchronous processing.
    Producer,
    /// Processing a message a producer sent.
    Consumer,
}

impl SpanKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 5] = [
        Self::Internal,
        Self::Server,
        Self::Client,
        Self::Producer,
        Self::Consumer,
    ];

    /// The lowercase name used in records and in `#[traced(kind = ..)]`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Internal => "internal",
            Self::Server => "server",
            Self::Client => "client",
            Self::Producer => "producer",
            Self::Consumer => "consumer",
        }
    }
}

impl fmt::Display for SpanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error from parsing an unknown span kind.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownSpanKind(pub String);

impl fmt::Display for UnknownSpanKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown span kind `{}`; expected one of internal, server, client, producer, consumer",
            self.0
        )
    }
}

impl std::error::Error for UnknownSpanKind {}

impl FromStr for SpanKind {
    type Err = UnknownSpanKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| UnknownSpanKind(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in SpanKind::ALL {
            assert_eq!(k.to_string().parse::<SpanKind>(), Ok(k));
        }
        assert!(
            "Server"
                .parse::<SpanKind>()
                .unwrap_err()
                .to_string()
                .contains("expected one of")
        );
    }
}
