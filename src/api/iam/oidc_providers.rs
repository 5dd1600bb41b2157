//! The OpenID Connect providers family: Create/Get/List/DeleteOpenIDConnectProvider, Add/RemoveClientID...,
//! UpdateOpenIDConnectProviderThumbprint and the provider's tags.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::OidcProvidersApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::oidc_providers::{self as oidc, OidcProviderTags};
use crate::domain::tagging;

impl OidcProvidersApi for Gatehouse {
    async fn create_open_id_connect_provider(
        &self,
        ctx: &Ctx,
        input: iam::CreateOpenIDConnectProviderRequest,
    ) -> Result<iam::CreateOpenIDConnectProviderResponse, AwsError> {
        let tags = tagging::from_wire(input.tags.as_deref().unwrap_or_default());
        let client_ids = input.client_id_list.unwrap_or_default();
        // With no ThumbprintList AWS now fetches the issuer's certificate; a self-hosted server fetches nothing and
        // stores none (see the README).
        let thumbprints = input.thumbprint_list.unwrap_or_default();
        let (provider, tags) = oidc::create(ctx, &input.url, client_ids, thumbprints, tags).await?;
        Ok(iam::CreateOpenIDConnectProviderResponse {
            open_id_connect_provider_arn: Some(provider.arn()),
            // As the other Create operations: Tags only when some were given.
            tags: (!tags.is_empty()).then(|| tagging::to_wire(tags)),
        })
    }

    async fn get_open_id_connect_provider(
        &self,
        ctx: &Ctx,
        input: iam::GetOpenIDConnectProviderRequest,
    ) -> Result<iam::GetOpenIDConnectProviderResponse, AwsError> {
        let (d, tags) = oidc::get(ctx, &input.open_id_connect_provider_arn).await?;
        // Recorded: Url without its scheme, both lists and Tags always present (`[]` when empty).
        Ok(iam::GetOpenIDConnectProviderResponse {
            url: Some(d.provider.url),
            client_id_list: Some(d.client_ids),
            thumbprint_list: Some(d.thumbprints),
            create_date: Some(timestamp(d.provider.created_at)),
            tags: Some(tagging::to_wire(tags)),
        })
    }

    async fn list_open_id_connect_providers(
        &self,
        ctx: &Ctx,
        _input: iam::ListOpenIDConnectProvidersRequest,
    ) -> Result<iam::ListOpenIDConnectProvidersResponse, AwsError> {
        let providers = oidc::list(ctx).await?;
        let list = providers.iter().map(|p| iam::OpenIDConnectProviderListEntry { arn: Some(p.arn()) }).collect();
        Ok(iam::ListOpenIDConnectProvidersResponse { open_id_connect_provider_list: Some(list) })
    }

    async fn delete_open_id_connect_provider(
        &self,
        ctx: &Ctx,
        input: iam::DeleteOpenIDConnectProviderRequest,
    ) -> Result<(), AwsError> {
        oidc::delete(ctx, &input.open_id_connect_provider_arn).await
    }

    async fn add_client_id_to_open_id_connect_provider(
        &self,
        ctx: &Ctx,
        input: iam::AddClientIDToOpenIDConnectProviderRequest,
    ) -> Result<(), AwsError> {
        oidc::add_client_id(ctx, &input.open_id_connect_provider_arn, &input.client_id).await
    }

    async fn remove_client_id_from_open_id_connect_provider(
        &self,
        ctx: &Ctx,
        input: iam::RemoveClientIDFromOpenIDConnectProviderRequest,
    ) -> Result<(), AwsError> {
        oidc::remove_client_id(ctx, &input.open_id_connect_provider_arn, &input.client_id).await
    }

    async fn update_open_id_connect_provider_thumbprint(
        &self,
        ctx: &Ctx,
        input: iam::UpdateOpenIDConnectProviderThumbprintRequest,
    ) -> Result<(), AwsError> {
        oidc::update_thumbprints(ctx, &input.open_id_connect_provider_arn, &input.thumbprint_list).await
    }

    async fn tag_open_id_connect_provider(
        &self,
        ctx: &Ctx,
        input: iam::TagOpenIDConnectProviderRequest,
    ) -> Result<(), AwsError> {
        let tags = tagging::from_wire(&input.tags);
        let arn = &input.open_id_connect_provider_arn;
        tagging::tag::<OidcProviderTags>(ctx, "iam:TagOpenIDConnectProvider", arn, tags).await
    }

    async fn untag_open_id_connect_provider(
        &self,
        ctx: &Ctx,
        input: iam::UntagOpenIDConnectProviderRequest,
    ) -> Result<(), AwsError> {
        let (arn, keys) = (&input.open_id_connect_provider_arn, &input.tag_keys);
        tagging::untag::<OidcProviderTags>(ctx, "iam:UntagOpenIDConnectProvider", arn, keys).await
    }

    async fn list_open_id_connect_provider_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListOpenIDConnectProviderTagsRequest,
    ) -> Result<iam::ListOpenIDConnectProviderTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let arn = &input.open_id_connect_provider_arn;
        let page =
            tagging::list::<OidcProviderTags>(ctx, "iam:ListOpenIDConnectProviderTags", arn, marker, max_items).await?;
        Ok(iam::ListOpenIDConnectProviderTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
