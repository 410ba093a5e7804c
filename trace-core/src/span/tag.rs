use std::borrow::Cow;
use std::fmt;
use std::ops::Deref;

use smallvec::SmallVec;

/// A tag's typed value.
///
/// `From` conversions exist for the primitives and strings, so `span.set_tag("rows", 3)` and
/// `span.set_tag("user", name)` both work.
#[derive(Clone, Debug, PartialEq)]
pub enum TagValue {
    /// Text.
    Str(Cow<'static, str>),
    /// A signed integer (unsigned values above `i64::MAX` are recorded as text).
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A boolean.
    Bool(bool),
}

impl fmt::Display for TagValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Str(s) => f.write_str(s),
            Self::Int(v) => write!(f, "{v}"),
            Self::Float(v) => write!(f, "{v}"),
            Self::Bool(v) => write!(f, "{v}"),
        }
    }
}

macro_rules! from_lossless_int {
    ($($t:ty),*) => {$(
        impl From<$t> for TagValue {
            #[inline]
            fn from(v: $t) -> Self {
                Self::Int(i64::from(v))
            }
        }
    )*};
}
from_lossless_int!(i8, i16, i32, i64, u8, u16, u32);

macro_rules! from_wide_int {
    ($($t:ty),*) => {$(
        impl From<$t> for TagValue {
            #[inline]
            fn from(v: $t) -> Self {
                match i64::try_from(v) {
                    Ok(v) => Self::Int(v),
                    Err(_) => Self::Str(Cow::Owned(v.to_string())),
                }
            }
        }
    )*};
}
from_wide_int!(u64, usize, isize, i128, u128);

impl From<f32> for TagValue {
    #[inline]
    fn from(v: f32) -> Self {
        Self::Float(f64::from(v))
    }
}

impl From<f64> for TagValue {
    #[inline]
    fn from(v: f64) -> Self {
        Self::Float(v)
    }
}

impl From<bool> for TagValue {
    #[inline]
    fn from(v: bool) -> Self {
        Self::Bool(v)
    }
}

impl From<&'static str> for TagValue {
    #[inline]
    fn from(v: &'static str) -> Self {
        Self::Str(Cow::Borrowed(v))
    }
}

impl From<String> for TagValue {
    #[inline]
    fn from(v: String) -> Self {
        Self::Str(Cow::Owned(v))
    }
}

impl From<Cow<'static, str>> for TagValue {
    #[inline]
    fn from(v: Cow<'static, str>) -> Self {
        Self::Str(v)
    }
}

impl From<char> for TagValue {
    fn from(v: char) -> Self {
        Self::Str(Cow::Owned(v.to_string()))
    }
}

/// One key/value tag on a span.
#[derive(Clone, Debug, PartialEq)]
pub struct Tag {
    /// The key; dotted names such as `http.method` are conventional.
    pub key: Cow<'static, str>,
    /// The value.
    pub value: TagValue,
}

impl Tag {
    /// A tag from anything that converts into a key and a value.
    pub fn new(key: impl Into<Cow<'static, str>>, value: impl Into<TagValue>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
        }
    }
}

/// How many tags a span holds before its tag list allocates.
pub const INLINE_TAGS: usize = 4;

/// A span's tags, in the order they were set; the first few are stored inline so that a span with
/// a handful of tags allocates nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tags(SmallVec<[Tag; INLINE_TAGS]>);

impl Tags {
    /// No tags.
    pub const fn new() -> Self {
        Self(SmallVec::new_const())
    }

    /// Adds a tag, replacing the value of an existing tag with the same key (a span has one value
    /// per key, so a reader never has to pick one).
    #[inline]
    pub fn set(&mut self, key: impl Into<Cow<'static, str>>, value: impl Into<TagValue>) {
        let key = key.into();
        let value = value.into();
        match self.0.iter_mut().find(|t| t.key == key) {
            Some(t) => t.value = value,
            None => self.0.push(Tag { key, value }),
        }
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&TagValue> {
        self.0.iter().find(|t| t.key == key).map(|t| &t.value)
    }

    pub(crate) fn clear(&mut self) {
        self.0.clear();
    }

    pub(crate) fn merge(&mut self, other: Tags) {
        for t in other.0 {
            self.set(t.key, t.value);
        }
    }
}

impl Deref for Tags {
    type Target = [Tag];
    fn deref(&self) -> &[Tag] {
        &self.0
    }
}

impl FromIterator<Tag> for Tags {
    fn from_iter<I: IntoIterator<Item = Tag>>(iter: I) -> Self {
        let mut tags = Self::new();
        for t in iter {
            tags.set(t.key, t.value);
        }
        tags
    }
}

impl IntoIterator for Tags {
    type Item = Tag;
    type IntoIter = smallvec::IntoIter<[Tag; INLINE_TAGS]>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Tags {
    type Item = &'a Tag;
    type IntoIter = std::slice::Iter<'a, Tag>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_keep_their_type() {
        assert_eq!(TagValue::from(7u32), TagValue::Int(7));
        assert_eq!(
            TagValue::from(u64::MAX),
            TagValue::Str(u64::MAX.to_string().into())
        );
        assert_eq!(TagValue::from(1.5f32), TagValue::Float(1.5));
        assert_eq!(TagValue::from("x"), TagValue::Str("x".into()));
    }

    #[test]
    fn setting_a_key_again_replaces_its_value() {
        let mut tags = Tags::new();
        tags.set("a", 1);
        tags.set("b", true);
        tags.set("a", 2);
        assert_eq!(tags.len(), 2);
        assert_eq!(tags.get("a"), Some(&TagValue::Int(2)));
        assert_eq!(tags[1].key, "b");
    }

    #[test]
    fn spills_past_the_inline_capacity() {
        let tags: Tags = (0..10).map(|i| Tag::new(format!("k{i}"), i)).collect();
        assert_eq!(tags.len(), 10);
        assert_eq!(tags.get("k9"), Some(&TagValue::Int(9)));
    }
}
