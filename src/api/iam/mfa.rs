//! The MFA family: virtual MFA devices (Create, Delete, ListVirtual), their use by users (Enable, Deactivate,
//! Resync, List, Get) and their tags.

use gatehouse_wire::iam;
use gatehouse_wire::{AwsError, Secret};

use super::users::user_shape;
use crate::api::generated::iam::MfaApi;
use crate::api::{timestamp, Ctx, Gatehouse};
use crate::domain::mfa_devices::{self, Assigned, MfaDeviceTags};
use crate::domain::tagging;

fn mfa_device_shape(a: Assigned) -> iam::MFADevice {
    iam::MFADevice {
        user_name: a.user.name,
        serial_number: a.device.serial_number,
        enable_date: timestamp(a.device.enabled_at.unwrap_or(a.device.created_at)),
    }
}

impl MfaApi for Gatehouse {
    async fn create_virtual_mfa_device(
        &self,
        ctx: &Ctx,
        input: iam::CreateVirtualMFADeviceRequest,
    ) -> Result<iam::CreateVirtualMFADeviceResponse, AwsError> {
        let tags = tagging::from_wire(input.tags.as_deref().unwrap_or_default());
        let created = mfa_devices::create(ctx, input.path.as_deref(), &input.virtual_mfa_device_name, tags).await?;
        // The seed and the QR code are shown this once; the seed is the Base32 text (a blob of its characters).
        Ok(iam::CreateVirtualMFADeviceResponse {
            virtual_mfa_device: iam::VirtualMFADevice {
                serial_number: created.device.serial_number,
                base32_string_seed: Some(Secret::new(created.base32_seed.as_bytes().to_vec())),
                qr_code_png: Some(Secret::new(created.qr_png)),
                user: None,
                enable_date: None,
                tags: (!created.tags.is_empty()).then(|| tagging::to_wire(created.tags)),
            },
        })
    }

    async fn enable_mfa_device(&self, ctx: &Ctx, input: iam::EnableMFADeviceRequest) -> Result<(), AwsError> {
        let (code1, code2) = (input.authentication_code1.expose(), input.authentication_code2.expose());
        mfa_devices::enable(ctx, &input.user_name, &input.serial_number, code1, code2).await
    }

    async fn resync_mfa_device(&self, ctx: &Ctx, input: iam::ResyncMFADeviceRequest) -> Result<(), AwsError> {
        let (code1, code2) = (input.authentication_code1.expose(), input.authentication_code2.expose());
        mfa_devices::resync(ctx, &input.user_name, &input.serial_number, code1, code2).await
    }

    async fn deactivate_mfa_device(&self, ctx: &Ctx, input: iam::DeactivateMFADeviceRequest) -> Result<(), AwsError> {
        mfa_devices::deactivate(ctx, input.user_name.as_deref(), &input.serial_number).await
    }

    async fn delete_virtual_mfa_device(
        &self,
        ctx: &Ctx,
        input: iam::DeleteVirtualMFADeviceRequest,
    ) -> Result<(), AwsError> {
        mfa_devices::delete(ctx, &input.serial_number).await
    }

    async fn list_mfa_devices(
        &self,
        ctx: &Ctx,
        input: iam::ListMFADevicesRequest,
    ) -> Result<iam::ListMFADevicesResponse, AwsError> {
        let page =
            mfa_devices::list_for_user(ctx, input.user_name.as_deref(), input.marker.as_deref(), input.max_items)
                .await?;
        Ok(iam::ListMFADevicesResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker,
            mfa_devices: page.items.into_iter().map(mfa_device_shape).collect(),
        })
    }

    async fn list_virtual_mfa_devices(
        &self,
        ctx: &Ctx,
        input: iam::ListVirtualMFADevicesRequest,
    ) -> Result<iam::ListVirtualMFADevicesResponse, AwsError> {
        let assigned = match input.assignment_status {
            Some(iam::AssignmentStatusType::Assigned) => Some(true),
            Some(iam::AssignmentStatusType::Unassigned) => Some(false),
            _ => None,
        };
        let page = mfa_devices::list_virtual(ctx, assigned, input.marker.as_deref(), input.max_items).await?;
        let devices = page
            .items
            .into_iter()
            .map(|l| iam::VirtualMFADevice {
                serial_number: l.device.serial_number,
                base32_string_seed: None,
                qr_code_png: None,
                enable_date: l.device.enabled_at.map(timestamp),
                user: l.user.map(|u| user_shape(u, Vec::new())),
                tags: (!l.tags.is_empty()).then(|| tagging::to_wire(l.tags)),
            })
            .collect();
        Ok(iam::ListVirtualMFADevicesResponse {
            is_truncated: Some(page.next_marker.is_some()),
            marker: page.next_marker,
            virtual_mfa_devices: devices,
        })
    }

    async fn get_mfa_device(
        &self,
        ctx: &Ctx,
        input: iam::GetMFADeviceRequest,
    ) -> Result<iam::GetMFADeviceResponse, AwsError> {
        let a = mfa_devices::get(ctx, &input.serial_number, input.user_name.as_deref()).await?;
        // Certifications describe FIDO security keys; a virtual device has none.
        Ok(iam::GetMFADeviceResponse {
            user_name: Some(a.user.name),
            serial_number: a.device.serial_number,
            enable_date: a.device.enabled_at.map(timestamp),
            certifications: None,
        })
    }

    async fn tag_mfa_device(&self, ctx: &Ctx, input: iam::TagMFADeviceRequest) -> Result<(), AwsError> {
        let tags = tagging::from_wire(&input.tags);
        tagging::tag::<MfaDeviceTags>(ctx, "iam:TagMFADevice", &input.serial_number, tags).await
    }

    async fn untag_mfa_device(&self, ctx: &Ctx, input: iam::UntagMFADeviceRequest) -> Result<(), AwsError> {
        tagging::untag::<MfaDeviceTags>(ctx, "iam:UntagMFADevice", &input.serial_number, &input.tag_keys).await
    }

    async fn list_mfa_device_tags(
        &self,
        ctx: &Ctx,
        input: iam::ListMFADeviceTagsRequest,
    ) -> Result<iam::ListMFADeviceTagsResponse, AwsError> {
        let (marker, max_items) = (input.marker.as_deref(), input.max_items);
        let page =
            tagging::list::<MfaDeviceTags>(ctx, "iam:ListMFADeviceTags", &input.serial_number, marker, max_items)
                .await?;
        Ok(iam::ListMFADeviceTagsResponse {
            is_truncated: Some(page.is_truncated()),
            marker: page.next_marker.clone(),
            tags: tagging::to_wire(page.items),
        })
    }
}
