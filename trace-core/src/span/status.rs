use std::borrow::Cow;

/// How a span ended.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Status {
    /// The work succeeded (or nobody said otherwise).
    #[default]
    Ok,
    /// The work failed, with a message for people.
    Error(Cow<'static, str>),
}

impl Status {
    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        matches!(self, Self::Error(_))
    }

    /// The error message, if this is an error.
    pub fn error_message(&self) -> Option<&str> {
        match self {
            Self::Ok => None,
            Self::Error(m) => Some(m),
        }
    }

    /// `"ok"` or `"error"`, as written in records.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Error(_) => "error",
        }
    }
}
