"""The resources of the seed's API (organizations, subscriptions, users, groups, roles, tokens).

Each method translates the seed's arguments and hands them to the Rust SDK's operation of the same
name; the Rust side checks them, builds the request and sends it. One implementation serves both
clients: the client's ``_send`` returns the value (``Client``) or an awaitable (``AsyncClient``), and
the ``Async`` classes make every sending method a coroutine function of the same signature.

A resource built on an object that is not one of this package's clients (a test double with
``get``/``post``/``put``/``patch``/``delete``, as cisco-scc-sdk's own tests build them), or on a client
whose verbs a test replaced (``mock.patch.object(client, "get")``), hands it the request the SDK
would send, as cisco-scc-sdk 1.0.6 did: ``client.get("organizations/org-1/users", params={...})``.

Signatures for type checkers are in ``_resources.pyi``, generated from this file
(``python scripts/resource_stubs.py``).
"""

from __future__ import annotations

import functools
import inspect
import json
import sys
import warnings
from typing import Any, Callable, Dict, List, Optional, Tuple, TypeVar
from urllib.parse import parse_qsl, unquote, urlsplit

from . import _native
from .exceptions import InvalidInputError

# The SDK's closed sets (one place for each: the Rust core).
_CLOSED_SETS = _native.closed_sets()
# The operations on one user, each sent as one users PATCH (the SDK's catalog: `_native.operations()`).
_ONE_USER = frozenset(operation["name"] for operation in _native.operations()
                      if operation["name"].startswith("users.") and operation["method"] == "PATCH"
                      and operation["name"] not in ("users.patch", "users.patch_all"))
_ORGANIZATION_TYPES = frozenset(_CLOSED_SETS["organization_type"])
_USER_STATUSES = frozenset(_CLOSED_SETS["user_status"])
_APPLIES_TO = {value.lower(): value for value in _CLOSED_SETS["applies_to"]}
# The seed's usage example writes the stale value SOME_MANAGED (docs/decisions.md, "Applies-to values").
_APPLIES_TO["some_managed"] = "selected_managed"

#: What every method that sends may raise, for the docstrings.
_RAISES = """
        Raises:
            InvalidInputError: an argument cannot be right; nothing was sent (also a ``ValueError``).
            AuthenticationError, ForbiddenError, NotFoundError, ValidationError, ConflictError,
            RateLimitError, ServerError: the service's answer (``status_code``, ``tracking_id``).
            APIConnectionError, APITimeoutError: no answer (``may_have_reached_server`` says whether
            a write may have been applied)."""


def _refuse(field: str, reason: str) -> InvalidInputError:
    return InvalidInputError(f"invalid input: `{field}` {reason}", field=field)


def _true(_: Any) -> bool:
    return True


_F = TypeVar("_F", bound=Callable[..., Any])


def _documented(method: _F) -> _F:
    """Appends the common ``Raises`` section to a sending method's docstring."""
    if method.__doc__:
        method.__doc__ = inspect.cleandoc(method.__doc__) + "\n\n" + inspect.cleandoc(_RAISES)
    return method


class BaseResource:
    """The base of every resource: ``self.client`` is the client whose requests it makes (as in
    cisco-scc-sdk, where tests build a resource on a stand-in client).

    Args:
        client: a :class:`~scc_sdk.Client` or :class:`~scc_sdk.AsyncClient`, or any object with
            cisco-scc-sdk's ``get(endpoint, params=None)``, ``post(endpoint, json=None)``,
            ``put``, ``patch`` and ``delete``, which then receives each request instead of a server.
    """

    def __init__(self, client: Any) -> None:
        self.client = client

    def _send(self, operation: str, args: Dict[str, Any], post: Optional[Callable[[Any], Any]] = None) -> Any:
        # Read at each call: a test may replace `client` (`patch.object(resource, "client")`), and the
        # stand-in then receives the request as 1.0.6's verbs did.
        client = self.client
        if getattr(type(client), "_scc_native_client", False):
            return client._send(operation, args, post)
        return _through_verbs(client, operation, args, post)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}>"


def _query_value(key: str, value: str) -> Any:
    # `max` is the one number among the query parameters; 1.0.6 passed it as an int.
    return int(value) if key == "max" and value.isdigit() else value


def _through_verbs(client: Any, operation: str, args: Dict[str, Any],
                   post: Optional[Callable[[Any], Any]] = None) -> Any:
    """The request the SDK would send, handed to ``client``'s verb as cisco-scc-sdk 1.0.6 called it."""
    plan: Dict[str, Any] = json.loads(_native.plan(operation, args))
    not_sent: List[Dict[str, Any]] = []
    if operation == "users.patch" or operation in _ONE_USER:
        not_sent = plan["not_sent"]
        if plan["request"] is None:
            return _finish({"results": not_sent}, post)
        plan = plan["request"]
    url = urlsplit(plan["url"])
    # Below the planner's base path (`/v1/`), with ids as the caller wrote them (1.0.6 did not encode).
    endpoint = unquote(url.path.split("/", 2)[2])
    params = {key: _query_value(key, value) for key, value in parse_qsl(url.query, keep_blank_values=True)}
    method = plan["method"]
    body = plan["body"]
    if method == "GET":
        answer = client.get(endpoint, params=params) if operation.endswith(".list") or params else \
            client.get(endpoint)
    elif method == "POST" and operation == "tokens.refresh":
        answer = client.post(endpoint, data={"grant_type": "refresh_token"},
                             headers={"Authorization": f"Bearer {args['refresh_token']}",
                                      "Content-Type": "application/x-www-form-urlencoded"})
    elif method == "DELETE":
        answer = client.delete(endpoint)
    else:
        answer = getattr(client, method.lower())(endpoint, json=body)

    def finish(value: Any) -> Any:
        if not_sent and isinstance(value, dict) and isinstance(value.get("results"), list):
            value["results"].extend(not_sent)
        return _finish(value, post)

    if inspect.isawaitable(answer):
        async def awaited() -> Any:
            return finish(await answer)
        return awaited()
    return finish(answer)


def _finish(value: Any, post: Optional[Callable[[Any], Any]]) -> Any:
    return post(value) if post is not None else value


class OrganizationsResource(BaseResource):
    """Organizations: list, get, create, update.

    Example:
        >>> orgs = client.organizations.list(type="MANAGED", max=50)
        >>> org = client.organizations.get(org_id="550e8400-e29b-41d4-a716-446655440000")
    """

    @_documented
    def list(self, name: Optional[str] = None, type: Optional[str] = None, region_code: Optional[str] = None,
             country_code: Optional[str] = None, manager_org_id: Optional[str] = None, max: int = 100,
             cursor: Optional[str] = None, sort_by: Optional[str] = None,
             order: Optional[str] = None) -> Dict[str, Any]:
        """List organizations with optional filtering and pagination.

        Args:
            name: only organizations whose name contains this (case-insensitive).
            type: STANDALONE, MANAGER or MANAGED.
            region_code: NAM, EMEA, APJC or GLOBAL.
            country_code: a country code, e.g. ``US``.
            manager_org_id: only the organizations this manager organization manages.
            max: organizations per page, 1 to 500 (default 100).
            cursor: the ``cursor`` of the previous page, for the next one.
            sort_by: the field to sort by, e.g. ``name``.
            order: ASC or DESC.

        Returns:
            ``{"organizations": [...], "cursor": ...}``; ``cursor`` is there when more pages follow
            (``client.iter_organizations`` follows them for you).
        """
        return self._send("organizations.list", {
            "name": name, "type": type, "region_code": region_code, "country_code": country_code,
            "manager_org_id": manager_org_id, "max": max, "cursor": cursor, "sort_by": sort_by, "order": order,
        })

    @_documented
    def get(self, org_id: str) -> Dict[str, Any]:
        """Get an organization by id.

        Args:
            org_id: the organization's UUID.

        Returns:
            The organization: ``id``, ``name``, ``type``, ``regionCode``, ...
        """
        return self._send("organizations.get", {"org_id": org_id})

    @_documented
    def create(self, name: str, region_code: str, type: str = "STANDALONE") -> Dict[str, Any]:
        """Create an organization.

        Args:
            name: the new organization's name.
            region_code: NAM, EMEA or APJC.
            type: STANDALONE (default), MANAGER or MANAGED.

        Returns:
            The created organization, with its ``id``.
        """
        return self._send("organizations.create", {"name": name, "region_code": region_code, "type": type})

    @_documented
    def update(self, org_id: str, name: str) -> Dict[str, Any]:
        """Rename an organization.

        Args:
            org_id: the organization's UUID.
            name: the new name.

        Returns:
            The organization after the change.
        """
        return self._send("organizations.update", {"org_id": org_id, "name": name})


def _create_form(products: Any, type: Any) -> Tuple[Any, Any]:
    """``products`` and ``type`` of ``subscriptions.create`` from either SDK's order: the seed
    (1.0.5) puts products third and type fourth, cisco-scc-sdk 1.0.6 type third and products fourth.
    A list is products and a string is a type, whichever position it holds."""
    def kind(value: Any) -> str:
        if value is None:
            return "none"
        if isinstance(value, str):
            return "type"
        if isinstance(value, (list, tuple)):
            return "products"
        return "other"

    kinds = (kind(products), kind(type))
    if kinds in {("products", "type"), ("products", "none"), ("none", "type"), ("none", "none")}:
        return products, type
    if kinds in {("type", "products"), ("type", "none"), ("none", "products")}:
        return type, products
    raise TypeError(
        "subscriptions.create(org_id, claim_code, products, type) takes products as a list of dicts and "
        "type as a string (trial, free or paid), in either order: the seed's create(org, code, products, "
        "type) or cisco-scc-sdk 1.0.6's create(org, code, type, products); got "
        f"{products!r} and {type!r}. Write create(org, code, products=[...], type='paid') to be explicit.")


class SubscriptionsResource(BaseResource):
    """Subscriptions and claim codes.

    Example:
        >>> info = client.subscriptions.read_claim_code(org_id, "PHJZ-DWMF-ZBYH-FYMB")
        >>> products = client.subscriptions.build_products_from_claim_info(info, preferred_region="NAM")
        >>> client.subscriptions.create(org_id, "PHJZ-DWMF-ZBYH-FYMB", products=products)
    """

    @_documented
    def list(self, org_id: str, name: Optional[str] = None) -> List[Dict[str, Any]]:
        """List an organization's subscriptions.

        Args:
            org_id: the organization's UUID.
            name: only subscriptions with this name.

        Returns:
            The list of subscriptions itself, as the seed documents it (not the ``{"subscriptions":
            [...]}`` envelope).
        """
        return self._send("subscriptions.list", {"org_id": org_id, "name": name},
                          lambda body: body.get("subscriptions", []) if isinstance(body, dict) else body)

    @_documented
    def get(self, org_id: str, subscription_id: str) -> Dict[str, Any]:
        """Get a subscription by id.

        Args:
            org_id: the organization's UUID.
            subscription_id: the subscription's UUID.

        Returns:
            The subscription: ``id``, ``name``, ``created``, ``isTrial``, ``products``, ...
        """
        return self._send("subscriptions.get", {"org_id": org_id, "subscription_id": subscription_id})

    @_documented
    def create(self, org_id: str, claim_code: str, products: Optional[List[Dict[str, Any]]] = None,
               type: Optional[str] = None) -> Dict[str, Any]:
        """Claim a subscription with a claim code.

        The third and fourth arguments are read by their values: a list is ``products`` and a string
        is ``type``, so both the seed's order and cisco-scc-sdk 1.0.6's ``create(org, code, type,
        products)`` work.

        Args:
            org_id: the organization's UUID.
            claim_code: the claim code, e.g. ``PHJZ-DWMF-ZBYH-FYMB``.
            products: the products to provision, ``[{"id", "regionCode", "regionDescription",
                "useExistingTenant"}]`` (only ``id`` and ``regionCode`` are required); usually from
                :meth:`build_products_from_claim_info`.
            type: trial, free or paid; sent only when given. An organization type (MANAGED...) is
                not a subscription type: it is dropped with a ``DeprecationWarning``.

        Returns:
            The created subscription: ``id``, ``name``, ``created``, ``isTrial``.
        """
        products, type = _create_form(products, type)
        if type is not None and type.upper() in _ORGANIZATION_TYPES:
            warnings.warn(
                f"subscriptions.create(type={type!r}): {type!r} is an organization type, not a subscription "
                "type (trial, free or paid); it is not sent. Drop the argument.",
                DeprecationWarning, stacklevel=_caller_level())
            type = None
        return self._send("subscriptions.create", {
            "org_id": org_id, "claim_code": claim_code, "products": products,
            "type": type.lower() if type else None,
        })

    @_documented
    def update(self, org_id: str, subscription_id: str, product_id: str, status: bool,
               source_instance_id: Optional[str] = None, region_code: Optional[str] = None,
               initial_admin: Optional[str] = None) -> Dict[str, Any]:
        """Activate (``status=True``) or deactivate a product of a subscription.

        Args:
            org_id: the organization's UUID.
            subscription_id: the subscription's UUID.
            product_id: the product's UUID.
            status: True to activate, False to deactivate.
            source_instance_id: an existing tenant to use instead of provisioning one.
            region_code: the product's region (NAM, EMEA, APJC, US, GLOBAL).
            initial_admin: the e-mail of the first administrator of a new tenant.

        Returns:
            The subscription after the change.
        """
        return self._send("subscriptions.update", {
            "org_id": org_id, "subscription_id": subscription_id, "product_id": product_id, "status": status,
            "source_instance_id": source_instance_id, "region_code": region_code, "initial_admin": initial_admin,
        })

    @_documented
    def patch(self, org_id: str, subscription_id: str, entitlements: Optional[List[Dict[str, Any]]] = None,
              use_existing_tenants_for_products: Optional[List[str]] = None,
              use_existing_tenants: Optional[List[str]] = None, *,
              skus: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
        """Change the entitlement quantities of a managed organization's subscription.

        Args:
            org_id: the managed organization's UUID.
            subscription_id: the subscription's UUID.
            entitlements: ``[{"id": SKU, "quantity": n}]``.
            use_existing_tenants_for_products: product UUIDs whose existing tenants are attached
                during license sharing.
            use_existing_tenants: the older name of ``use_existing_tenants_for_products`` (used when
                that one is not given).
            skus: the obsolete ``[{"name": SKU, "quantity": n}]`` form; sent as ``entitlements`` with
                a ``DeprecationWarning``.

        Returns:
            The subscription after the change.
        """
        if skus is not None:
            if entitlements is not None:
                raise _refuse("skus", "and `entitlements` cannot both be given: write entitlements only")
            warnings.warn(
                "subscriptions.patch(skus=[{'name': ..., 'quantity': ...}]) is the obsolete form: it is sent as "
                "entitlements=[{'id': ..., 'quantity': ...}]. Write that instead.",
                DeprecationWarning, stacklevel=_caller_level())
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

    @_documented
    def read_claim_code(self, org_id: str, claim_code: str) -> Dict[str, Any]:
        """Read and validate a claim code (changes nothing).

        Args:
            org_id: the organization's UUID.
            claim_code: the claim code.

        Returns:
            The claim information: its products with their entitlements and allowed regions.
        """
        return self._send("subscriptions.read_claim_code", {"org_id": org_id, "claim_code": claim_code})

    def build_products_from_claim_info(self, claim_info: Dict[str, Any],
                                       preferred_region: str = "NAM") -> List[Dict[str, Any]]:
        """The products to claim, from :meth:`read_claim_code`'s answer (no request is sent).

        Each product goes to the preferred region when the product allows it, else to its first
        allowed region; a product with no allowed region is left out.

        Args:
            claim_info: the dict :meth:`read_claim_code` returned.
            preferred_region: the region to use where allowed (default NAM).

        Returns:
            ``[{"id", "useExistingTenant": False, "regionCode", "regionDescription"}]``, ready for
            :meth:`create`.

        Raises:
            InvalidInputError: ``claim_info`` is not a claim information dict.
        """
        if not isinstance(claim_info, dict):
            raise _refuse("claim_info", "must be the dict read_claim_code() returned")
        products: List[Dict[str, Any]] = json.loads(
            _native.build_products(json.dumps(claim_info).encode(), preferred_region))
        return products


def _caller_level() -> int:
    """The ``stacklevel`` of a warning that names the caller's line: the first frame outside this
    module, however many of its frames (the async variants' wrapper) stand in between."""
    level = 1
    frame = sys._getframe(1)
    while frame.f_back is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back
        level += 1
    return level


class UsersResource(BaseResource):
    """Users of an organization, including the bulk ``patch`` and its one-user helpers.

    Example:
        >>> client.users.invite(org_id, "ana@example.com", first_name="Ana", last_name="Silva")
        >>> active = client.users.list(org_id, status="ACTIVE")
    """

    @_documented
    def list(self, org_id: str, group_id: Optional[str] = None, status: Optional[str] = None) -> Dict[str, Any]:
        """List the users of an organization.

        The second argument is read by its value: a user status (ACTIVE, PENDING, DISABLED, ...) is
        ``status``, as in cisco-scc-sdk 1.0.6's ``list(org_id, status)``; anything else is the seed's
        ``group_id``.

        Args:
            org_id: the organization's UUID.
            group_id: the seed's filter: the members of this admin group
                (``GET adminGroups/{id}/users``; the users list itself has no group filter).
            status: ACTIVE, PENDING or DISABLED (also SHARED, and the older DISABLE and INACTIVE).

        Returns:
            ``{"users": [...]}``.
        """
        if group_id is not None and status is None and isinstance(group_id, str) \
                and group_id.upper() in _USER_STATUSES:
            group_id, status = None, group_id
        if group_id is not None and isinstance(group_id, str) and group_id.upper() in _USER_STATUSES:
            raise TypeError(
                f"users.list(org_id, {group_id!r}, {status!r}): {group_id!r} is a user status, not a group id. "
                "Write users.list(org_id, status=...) (cisco-scc-sdk 1.0.6's form) or "
                "users.list(org_id, group_id=..., status=...) (the seed's form).")
        if group_id:
            def only_status(body: Any) -> Any:
                if status and isinstance(body, dict) and isinstance(body.get("users"), list):
                    body["users"] = [user for user in body["users"] if user.get("status") == status]
                return body
            return self._send("groups.get_users", {"org_id": org_id, "group_id": group_id}, only_status)
        return self._send("users.list", {"org_id": org_id, "status": status})

    @_documented
    def get(self, org_id: str, user_id: str) -> Dict[str, Any]:
        """Get a user by id.

        Args:
            org_id: the organization's UUID.
            user_id: the user's id (e.g. ``00u2k67hy1xf3mRxG0h8``).

        Returns:
            The user: ``id``, ``email``, ``firstName``, ``lastName``, ``status``.
        """
        return self._send("users.get", {"org_id": org_id, "user_id": user_id})

    @_documented
    def update(self, org_id: str, user_id: str, first_name: Optional[str] = None,
               last_name: Optional[str] = None) -> Dict[str, Any]:
        """Change a user's first and/or last name (only the names given are sent).

        Args:
            org_id: the organization's UUID.
            user_id: the user's id.
            first_name: the new first name.
            last_name: the new last name.

        Returns:
            The user after the change.
        """
        return self._send("users.update", {
            "org_id": org_id, "user_id": user_id, "first_name": first_name, "last_name": last_name,
        })

    @_documented
    def patch(self, org_id: str, users: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Bulk user operations (invite, enable, disable, remove, resend_email_invite,
        reset_password, reset_mfa), at most 500 per call.

        An item whose data the service would refuse (a malformed e-mail, an invitation without
        names) is not sent: it comes back as a failed result with ``"sent": False`` and the reason in
        ``errorDescription``, and the other items are sent. A call of the wrong shape (not a list of
        operations, an unknown key, ``reset_mfa`` without ``factorId``) is refused whole.

        Args:
            org_id: the organization's UUID.
            users: ``[{"email", "operation", "firstName"?, "lastName"?, "isAdmin"?, "factorId"?}]``.

        Returns:
            ``{"results": [{"id", "type", "operation", "status", "errorDescription"?}]}``, one result
            per item.

        Example:
            >>> client.users.patch(org_id, [{"email": "a@example.com", "operation": "invite",
            ...                              "firstName": "Ana", "lastName": "Silva"}])
        """
        return self._send("users.patch", {"org_id": org_id, "users": users})

    @_documented
    def patch_all(self, org_id: str, users: List[Dict[str, Any]], *, chunk_size: int = 500,
                  concurrency: int = 4) -> Dict[str, Any]:
        """Any number of user operations, sent in chunks of at most 500, a few chunks at once.

        Args:
            org_id: the organization's UUID.
            users: the operations, as for :meth:`patch`.
            chunk_size: items per request (1 to 500).
            concurrency: requests in flight at once.

        Returns:
            ``{"items": [...], "succeeded", "failed", "unknown"}`` with one entry per input item, in
            order; an item is ``unknown`` when its request may have been applied but the answer was
            lost.
        """
        return self._send("users.patch_all", {
            "org_id": org_id, "users": users, "chunk_size": chunk_size, "concurrency": concurrency,
        })

    @_documented
    def get_groups(self, org_id: str, user_id: str) -> Dict[str, Any]:
        """The admin groups a user belongs to.

        Args:
            org_id: the organization's UUID.
            user_id: the user's id.

        Returns:
            ``{"groups": [...]}``.
        """
        return self._send("users.get_groups", {"org_id": org_id, "user_id": user_id})

    @_documented
    def get_users(self, org_id: str, group_id: str) -> Dict[str, Any]:
        """The members of an admin group (as in cisco-scc-sdk 1.0.6; also ``groups.get_users``).

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.

        Returns:
            ``{"users": [...]}``.
        """
        return self._send("groups.get_users", {"org_id": org_id, "group_id": group_id})

    @_documented
    def invite(self, org_id: str, email: str, first_name: Optional[str] = None, last_name: Optional[str] = None,
               is_admin: Optional[bool] = None) -> Dict[str, Any]:
        """Invite a user; they are PENDING until they accept.

        Args:
            org_id: the organization's UUID.
            email: the user's e-mail address.
            first_name: the user's first name.
            last_name: the user's last name.
            is_admin: also give the Organization Administrator role (sent whenever given).

        Returns:
            The bulk answer of :meth:`patch` for this one user.
        """
        return self._send("users.invite", {"org_id": org_id, "email": email,
                                        "first_name": first_name or None, "last_name": last_name or None,
                                        "is_admin": is_admin})

    @_documented
    def enable(self, org_id: str, email: str) -> Dict[str, Any]:
        """Enable a user.

        Args:
            org_id: the organization's UUID.
            email: the user's e-mail address.

        Returns:
            The bulk answer of :meth:`patch` for this one user.
        """
        return self._one(org_id, email, "enable")

    @_documented
    def disable(self, org_id: str, email: str) -> Dict[str, Any]:
        """Disable a user.

        Args:
            org_id: the organization's UUID.
            email: the user's e-mail address.

        Returns:
            The bulk answer of :meth:`patch` for this one user.
        """
        return self._one(org_id, email, "disable")

    @_documented
    def remove(self, org_id: str, email: str) -> Dict[str, Any]:
        """Remove a user from the organization.

        Args:
            org_id: the organization's UUID.
            email: the user's e-mail address.

        Returns:
            The bulk answer of :meth:`patch` for this one user.
        """
        return self._one(org_id, email, "remove")

    @_documented
    def resend_email_invite(self, org_id: str, email: str) -> Dict[str, Any]:
        """Send the invitation e-mail again.

        Args:
            org_id: the organization's UUID.
            email: the user's e-mail address.

        Returns:
            The bulk answer of :meth:`patch` for this one user.
        """
        return self._one(org_id, email, "resend_email_invite")

    @_documented
    def reset_password(self, org_id: str, email: str) -> Dict[str, Any]:
        """Send a user a password reset.

        Args:
            org_id: the organization's UUID.
            email: the user's e-mail address.

        Returns:
            The bulk answer of :meth:`patch` for this one user.
        """
        return self._one(org_id, email, "reset_password")

    @_documented
    def reset_mfa(self, org_id: str, email: str, factor_id: str) -> Dict[str, Any]:
        """Reset one MFA factor of a user.

        Args:
            org_id: the organization's UUID.
            email: the user's e-mail address.
            factor_id: the MFA factor to reset (e.g. ``uft2odnt5ez9xSslf0h8``).

        Returns:
            The bulk answer of :meth:`patch` for this one user.
        """
        return self._send("users.reset_mfa", {"org_id": org_id, "email": email,
                                        "factor_id": factor_id})

    def _one(self, org_id: str, email: str, operation: str) -> Any:
        return self._send(f"users.{operation}", {"org_id": org_id, "email": email})


class GroupsResource(BaseResource):
    """Admin groups: membership, roles, managed organizations.

    Example:
        >>> group = client.groups.create(org_id, "SOC Analysts", description="Tier 1", applies_to="all")
        >>> client.groups.patch(org_id, group["id"], users=[{"operation": "add", "id": "ana@example.com"}])
    """

    @_documented
    def list(self, org_id: str, max: Optional[int] = None, cursor: Optional[str] = None) -> Dict[str, Any]:
        """List an organization's admin groups, one page at a time.

        Args:
            org_id: the organization's UUID.
            max: groups per page, 1 to 500.
            cursor: the ``cursor`` of the previous page, for the next one.

        Returns:
            ``{"groups": [...], "cursor": ...}``; ``client.iter_groups`` follows the pages for you.
        """
        return self._send("groups.list", {"org_id": org_id, "max": max, "cursor": cursor})

    @_documented
    def get(self, org_id: str, group_id: str) -> Dict[str, Any]:
        """Get an admin group by id.

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.

        Returns:
            The group: ``id``, ``name``, ``description``, ``type``, ``appliesTo``.
        """
        return self._send("groups.get", {"org_id": org_id, "group_id": group_id})

    @_documented
    def create(self, org_id: str, name: str, description: Optional[str] = None,
               applies_to: Optional[str] = None) -> Dict[str, Any]:
        """Create an admin group.

        Args:
            org_id: the organization's UUID.
            name: the group's name.
            description: what the group is for.
            applies_to: all, manager or selected_managed (the seed's SOME_MANAGED is read as
                selected_managed).

        Returns:
            The created group, with its ``id``.
        """
        if applies_to:
            applies_to = _APPLIES_TO.get(applies_to.lower(), applies_to)
        return self._send("groups.create", {
            "org_id": org_id, "name": name, "description": description, "applies_to": applies_to,
        })

    @_documented
    def update(self, org_id: str, group_id: str, name: Optional[str] = None,
               description: Optional[str] = None) -> Dict[str, Any]:
        """Rename an admin group or change its description (only what is given is sent).

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.
            name: the new name.
            description: the new description.

        Returns:
            The group after the change.
        """
        return self._send("groups.update", {
            "org_id": org_id, "group_id": group_id, "name": name, "description": description,
        })

    @_documented
    def delete(self, org_id: str, group_id: str) -> bool:
        """Delete an admin group of the organization.

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.

        Returns:
            True.
        """
        return self._send("groups.delete", {"org_id": org_id, "group_id": group_id}, _true)  # type: ignore[no-any-return]

    @_documented
    def patch(self, org_id: str, group_id: str, users: Optional[List[Dict[str, str]]] = None,
              managed_orgs: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
        """Add or remove members and the managed organizations a group is shared with.

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.
            users: ``[{"operation": "add" | "remove", "id": email}]``.
            managed_orgs: ``[{"operation": "add" | "remove", "id": managed organization id}]``.

        Returns:
            ``{"results": [...]}`` (one per change) and a computed ``summary`` (``total``,
            ``succeeded``, ``failed``, ``all_successful``).
        """
        return self._send("groups.patch", {
            "org_id": org_id, "group_id": group_id, "users": users, "managed_orgs": managed_orgs,
        }, _with_summary)

    @_documented
    def get_managed_organizations(self, org_id: str, group_id: str) -> Dict[str, Any]:
        """The managed organizations a manager's group is shared with.

        Args:
            org_id: the manager organization's UUID.
            group_id: the group's UUID.

        Returns:
            ``{"managedOrgs": [...]}``.
        """
        return self._send("groups.get_managed_organizations", {"org_id": org_id, "group_id": group_id})

    @_documented
    def get_assigned_roles(self, org_id: str, group_id: str) -> Dict[str, Any]:
        """The roles assigned to an admin group.

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.

        Returns:
            ``{"roles": [...]}``.
        """
        return self._send("groups.get_assigned_roles", {"org_id": org_id, "group_id": group_id})

    @_documented
    def get_users(self, org_id: str, group_id: str) -> Dict[str, Any]:
        """The members of an admin group.

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.

        Returns:
            ``{"users": [...]}``.
        """
        return self._send("groups.get_users", {"org_id": org_id, "group_id": group_id})

    @_documented
    def remove_shared_group(self, org_id: str, group_id: str) -> bool:
        """In a managed organization, remove a group its manager shared with it; the manager's
        group stays. It never deletes a group: when the group is not one of the manager's (the
        organization's own, or the organization has no manager), it refuses and sends no DELETE.

        Args:
            org_id: the managed organization's UUID.
            group_id: the shared group's UUID.

        Returns:
            True.
        """
        return self._send("groups.remove_shared_group", {"org_id": org_id, "group_id": group_id},  # type: ignore[no-any-return]
                          _true)


def _with_summary(body: Any) -> Any:
    if isinstance(body, dict):
        total, succeeded, failed, all_successful = _native.bulk_summary(json.dumps(body).encode())
        body["summary"] = {"total": total, "succeeded": succeeded, "failed": failed,
                           "all_successful": all_successful}
    return body


class RolesResource(BaseResource):
    """Roles and their assignment to users and groups.

    Example:
        >>> role_id = client.roles.find_role_id(org_id, "Platform", "Organization Administrator")
        >>> client.roles.patch(org_id, role_id, groups=[{"operation": "add", "id": group_id}])
    """

    @_documented
    def list(self, org_id: str, type: Optional[str] = None, user: Optional[str] = None) -> Dict[str, Any]:
        """List an organization's roles.

        Args:
            org_id: the organization's UUID.
            type: CUSTOM, BUNDLED or STATIC.
            user: only the roles of this user (id or e-mail).

        Returns:
            ``{"roles": [...]}``.
        """
        return self._send("roles.list", {"org_id": org_id, "type": type, "user": user})

    @_documented
    def get(self, org_id: str, role_id: str) -> Dict[str, Any]:
        """Get a role by id, with its products.

        Args:
            org_id: the organization's UUID.
            role_id: the role's UUID.

        Returns:
            The role: ``id``, ``displayName``, ``type``, ``products``, ...
        """
        return self._send("roles.get", {"org_id": org_id, "role_id": role_id})

    @_documented
    def patch(self, org_id: str, role_id: str, users: Optional[List[Dict[str, str]]] = None,
              groups: Optional[List[Dict[str, str]]] = None) -> Dict[str, Any]:
        """Assign a role to users and groups, or take it back.

        Args:
            org_id: the organization's UUID.
            role_id: the role's UUID.
            users: ``[{"operation": "add" | "remove", "id": user id or e-mail}]``.
            groups: ``[{"operation": "add" | "remove", "id": group UUID}]``.

        Returns:
            ``{"results": [...]}`` (one per change) and a computed ``summary`` (``total``,
            ``succeeded``, ``failed``, ``all_successful``).
        """
        return self._send("roles.patch", {"org_id": org_id, "role_id": role_id, "users": users, "groups": groups},
                          _with_summary)

    @_documented
    def find_role_id(self, org_id: str, product_name: str, role_display_name: str) -> Optional[str]:
        """The id of the STATIC role with this display name and product.

        Args:
            org_id: the organization's UUID.
            product_name: the product's name, e.g. ``Platform``.
            role_display_name: the role's display name, e.g. ``Organization Administrator``.

        Returns:
            The role's id, or None when there is no such role.
        """
        return self._send("roles.find_role_id", {  # type: ignore[no-any-return]
            "org_id": org_id, "product_name": product_name, "role_display_name": role_display_name,
        })

    @_documented
    def get_assigned_roles(self, org_id: str, group_id: str) -> Dict[str, Any]:
        """The roles assigned to an admin group (as in cisco-scc-sdk 1.0.6; also
        ``groups.get_assigned_roles``).

        Args:
            org_id: the organization's UUID.
            group_id: the group's UUID.

        Returns:
            ``{"roles": [...]}``.
        """
        return self._send("groups.get_assigned_roles", {"org_id": org_id, "group_id": group_id})


class TokensResource(BaseResource):
    """API token refresh.

    Example:
        >>> pair = client.tokens.refresh(org_id, api_key_id, refresh_token)
        >>> pair["access_token"], pair["refresh_token"]
    """

    @_documented
    def refresh(self, org_id: str, api_key_id: str, refresh_token: str) -> Dict[str, Any]:
        """Exchange a refresh token for a new access and refresh token. The old refresh token stops
        working: keep the new one. ``Client.from_credentials`` does this by itself.

        Args:
            org_id: the organization of the API key.
            api_key_id: the API key's UUID.
            refresh_token: the refresh token.

        Returns:
            ``{"access_token", "expires_in", "refresh_token", "refresh_token_expires_in",
            "token_type"}``.
        """
        return self._send("tokens.refresh", {
            "org_id": org_id, "api_key_id": api_key_id, "refresh_token": refresh_token,
        })


def _coroutine_variant(method: Callable[..., Any]) -> Callable[..., Any]:
    """``method`` as a coroutine function: the same signature and docstring, and everything it does
    (checks included) happens when it is awaited, so every failure arrives at the ``await``."""
    @functools.wraps(method)
    async def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        result = method(self, *args, **kwargs)
        if inspect.isawaitable(result):
            result = await result
        return result
    return call


def _async_class(sync: type, doc: str) -> type:
    """The ``Async`` twin of a resource class: each method that sends becomes a coroutine function;
    ``build_products_from_claim_info`` (no request) stays a plain method."""
    methods: Dict[str, Any] = {"__doc__": doc, "__module__": __name__}
    for name, member in vars(sync).items():
        if callable(member) and not name.startswith("_") and name != "build_products_from_claim_info":
            methods[name] = _coroutine_variant(member)
    return type(f"Async{sync.__name__}", (sync,), methods)


AsyncOrganizationsResource = _async_class(
    OrganizationsResource, "Organizations, for ``AsyncClient``: each method is a coroutine function.")
AsyncSubscriptionsResource = _async_class(
    SubscriptionsResource, "Subscriptions, for ``AsyncClient``: each method that sends is a coroutine function.")
AsyncUsersResource = _async_class(UsersResource, "Users, for ``AsyncClient``: each method is a coroutine function.")
AsyncGroupsResource = _async_class(
    GroupsResource, "Admin groups, for ``AsyncClient``: each method is a coroutine function.")
AsyncRolesResource = _async_class(RolesResource, "Roles, for ``AsyncClient``: each method is a coroutine function.")
AsyncTokensResource = _async_class(
    TokensResource, "Token refresh, for ``AsyncClient``: ``refresh`` is a coroutine function.")

__all__ = ["BaseResource", "OrganizationsResource", "SubscriptionsResource", "UsersResource", "GroupsResource",
           "RolesResource", "TokensResource", "AsyncOrganizationsResource", "AsyncSubscriptionsResource",
           "AsyncUsersResource", "AsyncGroupsResource", "AsyncRolesResource", "AsyncTokensResource"]
