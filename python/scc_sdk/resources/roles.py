"""``scc_sdk.resources.roles``: as in cisco-scc-sdk."""

from .._resources import AsyncRolesResource, RolesResource

__all__ = ["AsyncRolesResource", "RolesResource"]
