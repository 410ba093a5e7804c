//! DynamoDB's item size, computed the way the service documents it (attribute names plus values;
//! numbers, maps and lists with their overhead), rounded up so that an item this accepts is never
//! refused by the server for its size.

use aws_sdk_dynamodb::types::AttributeValue;

use super::Item;

/// DynamoDB's maximum item size: 400 KB, attribute names included.
pub(crate) const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The size of a whole item.
pub(crate) fn item_size(item: &Item) -> usize {
    item.iter().map(|(k, v)| k.len() + value_size(v)).sum()
}

/// The size of one value. Numbers are counted at one byte per character, more than the service's
/// "about one byte per two digits plus one", so the estimate errs on the safe side.
pub(crate) fn value_size(value: &AttributeValue) -> usize {
    match value {
        AttributeValue::S(s) | AttributeValue::N(s) => s.len(),
        AttributeValue::B(b) => b.as_ref().len(),
        AttributeValue::Bool(_) | AttributeValue::Null(_) => 1,
        AttributeValue::Ss(v) | AttributeValue::Ns(v) => v.iter().map(String::len).sum(),
        AttributeValue::Bs(v) => v.iter().map(|b| b.as_ref().len()).sum(),
        AttributeValue::M(m) => {
            3 + m
                .iter()
                .map(|(k, v)| 1 + k.len() + value_size(v))
                .sum::<usize>()
        }
        AttributeValue::L(l) => 3 + l.iter().map(|v| 1 + value_size(v)).sum::<usize>(),
        // A value type newer than this code: count it as large so it is never under-estimated.
        _ => MAX_ITEM_BYTES,
    }
}
