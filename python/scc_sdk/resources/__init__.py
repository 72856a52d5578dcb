"""``scc_sdk.resources``: the resource classes where cisco-scc-sdk keeps them
(``from scc_sdk.resources.users import UsersResource``); the same classes as ``client.users`` is."""

from .._resources import (
    AsyncGroupsResource,
    AsyncOrganizationsResource,
    AsyncRolesResource,
    AsyncSubscriptionsResource,
    AsyncTokensResource,
    AsyncUsersResource,
    BaseResource,
    GroupsResource,
    OrganizationsResource,
    RolesResource,
    SubscriptionsResource,
    TokensResource,
    UsersResource,
)

__all__ = [
    "BaseResource",
    "OrganizationsResource",
    "SubscriptionsResource",
    "GroupsResource",
    "UsersResource",
    "RolesResource",
    "TokensResource",
    "AsyncOrganizationsResource",
    "AsyncSubscriptionsResource",
    "AsyncGroupsResource",
    "AsyncUsersResource",
    "AsyncRolesResource",
    "AsyncTokensResource",
]
