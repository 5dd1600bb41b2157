//! The instance profiles family: Create/Get/List/DeleteInstanceProfile, ListInstanceProfilesForRole,
//! Add/RemoveRoleFromInstanceProfile and the profile's tags.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use super::roles::basic_role_shape;
use crate::api::generated::iam::InstanceProfilesApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::instance_profiles::{self as profiles, Described};
use crate::domain::tagging;

/// A profile as AWS shows it: its roles in the basic role shape (path, name, id, ARN, date, trust policy).
pub(crate) fn profile_shape(d: Described, tags: Option<Vec<iam::Tag>>) -> iam::InstanceProfile {
    let arn = d.profile.arn();
    iam::InstanceProfile {
        path: d.profile.path,
        instance_profile_name: d.profile.name,
        instance_profile_id: d.profile.instance_profile_id,
        arn,
        create_date: timestamp(d.profile.created_at),
        roles: d.roles.iter().map(basic_role_shape).collect(),
        tags,
    }
}

fn page_response(
    page: crate::domain::paging::Page<Described>,
) -> (Vec<iam::InstanceProfile>, Option<bool>, Option<String>) {
    let truncated = Some(page.is_truncated());
    // The listings show no tags (recorded: no Tags member).
    let items = page.items.into_iter().map(|d| profile_shape(d, None)).collect();
    (items, truncated, page.next_marker)
}

impl InstanceProfilesApi for Gatehouse {
    async fn create_instance_profile(
        &self,
        ctx: &Ctx,
        input: iam::CreateInstanceProfileRequest,
    ) -> Result<iam::CreateInstanceProfileResponse, AwsError> {
        let tags = tagging::from_wire(input.tags.as_deref().unwrap_or_default());
        let (profile, tags) = profiles::create(ctx, &input.instance_profile_name, input.path.as_deref(), tags).await?;
        // Recorded: Tags only when some were given.
        let tags = (!tags.is_empty()).then(|| tagging::to_wire(tags));
        Ok(iam::CreateInstanceProfileResponse {
            instance_profile: profile_shape(Described { profile, roles: Vec::new() }, tags),
        })
    }

    async fn get_instance_profile(
        &self,
        ctx: &Ctx,
        input: iam::GetInstanceProfileRequest,
    ) -> Result<iam::GetInstanceProfileResponse, AwsError> {
        let (described, tags) = profiles::get(ctx, &input.instance_profile_name).await?;
        // Recorded: GetInstanceProfile always shows Tags, `[]` when there are none.
        Ok(iam::GetInstanceProfileResponse { instance_profile: profile_shape(described, Some(tagging::to_wire(tags))) })
    }

    async fn list_instance_profiles(
        &self,
        ctx: &Ctx,
        input: iam::ListInstanceProfilesRequest,
    ) -> Result<iam::ListInstanceProfilesResponse, AwsError> {
        let page = profiles::list(ctx, input.path_prefix.as_deref(), input.marker.as_deref(), input.max_items).await?;
        let (instance_profiles, is_truncated, marker) = page_response(page);
        Ok(iam::ListInstanceProfilesResponse { instance_profiles, is_truncated, marker })
    }

    async fn list_instance_profiles_for_role(
        &self,
        ctx: &Ctx,
        input: iam::ListInstanceProfilesForRoleRequest,
    ) -> Result<iam::ListInstanceProfilesForRoleResponse, AwsError> {
        let page = profiles::list_for_role(ctx, &input.role_name, input.marker.as_deref(), input.max_items).await?;
        let (instance_profiles, is_truncated, marker) = page_response(page);
        Ok(iam::ListInstanceProfilesForRoleResponse { instance_profiles, is_truncated, marker })
    }

    async fn delete_instance_profile(
        &self,
        ctx: &Ctx,
        input: iam::DeleteInstanceProfileRequest,
    ) -> Result<(), AwsError> {
        profiles::delete(ctx, &input.instance_profile_name).await
    }

    async fn add_role_to_instance_profile(
        &self,
        ctx: &Ctx,
        input: iam::AddRoleToInstanceProfileRequest,
    ) -> Result<(), AwsError> {
        profiles::add_role(ctx, &input.instance_profile_name, &input.role_name).await
    }

    async fn remove_role_from_instance_profile(
        &self,
        ctx: &Ctx,
        input: iam::RemoveRoleFromInstanceProfileRequest,
    ) -> Result<(), AwsError> {
        profiles::remove_role(ctx, &input.instance_profile_name, &input.role_name).await
    }

    async fn tag_instance_profile(&self, ctx: &Ctx, input: iam::TagInstanceProfileRequest) -> Result<(), AwsError> {
        let tags = tagging::from_wire(&input.tags);
        tagging::tag::<profiles::InstanceProfileTags>(ctx, "iam:TagInstanceProfile", &input.instance_profile_name, tags)
            .await
    }

    async fn untag_instance_profile(&self, ctx: &Ctx, input: iam::UntagInstanceProfileRequest) -> Result<(), AwsError> {
        let (name, keys) = (&input.instance_profile_name, &input.tag_keys);
        tagging::untag::<profiles::InstanceProfileTags>(ctx, "iam:UntagInstanceProfile", name, keys).await
    }

    async fn list_instance_profile_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListInstanceProfileTagsRequest,
    ) -> Result<iam::ListInstanceProfileTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let name = &input.instance_profile_name;
        let page =
            tagging::list::<profiles::InstanceProfileTags>(ctx, "iam:ListInstanceProfileTags", name, marker, max_items)
                .await?;
        Ok(iam::ListInstanceProfileTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
