"""``scc_sdk.resources.organizations``: as in cisco-scc-sdk."""

from .._resources import AsyncOrganizationsResource, OrganizationsResource

__all__ = ["AsyncOrganizationsResource", "OrganizationsResource"]
