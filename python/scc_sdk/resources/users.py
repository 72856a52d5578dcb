"""``scc_sdk.resources.users``: as in cisco-scc-sdk."""

from .._resources import AsyncUsersResource, UsersResource

__all__ = ["AsyncUsersResource", "UsersResource"]
