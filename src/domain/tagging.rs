//! Tag rules shared by every taggable entity: keys unique regardless of case, at most 50 per resource.

use gatehouse_wire::AwsError;

use crate::store::tags::Tag;

pub const MAX_TAGS_PER_RESOURCE: usize = 50;

/// Rejects a request that names one key twice (IAM compares keys without regard to case).
pub fn check_unique_keys<'a>(keys: impl Iterator<Item = &'a str>) -> Result<(), AwsError> {
    let mut seen = std::collections::HashSet::new();
    for k in keys {
        if !seen.insert(k.to_lowercase()) {
            return Err(crate::errors::duplicate_tag_keys());
        }
    }
    Ok(())
}

pub fn from_wire(tags: &[gatehouse_wire::iam::Tag]) -> Vec<Tag> {
    tags.iter().map(|t| Tag { key: t.key.clone(), value: t.value.clone() }).collect()
}

pub fn to_wire(tags: Vec<Tag>) -> Vec<gatehouse_wire::iam::Tag> {
    tags.into_iter().map(|t| gatehouse_wire::iam::Tag { key: t.key, value: t.value }).collect()
}
