"""The resources of the seed's API (organizations, subscriptions, users, groups, roles, tokens).

Each method translates the seed's arguments and hands them to the Rust SDK's operation of the same
name; the Rust side checks them, builds the request and sends it. One implementation serves both
clients: the client's ``_send`` returns the value (``Client``) or an awaitable (``AsyncClient``).
Precise signatures for both are in ``_resources.pyi``.
"""

from __future__ import annotations

import json
import warnings
from typing import Any, Callable, Dict, List, Optional

from . import _native
from .exceptions import ValidationError

_ORGANIZATION_TYPES = {"STANDALONE", "MANAGER", "MANAGED"}
_SUBSCRIPTION_TYPES = {"trial", "free", "paid"}
_APPLIES_TO = {"all": "all", "manager": "manager", "selected_managed": "selected_managed",
               # The seed's usage example writes the stale value SOME_MANAGED (REFERENCE §C17).
               "some_managed": "selected_managed"}


def _refuse(field: str, reason: str) -> ValidationError:
    return ValidationError(f"invalid input: `{field}` {reason}", field=field)


def _true(_: Any) -> bool:
    return True


class _Resource:
    def __init__(self, client: Any) -> None:
        self._send: Callable[..., Any] = client._send

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


class OrganizationsResource(_Resource):
    """Organizations: list, get, create, update."""

    def list(self, name: Optional[str] = None, type: Optional[str] = None, region_code: Optional[str] = None,
             country_code: Optional[str] = None, manager_org_id: Optional[str] = None, max: int = 100,
             cursor: Optional[str] = None, sort_by: Optional[str] = None, order: Optional[str] = None) -> Any:
        """List organizations with optional filtering and pagination (``max`` 1..500)."""
        return self._send("organizations.list", {
            "name": name, "type": type, "region_code": region_code, "country_code": country_code,
            "manager_org_id": manager_org_id, "max": max, "cursor": cursor, "sort_by": sort_by, "order": order,
        })

    def get(self, org_id: str) -> Any:
        """Get an organization by id."""
        return self._send("organizations.get", {"org_id": org_id})

    def create(self, name: str, region_code: str, type: str = "STANDALONE") -> Any:
        """Create an organization (region ``NAM``, ``EMEA`` or ``APJC``)."""
        return self._send("organizations.create", {"name": name, "region_code": region_code, "type": type})

    def update(self, org_id: str, name: str) -> Any:
        """Rename an organization."""
        return self._send("organizations.update", {"org_id": org_id, "name": name})


class SubscriptionsResource(_Resource):
    """Subscriptions and claim codes."""

    def list(self, org_id: str, name: Optional[str] = None) -> Any:
        """List the organization's subscriptions (the list itself, as the seed documents)."""
        return self._send("subscriptions.list", {"org_id": org_id, "name": name},
                          lambda body: body.get("subscriptions", []) if isinstance(body, dict) else body)

    def get(self, org_id: str, subscription_id: str) -> Any:
        """Get a subscription by id."""
        return self._send("subscriptions.get", {"org_id": org_id, "subscription_id": subscription_id})

    def create(self, org_id: str, claim_code: str, products: Optional[List[Dict[str, Any]]] = None,
               type: Optional[str] = None) -> Any:
        """Claim a subscription with a claim code; ``products`` usually comes from
        :meth:`build_products_from_claim_info`."""
        if isinstance(products, str) and type is None:
            # cisco-scc-sdk 1.0.6 put `type` third: create(org_id, claim_code, "trial").
            products, type = None, products
        if type is not None and type.upper() in _ORGANIZATION_TYPES:
            warnings.warn(
                f"subscriptions.create(type={type!r}): {type!r} is an organization type, not a subscription "
                "type (trial, free or paid); it is not sent. Drop the argument.",
                DeprecationWarning, stacklevel=2)
            type = None
        elif type is not None and type.lower() not in _SUBSCRIPTION_TYPES:
            raise _refuse("type", f"must be trial, free or paid, not {type!r}")
        return self._send("subscriptions.create", {
            "org_id": org_id, "claim_code": claim_code, "products": products,
            "type": type.lower() if type else None,
        })

    def update(self, org_id: str, subscription_id: str, product_id: str, status: bool,
               source_instance_id: Optional[str] = None, region_code: Optional[str] = None,
               initial_admin: Optional[str] = None) -> Any:
        """Activate (``status=True``) or deactivate a product of a subscription."""
        return self._send("subscriptions.update", {
            "org_id": org_id, "subscription_id": subscription_id, "product_id": product_id, "status": status,
            "source_instance_id": source_instance_id, "region_code": region_code, "initial_admin": initial_admin,
        })

    def patch(self, org_id: str, subscription_id: str, entitlements: Optional[List[Dict[str, Any]]] = None,
              use_existing_tenants: Optional[List[str]] = None, *,
              use_existing_tenants_for_products: Optional[List[str]] = None,
              skus: Optional[List[Dict[str, Any]]] = None) -> Any:
        """Change entitlement quantities of a managed organization's subscription:
        ``entitlements=[{"id": SKU, "quantity": n}]``."""
        if skus is not None:
            if entitlements is not None:
                raise _refuse("skus", "and `entitlements` cannot both be given: write entitlements only")
            warnings.warn(
                "subscriptions.patch(skus=[{'name': ..., 'quantity': ...}]) is the obsolete form: it is sent as "
                "entitlements=[{'id': ..., 'quantity': ...}]. Write that instead.",
                DeprecationWarning, stacklevel=2)
            entitlements = []
            for index, sku in enumerate(skus):
                if not isinstance(sku, dict) or "name" not in sku:
                    raise _refuse(f"skus[{index}].name", "is required")
                unknown = set(sku) - {"name", "quantity"}
                if unknown:
                    raise _refuse(f"skus[{index}].{sorted(unknown)[0]}", "is not a field of a SKU")
                entitlements.append({"id": sku["name"], "quantity": sku.get("quantity")})
        if entitlements is None:
            raise _refuse("entitlements", "is required: [{'id': SKU, 'quantity': n}, ...]")
        if use_existing_tenants_for_products is None:
            use_existing_tenants_for_products = use_existing_tenants
        return self._send("subscriptions.patch", {
            "org_id": org_id, "subscription_id": subscription_id, "entitlements": entitlements,
            "use_existing_tenants_for_products": use_existing_tenants_for_products,
        })

    def read_claim_code(self, org_id: str, claim_code: str) -> Any:
        """Read and validate a claim code: its products, entitlements and allowed regions."""
        return self._send("subscriptions.read_claim_code", {"org_id": org_id, "claim_code": claim_code})

    def build_products_from_claim_info(self, claim_info: Dict[str, Any],
                                       preferred_region: str = "NAM") -> List[Dict[str, Any]]:
        """The products to claim: each product of the claim info in the preferred region when it is
        allowed, else in its first allowed region (no request is sent)."""
        if not isinstance(claim_info, dict):
            raise _refuse("claim_info", "must be the dict read_claim_code() returned")
        products: List[Dict[str, Any]] = json.loads(
            _native.build_products(json.dumps(claim_info).encode(), preferred_region))
        return products


class UsersResource(_Resource):
    """Users of an organization, including the bulk ``patch`` and its one-user helpers."""

    def list(self, org_id: str, group_id: Optional[str] = None, status: Optional[str] = None) -> Any:
        """List users (``status`` ACTIVE, PENDING, DISABLED…). ``group_id`` reads the group's members
        (``GET adminGroups/{id}/users``): the users list has no group filter."""
        if group_id:
            def only_status(body: Any) -> Any:
                if status and isinstance(body, dict) and isinstance(body.get("users"), list):
                    body["users"] = [user for user in body["users"] if user.get("status") == status]
                return body
            return self._send("groups.get_users", {"org_id": org_id, "group_id": group_id}, only_status)
        return self._send("users.list", {"org_id": org_id, "status": status})

    def get(self, org_id: str, user_id: str) -> Any:
        """Get a user by id."""
        return self._send("users.get", {"org_id": org_id, "user_id": user_id})

    def update(self, org_id: str, user_id: str, first_name: Optional[str] = None,
               last_name: Optional[str] = None) -> Any:
        """Change a user's first and/or last name."""
        return self._send("users.update", {
            "org_id": org_id, "user_id": user_id, "first_name": first_name, "last_name": last_name,
        })

    def patch(self, org_id: str, users: List[Dict[str, Any]]) -> Any:
        """Bulk user operations (invite, enable, disable, remove, resend_email_invite, reset_password,
        reset_mfa), at most 500 per call; one result per item."""
        return self._send("users.patch", {"org_id": org_id, "users": users})

    def patch_all(self, org_id: str, users: List[Dict[str, Any]], *, chunk_size: int = 500,
                  concurrency: int = 4) -> Any:
        """Any number of user operations, sent in chunks of at most 500, a few chunks at once. Returns
        ``{"items": [...], "succeeded", "failed", "unknown"}`` with one entry per input item, in order;
        an item is ``unknown`` when its request may have been applied but the answer was lost."""
        return self._send("users.patch_all", {
            "org_id": org_id, "users": users, "chunk_size": chunk_size, "concurrency": concurrency,
        })

    def get_groups(self, org_id: str, user_id: str) -> Any:
        """The admin groups a user belongs to."""
        return self._send("users.get_groups", {"org_id": org_id, "user_id": user_id})

    def get_users(self, org_id: str, group_id: str) -> Any:
        """The members of an admin group (as in cisco-scc-sdk 1.0.6; also ``groups.get_users``)."""
        return self._send("groups.get_users", {"org_id": org_id, "group_id": group_id})

    def invite(self, org_id: str, email: str, first_name: Optional[str] = None, last_name: Optional[str] = None,
               is_admin: Optional[bool] = None) -> Any:
        """Invite a user (``is_admin`` also gives the Organization Administrator role)."""
        user: Dict[str, Any] = {"email": email, "operation": "invite"}
        if first_name:
            user["firstName"] = first_name
        if last_name:
            user["lastName"] = last_name
        if is_admin is not None:
            user["isAdmin"] = is_admin
        return self.patch(org_id, [user])

    def enable(self, org_id: str, email: str) -> Any:
        """Enable a user."""
        return self.patch(org_id, [{"email": email, "operation": "enable"}])

    def disable(self, org_id: str, email: str) -> Any:
        """Disable a user."""
        return self.patch(org_id, [{"email": email, "operation": "disable"}])

    def remove(self, org_id: str, email: str) -> Any:
        """Remove a user from the organization."""
        return self.patch(org_id, [{"email": email, "operation": "remove"}])

    def resend_email_invite(self, org_id: str, email: str) -> Any:
        """Send the invitation e-mail again."""
        return self.patch(org_id, [{"email": email, "operation": "resend_email_invite"}])

    def reset_password(self, org_id: str, email: str) -> Any:
        """Reset a user's password."""
        return self.patch(org_id, [{"email": email, "operation": "reset_password"}])

    def reset_mfa(self, org_id: str, email: str, factor_id: str) -> Any:
        """Reset one MFA factor of a user."""
        return self.patch(org_id, [{"email": email, "factorId": factor_id, "operation": "reset_mfa"}])


class GroupsResource(_Resource):
    """Admin groups: membership, roles, managed organizations."""

    def list(self, org_id: str, max: Optional[int] = None, cursor: Optional[str] = None) -> Any:
        """List admin groups (one page; ``max`` 1..500)."""
        return self._send("groups.list", {"org_id": org_id, "max": max, "cursor": cursor})

    def get(self, org_id: str, group_id: str) -> Any:
        """Get an admin group by id."""
        return self._send("groups.get", {"org_id": org_id, "group_id": group_id})

    def create(self, org_id: str, name: str, description: Optional[str] = None,
               applies_to: Optional[str] = None) -> Any:
        """Create an admin group (``applies_to``: all, manager or selected_managed)."""
        if applies_to:
            applies_to = _APPLIES_TO.get(applies_to.lower(), applies_to)
        return self._send("groups.create", {
            "org_id": org_id, "name": name, "description": description, "applies_to": applies_to,
        })

    def update(self, org_id: str, group_id: str, name: Optional[str] = None,
               description: Optional[str] = None) -> Any:
        """Rename an admin group or change its description."""
        return self._send("groups.update", {
            "org_id": org_id, "group_id": group_id, "name": name, "description": description,
        })

    def delete(self, org_id: str, group_id: str) -> Any:
        """Delete an admin group; returns True."""
        return self._send("groups.delete", {"org_id": org_id, "group_id": group_id}, _true)

    def patch(self, org_id: str, group_id: str, users: Optional[List[Dict[str, str]]] = None,
              managed_orgs: Optional[List[Dict[str, str]]] = None) -> Any:
        """Add or remove members (``{"operation": "add", "id": email}``) and managed organizations."""
        return self._send("groups.patch", {
            "org_id": org_id, "group_id": group_id, "users": users, "managed_orgs": managed_orgs,
        })

    def get_managed_organizations(self, org_id: str, group_id: str) -> Any:
        """The managed organizations a shared group reaches."""
        return self._send("groups.get_managed_organizations", {"org_id": org_id, "group_id": group_id})

    def get_assigned_roles(self, org_id: str, group_id: str) -> Any:
        """The roles assigned to an admin group."""
        return self._send("groups.get_assigned_roles", {"org_id": org_id, "group_id": group_id})

    def get_users(self, org_id: str, group_id: str) -> Any:
        """The members of an admin group."""
        return self._send("groups.get_users", {"org_id": org_id, "group_id": group_id})

    def remove_shared_group(self, org_id: str, group_id: str) -> Any:
        """In a managed organization, remove a group its manager shared (the manager's group stays);
        returns True."""
        return self._send("groups.remove_shared_group", {"org_id": org_id, "group_id": group_id}, _true)


def _with_summary(body: Any) -> Any:
    if isinstance(body, dict):
        total, succeeded, failed, all_successful = _native.bulk_summary(json.dumps(body).encode())
        body["summary"] = {"total": total, "succeeded": succeeded, "failed": failed,
                           "all_successful": all_successful}
    return body


class RolesResource(_Resource):
    """Roles and their assignment to users and groups."""

    def list(self, org_id: str, type: Optional[str] = None, user: Optional[str] = None) -> Any:
        """List roles (``type`` CUSTOM, BUNDLED or STATIC; ``user``: only this user's roles)."""
        return self._send("roles.list", {"org_id": org_id, "type": type, "user": user})

    def get(self, org_id: str, role_id: str) -> Any:
        """Get a role by id, with its products."""
        return self._send("roles.get", {"org_id": org_id, "role_id": role_id})

    def patch(self, org_id: str, role_id: str, users: Optional[List[Dict[str, str]]] = None,
              groups: Optional[List[Dict[str, str]]] = None) -> Any:
        """Assign or unassign a role; the answer's ``results`` plus a computed ``summary``
        (``total``, ``succeeded``, ``failed``, ``all_successful``)."""
        return self._send("roles.patch", {"org_id": org_id, "role_id": role_id, "users": users, "groups": groups},
                          _with_summary)

    def find_role_id(self, org_id: str, product_name: str, role_display_name: str) -> Any:
        """The id of the STATIC role with this display name and product, or None."""
        return self._send("roles.find_role_id", {
            "org_id": org_id, "product_name": product_name, "role_display_name": role_display_name,
        })

    def get_assigned_roles(self, org_id: str, group_id: str) -> Any:
        """The roles assigned to an admin group (as in cisco-scc-sdk 1.0.6)."""
        return self._send("groups.get_assigned_roles", {"org_id": org_id, "group_id": group_id})


class TokensResource(_Resource):
    """API token refresh."""

    def refresh(self, org_id: str, api_key_id: str, refresh_token: str) -> Any:
        """Exchange a refresh token for a new access and refresh token (the old refresh token stops
        working). ``Client.from_credentials`` does this by itself."""
        return self._send("tokens.refresh", {
            "org_id": org_id, "api_key_id": api_key_id, "refresh_token": refresh_token,
        })


class AsyncOrganizationsResource(OrganizationsResource):
    """Organizations, for ``AsyncClient``: each method returns an awaitable."""


class AsyncSubscriptionsResource(SubscriptionsResource):
    """Subscriptions, for ``AsyncClient``: each method that sends returns an awaitable."""


class AsyncUsersResource(UsersResource):
    """Users, for ``AsyncClient``: each method returns an awaitable."""


class AsyncGroupsResource(GroupsResource):
    """Admin groups, for ``AsyncClient``: each method returns an awaitable."""


class AsyncRolesResource(RolesResource):
    """Roles, for ``AsyncClient``: each method returns an awaitable."""


class AsyncTokensResource(TokensResource):
    """Token refresh, for ``AsyncClient``: returns an awaitable."""


__all__ = ["OrganizationsResource", "SubscriptionsResource", "UsersResource", "GroupsResource", "RolesResource",
           "TokensResource", "AsyncOrganizationsResource", "AsyncSubscriptionsResource", "AsyncUsersResource",
           "AsyncGroupsResource", "AsyncRolesResource", "AsyncTokensResource"]
