"""``scc_sdk.resources.groups``: as in cisco-scc-sdk."""

from .._resources import AsyncGroupsResource, GroupsResource

__all__ = ["AsyncGroupsResource", "GroupsResource"]
