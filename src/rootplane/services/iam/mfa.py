"""Virtual MFA devices (real RFC 6238 TOTP) for IAM users and the root user.

Which codes are accepted (windows, single use, lockout) is decided in one place: services/iam/mfa_check.py.
"""

from __future__ import annotations

import re
from typing import Any

from rootplane.core.arn import root_arn
from rootplane.services.accounts import repo as accounts
from rootplane.services.context import RequestContext
from rootplane.services.iam import entities, errors, inputs, repo, shapes, totp
from rootplane.services.iam.entities import Target
from rootplane.services.iam.mfa_check import ENABLE_WINDOW, RESYNC_WINDOW, accept_pair
from rootplane.services.iam.quotas import MFA_DEVICES_PER_USER
from rootplane.services.iam.tables import MfaDeviceRow
from rootplane.services.signin import repo as signin

__all__ = ["MfaMixin"]

_INVALID_FOR_USER = "MFA Device invalid for user."
_FIDO_SERIAL = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:u2f/")


def _device(ctx: RequestContext, serial_number: str) -> MfaDeviceRow:
    device = repo.find_mfa_device(ctx.session, serial_number)
    if device is None or device.account_id != ctx.account_id:
        raise errors.no_such_entity(f"VirtualMFADevice with serial number {serial_number} doesn't exist.")
    return device


def _owned_device(ctx: RequestContext, target: Target, serial_number: str) -> MfaDeviceRow:
    device = repo.find_mfa_device(ctx.session, serial_number)
    if device is None or device.account_id != ctx.account_id or device.owner_id != target.owner_id:
        raise errors.no_such_entity(_INVALID_FOR_USER)
    return device


def _root_user_shape(ctx: RequestContext) -> dict[str, Any]:
    account = accounts.find_account(ctx.session, ctx.account_id)
    return {"UserId": ctx.account_id, "Arn": root_arn(ctx.account_id),
            "CreateDate": account.created_at if account is not None else ctx.now()}


def _virtual_shape(ctx: RequestContext, device: MfaDeviceRow) -> dict[str, Any]:
    """A VirtualMFADevice without its seed, QR code or tags (as ListVirtualMFADevices answers)."""
    shape: dict[str, Any] = {"SerialNumber": device.serial_number}
    if device.owner_id is not None:
        user = repo.user_by_id(ctx.session, device.owner_id)
        shape["User"] = shapes.user(user) if user is not None else _root_user_shape(ctx)
        shape["EnableDate"] = device.enabled_at
    return shape


class MfaMixin:
    def create_virtual_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        name = params["VirtualMFADeviceName"]
        path = inputs.check_path(params.get("Path"))
        serial = f"arn:aws:iam::{ctx.account_id}:mfa{path}{name}"
        if repo.find_mfa_device(ctx.session, serial) is not None:
            raise errors.already_exists("MFA device already exists.")
        seed = totp.new_seed()
        account_name = ctx.principal.name if ctx.principal.kind == "IAMUser" and ctx.principal.name else ctx.account_id
        try:
            qr_code = totp.qr_png(totp.provisioning_uri(name, account_name, seed))
        except totp.TooLongForQrCode:
            raise errors.validation(f"The virtual MFA device name {name[:64]}... is too long to be provisioned "
                                    "as a QR code.") from None
        device = repo.put(ctx.session, MfaDeviceRow(
            serial_number=serial, account_id=ctx.account_id, seed=seed, created_at=ctx.now(),
            tag_list=inputs.merge_tags([], params.get("Tags")), drift=0, used_steps=[], failed_attempts=0,
        ))
        shape = _virtual_shape(ctx, device)
        shape["Base32StringSeed"] = seed.encode()
        shape["QRCodePNG"] = qr_code
        if device.tag_list:
            shape["Tags"] = shapes.tags(device.tag_list)  # recorded: CreateVirtualMFADevice echoes them, lists do not
        return {"VirtualMFADevice": shape}

    def enable_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"))
        device = _device(ctx, params["SerialNumber"])
        if device.owner_id == target.owner_id:
            raise errors.already_exists(f"MFA Device for user {target.user_name or 'root'} already exists.")
        if device.owner_id is not None:
            raise errors.already_exists("MFA Device is already in use.")
        if repo.count_mfa_devices(ctx.session, ctx.account_id, target.owner_id) >= MFA_DEVICES_PER_USER:
            raise errors.limit_exceeded(f"Cannot exceed quota for MFADevicesPerUser: {MFA_DEVICES_PER_USER}")
        now_step = totp.step_of(ctx.now())
        if not accept_pair(device, params["AuthenticationCode1"], params["AuthenticationCode2"],
                           range(now_step - ENABLE_WINDOW, now_step + 1), now_step):
            raise errors.invalid_code()
        device.owner_id, device.enabled_at = target.owner_id, ctx.now()
        return None

    def resync_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"))
        device = _owned_device(ctx, target, params["SerialNumber"])
        now_step = totp.step_of(ctx.now())
        if not accept_pair(device, params["AuthenticationCode1"], params["AuthenticationCode2"],
                           range(now_step - RESYNC_WINDOW, now_step + RESYNC_WINDOW + 1), now_step):
            raise errors.invalid_code()
        return None

    def deactivate_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        target = entities.credential_target(ctx, params.get("UserName"), root_session_only=True)
        serial_number = params["SerialNumber"]
        if target.is_root and signin.delete_passkey(ctx.session, ctx.account_id, serial_number):
            return None  # a root passkey or security key: deactivating removes it (there is no device left to delete)
        device = _owned_device(ctx, target, serial_number)
        device.owner_id, device.enabled_at, device.drift = None, None, 0
        return None

    def delete_virtual_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        device = _device(ctx, params["SerialNumber"])
        if device.owner_id is not None:
            raise errors.delete_conflict("MFA VirtualDevice in use. Must deactivate first.")
        repo.remove(ctx.session, device)
        return None

    def list_mfa_devices(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        target = entities.reading_target(ctx, params.get("UserName"))
        page = repo.list_enabled_mfa_devices(ctx.session, ctx.account_id, target.owner_id, params.get("Marker"),
                                             params.get("MaxItems"))
        items = []
        for device in page.rows:
            item = {"SerialNumber": device.serial_number, "EnableDate": device.enable_date}
            if target.user_name:
                item["UserName"] = target.user_name
            items.append(item)
        return shapes.listing("MFADevices", items, page)

    def list_virtual_mfa_devices(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        page = repo.list_virtual_mfa_devices(ctx.session, ctx.account_id, params.get("AssignmentStatus") or "Any",
                                             params.get("Marker"), params.get("MaxItems"))
        return shapes.listing("VirtualMFADevices", [_virtual_shape(ctx, d) for d in page.rows], page)

    def get_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        """A FIDO device (passkey or security key, ``u2f`` serial): only the root user has them here (the console
        registers them). ``Certifications`` is left out: AWS takes it from the FIDO Alliance Metadata Service, of
        which this server has no copy."""
        serial_number = params["SerialNumber"]
        if not _FIDO_SERIAL.match(serial_number):
            raise errors.validation(
                "The MFA device serial number sent in the request is invalid or not supported by this API. "
                "Currently, only hardware FIDO security keys are supported. Please use the compatible device or API.")
        target = entities.reading_target(ctx, params.get("UserName"))
        passkey = signin.find_passkey_by_serial(ctx.session, ctx.account_id, serial_number) if target.is_root else None
        if passkey is None:
            raise errors.no_such_entity(_INVALID_FOR_USER)
        shape: dict[str, Any] = {"SerialNumber": passkey.serial_number, "EnableDate": passkey.created_at}
        if target.user_name:
            shape["UserName"] = target.user_name
        return shape

    def tag_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        device = _device(ctx, params["SerialNumber"])
        device.tag_list = inputs.merge_tags(device.tag_list, params["Tags"])
        return None

    def untag_mfa_device(self, ctx: RequestContext, params: dict[str, Any]) -> None:
        device = _device(ctx, params["SerialNumber"])
        device.tag_list = inputs.remove_tags(device.tag_list, params["TagKeys"])
        return None

    def list_mfa_device_tags(self, ctx: RequestContext, params: dict[str, Any]) -> dict[str, Any]:
        return shapes.tag_page(_device(ctx, params["SerialNumber"]).tag_list, params)
