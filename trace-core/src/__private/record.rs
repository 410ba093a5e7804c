//! Turning a parameter, tag expression or return value into a [`TagValue`]: typed for primitives
//! and strings, else through `Display`, else through `Debug`, chosen at compile time by autoref
//! specialization (`(&&&TagWrap(&value)).__trace_tag()` picks the first impl that applies).
//!
//! A type with neither `Display` nor `Debug` lands on the last impl, whose method requires
//! [`RecordableArg`] (or [`RecordableReturn`]); their `on_unimplemented` messages say what to do,
//! at the span the expansion gives the call: the parameter's type or the return type.

use std::borrow::Cow;
use std::fmt::{Debug, Display};

use crate::span::TagValue;

/// Values recorded as a typed [`TagValue`] rather than as text.
pub trait TypedTag {
    /// The value as a tag.
    fn to_tag_value(&self) -> TagValue;
}

macro_rules! typed_by_copy {
    ($($t:ty),*) => {$(
        impl TypedTag for $t {
            #[inline]
            fn to_tag_value(&self) -> TagValue {
                TagValue::from(*self)
            }
        }
    )*};
}
typed_by_copy!(
    i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, bool, char
);

impl TypedTag for str {
    fn to_tag_value(&self) -> TagValue {
        TagValue::Str(Cow::Owned(self.to_owned()))
    }
}

impl TypedTag for String {
    fn to_tag_value(&self) -> TagValue {
        TagValue::Str(Cow::Owned(self.clone()))
    }
}

impl TypedTag for Cow<'_, str> {
    fn to_tag_value(&self) -> TagValue {
        TagValue::Str(Cow::Owned(self.clone().into_owned()))
    }
}

impl<T: TypedTag + ?Sized> TypedTag for &T {
    #[inline]
    fn to_tag_value(&self) -> TagValue {
        (**self).to_tag_value()
    }
}

impl<T: TypedTag + ?Sized> TypedTag for &mut T {
    #[inline]
    fn to_tag_value(&self) -> TagValue {
        (**self).to_tag_value()
    }
}

/// A parameter or tag value can be recorded when it implements `Display` or `Debug`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be recorded as a tag: it implements neither `Display` nor `Debug`",
    label = "derive `Debug` for `{Self}`, or remove this value from `args`/`tags`",
    note = "`args(..)` and `tags(..)` record primitives and strings as typed values, other types through `Display` or `Debug`"
)]
pub trait RecordableArg: Debug {}
#[diagnostic::do_not_recommend]
impl<T: Debug + ?Sized> RecordableArg for T {}

/// A return value can be recorded with `ret` when it implements `Display` or `Debug`.
#[diagnostic::on_unimplemented(
    message = "`ret` records the return value, but `{Self}` implements neither `Display` nor `Debug`",
    label = "derive `Debug` for `{Self}`, or remove `ret`",
    note = "`ret` records primitives and strings as typed values, other types through `Display` or `Debug`"
)]
pub trait RecordableReturn: Debug {}
#[diagnostic::do_not_recommend]
impl<T: Debug + ?Sized> RecordableReturn for T {}

/// A borrowed parameter or tag value on its way to becoming a tag.
#[derive(Debug)]
pub struct TagWrap<'a, T: ?Sized>(pub &'a T);

/// Records a parameter or tag value as a typed value (tried first).
pub trait TagViaTyped {
    /// The parameter or tag value as a tag.
    fn __trace_tag(&self) -> TagValue;
}

impl<T: TypedTag + ?Sized> TagViaTyped for &&TagWrap<'_, T> {
    #[inline]
    fn __trace_tag(&self) -> TagValue {
        self.0.to_tag_value()
    }
}

/// Records a parameter or tag value through `Display` (tried second).
pub trait TagViaDisplay {
    /// The parameter or tag value as a tag.
    fn __trace_tag(&self) -> TagValue;
}

impl<T: Display + ?Sized> TagViaDisplay for &TagWrap<'_, T> {
    #[inline]
    fn __trace_tag(&self) -> TagValue {
        TagValue::Str(Cow::Owned(self.0.to_string()))
    }
}

/// Records a parameter or tag value through `Debug` (tried last; its bound carries the error message).
pub trait TagViaDebug {
    /// The value's type.
    type Value: ?Sized;
    /// The parameter or tag value as a tag.
    fn __trace_tag(&self) -> TagValue
    where
        Self::Value: RecordableArg;
}

impl<T: ?Sized> TagViaDebug for TagWrap<'_, T> {
    type Value = T;
    #[inline]
    fn __trace_tag(&self) -> TagValue
    where
        T: RecordableArg,
    {
        TagValue::Str(Cow::Owned(format!("{:?}", self.0)))
    }
}

/// A borrowed return value on its way to becoming a tag.
#[derive(Debug)]
pub struct RetWrap<'a, T: ?Sized>(pub &'a T);

/// Records a return value as a typed value (tried first).
pub trait RetViaTyped {
    /// The return value as a tag.
    fn __trace_ret(&self) -> TagValue;
}

impl<T: TypedTag + ?Sized> RetViaTyped for &&RetWrap<'_, T> {
    #[inline]
    fn __trace_ret(&self) -> TagValue {
        self.0.to_tag_value()
    }
}

/// Records a return value through `Display` (tried second).
pub trait RetViaDisplay {
    /// The return value as a tag.
    fn __trace_ret(&self) -> TagValue;
}

impl<T: Display + ?Sized> RetViaDisplay for &RetWrap<'_, T> {
    #[inline]
    fn __trace_ret(&self) -> TagValue {
        TagValue::Str(Cow::Owned(self.0.to_string()))
    }
}

/// Records a return value through `Debug` (tried last; its bound carries the error message).
pub trait RetViaDebug {
    /// The value's type.
    type Value: ?Sized;
    /// The return value as a tag.
    fn __trace_ret(&self) -> TagValue
    where
        Self::Value: RecordableReturn;
}

impl<T: ?Sized> RetViaDebug for RetWrap<'_, T> {
    type Value = T;
    #[inline]
    fn __trace_ret(&self) -> TagValue
    where
        T: RecordableReturn,
    {
        TagValue::Str(Cow::Owned(format!("{:?}", self.0)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    #[allow(dead_code)] // read through `Debug`
    struct OnlyDebug(u8);

    struct Both;
    impl Display for Both {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("display")
        }
    }
    impl Debug for Both {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("debug")
        }
    }

    #[test]
    #[allow(clippy::needless_borrow)] // the borrows select the impl, as in the expansion
    fn picks_typed_then_display_then_debug() {
        let n = 7u64;
        let s: &str = &String::from("ann");
        assert_eq!((&&&TagWrap(&n)).__trace_tag(), TagValue::Int(7));
        assert_eq!((&&&TagWrap(&s)).__trace_tag(), TagValue::Str("ann".into()));
        assert_eq!(
            (&&&TagWrap(&Both)).__trace_tag(),
            TagValue::Str("display".into())
        );
        assert_eq!(
            (&&&RetWrap(&OnlyDebug(1))).__trace_ret(),
            TagValue::Str("OnlyDebug(1)".into())
        );
        assert_eq!(
            (&&&RetWrap(&Some(2))).__trace_ret(),
            TagValue::Str("Some(2)".into())
        );
    }
}
