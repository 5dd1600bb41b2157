//! The SAML providers family: Create/Get/List/Update/DeleteSAMLProvider and the provider's tags.

use gatehouse_wire::iam;
use gatehouse_wire::AwsError;

use crate::api::generated::iam::SamlProvidersApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::saml_providers::{self as saml, SamlProviderTags};
use crate::domain::tagging;
use crate::store::saml_providers::EncryptionMode;

fn mode_from_wire(mode: iam::AssertionEncryptionModeType) -> EncryptionMode {
    match mode {
        iam::AssertionEncryptionModeType::Required => EncryptionMode::Required,
        iam::AssertionEncryptionModeType::Allowed => EncryptionMode::Allowed,
    }
}

fn mode_to_wire(mode: EncryptionMode) -> iam::AssertionEncryptionModeType {
    match mode {
        EncryptionMode::Required => iam::AssertionEncryptionModeType::Required,
        EncryptionMode::Allowed => iam::AssertionEncryptionModeType::Allowed,
    }
}

impl SamlProvidersApi for Gatehouse {
    async fn create_saml_provider(
        &self,
        ctx: &Ctx,
        input: iam::CreateSAMLProviderRequest,
    ) -> Result<iam::CreateSAMLProviderResponse, AwsError> {
        let tags = tagging::from_wire(input.tags.as_deref().unwrap_or_default());
        let given_tags = !tags.is_empty();
        let wire_tags = tagging::to_wire(tags.clone());
        let mode = input.assertion_encryption_mode.map(mode_from_wire);
        let key = input.add_private_key.as_ref().map(|k| k.expose().as_str());
        let provider = saml::create(ctx, &input.name, &input.saml_metadata_document, mode, key, tags).await?;
        Ok(iam::CreateSAMLProviderResponse {
            saml_provider_arn: Some(provider.arn()),
            tags: given_tags.then_some(wire_tags),
        })
    }

    async fn get_saml_provider(
        &self,
        ctx: &Ctx,
        input: iam::GetSAMLProviderRequest,
    ) -> Result<iam::GetSAMLProviderResponse, AwsError> {
        let (d, tags) = saml::get(ctx, &input.saml_provider_arn).await?;
        let keys = d
            .private_keys
            .into_iter()
            .map(|k| iam::SAMLPrivateKey { key_id: Some(k.key_id), timestamp: Some(timestamp(k.created_at)) })
            .collect();
        // Recorded: every member present, PrivateKeyList and Tags `[]` when empty.
        Ok(iam::GetSAMLProviderResponse {
            saml_provider_uuid: Some(d.provider.provider_id),
            saml_metadata_document: Some(d.provider.metadata),
            create_date: Some(timestamp(d.provider.created_at)),
            valid_until: Some(timestamp(d.provider.valid_until)),
            tags: Some(tagging::to_wire(tags)),
            assertion_encryption_mode: Some(mode_to_wire(d.provider.encryption_mode)),
            private_key_list: Some(keys),
        })
    }

    async fn list_saml_providers(
        &self,
        ctx: &Ctx,
        _input: iam::ListSAMLProvidersRequest,
    ) -> Result<iam::ListSAMLProvidersResponse, AwsError> {
        let list = saml::list(ctx)
            .await?
            .into_iter()
            .map(|p| iam::SAMLProviderListEntry {
                arn: Some(p.arn()),
                valid_until: Some(timestamp(p.valid_until)),
                create_date: Some(timestamp(p.created_at)),
            })
            .collect();
        Ok(iam::ListSAMLProvidersResponse { saml_provider_list: Some(list) })
    }

    async fn update_saml_provider(
        &self,
        ctx: &Ctx,
        input: iam::UpdateSAMLProviderRequest,
    ) -> Result<iam::UpdateSAMLProviderResponse, AwsError> {
        let change = saml::Update {
            metadata: input.saml_metadata_document.as_deref(),
            mode: input.assertion_encryption_mode.map(mode_from_wire),
            add_private_key: input.add_private_key.as_ref().map(|k| k.expose().as_str()),
            remove_private_key: input.remove_private_key.as_deref(),
        };
        let provider = saml::update(ctx, &input.saml_provider_arn, change).await?;
        Ok(iam::UpdateSAMLProviderResponse { saml_provider_arn: Some(provider.arn()) })
    }

    async fn delete_saml_provider(&self, ctx: &Ctx, input: iam::DeleteSAMLProviderRequest) -> Result<(), AwsError> {
        saml::delete(ctx, &input.saml_provider_arn).await
    }

    async fn tag_saml_provider(&self, ctx: &Ctx, input: iam::TagSAMLProviderRequest) -> Result<(), AwsError> {
        let tags = tagging::from_wire(&input.tags);
        tagging::tag::<SamlProviderTags>(ctx, "iam:TagSAMLProvider", &input.saml_provider_arn, tags).await
    }

    async fn untag_saml_provider(&self, ctx: &Ctx, input: iam::UntagSAMLProviderRequest) -> Result<(), AwsError> {
        let (arn, keys) = (&input.saml_provider_arn, &input.tag_keys);
        tagging::untag::<SamlProviderTags>(ctx, "iam:UntagSAMLProvider", arn, keys).await
    }

    async fn list_saml_provider_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListSAMLProviderTagsRequest,
    ) -> Result<iam::ListSAMLProviderTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let arn = &input.saml_provider_arn;
        let page = tagging::list::<SamlProviderTags>(ctx, "iam:ListSAMLProviderTags", arn, marker, max_items).await?;
        Ok(iam::ListSAMLProviderTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
