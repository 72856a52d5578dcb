"""Cisco XDR identity profile: who the token acts for, the organization, and the seed's rules.

    from scc_sdk.xdr import XdrClient

    xdr = XdrClient(client_id="client-...", client_secret="...", region="eu")
    me = xdr.profile.whoami()
    print(xdr.rules(me)["non_admins_may_log_in"])
"""

from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from . import _native
from ._client import _decode, _follow_log_level

__all__ = ["XdrClient", "Profile"]


class Profile:
    """``/iroh/profile``: whoami and the organization."""

    def __init__(self, native: Any) -> None:
        self._native = native

    def _call(self, operation: str, args: Dict[str, Any]) -> Dict[str, Any]:
        _follow_log_level()
        result: Dict[str, Any] = _decode(self._native.call(operation, args))
        return result

    def whoami(self) -> Dict[str, Any]:
        """The user the token acts for and their organization.

        Returns:
            ``{"user": {...}, "org": {...}}`` as the XDR profile API answers it.

        Raises:
            AuthenticationError: the client credentials or token were refused.
            SCCError: its subclass for any other failure.
        """
        return self._call("xdr.whoami", {})

    def org(self) -> Dict[str, Any]:
        """The organization of the token.

        Returns:
            The organization as the XDR profile API answers it (``name``, ``settings``, ...).

        Raises:
            SCCError: its subclass for the failure.
        """
        return self._call("xdr.org", {})

    def update_org(self, *, name: Optional[str] = None, allow_all_roles_to_login: Any = ...,
                   enabled: Optional[bool] = None, allow_all_role_to_login: Any = ...,
                   additional_scopes: Optional[List[str]] = None) -> Dict[str, Any]:
        """Change the fields given (``None`` clears a login flag). Admins may change ``name`` and
        ``allow_all_roles_to_login`` (in ``settings``); the rest needs the master role.

        Args:
            name: the organization's new name.
            allow_all_roles_to_login: whether every role may log in (``settings``).
            enabled: the organization's ``enabled?`` flag (master role).
            allow_all_role_to_login: the top-level ``allow-all-role-to-login`` flag (master role).
            additional_scopes: the organization's ``additional-scopes`` (master role).

        Returns:
            The organization after the change.

        Raises:
            InvalidInputError: nothing to change, or a value of the wrong type; nothing was sent.
            ForbiddenError, ValidationError: the service refused the change.
        """
        args: Dict[str, Any] = {"name": name, "enabled": enabled, "additional_scopes": additional_scopes}
        if allow_all_roles_to_login is not ...:
            args["allow_all_roles_to_login"] = allow_all_roles_to_login
        if allow_all_role_to_login is not ...:
            args["allow_all_role_to_login"] = allow_all_role_to_login
        return self._call("xdr.update_org", args)


class XdrClient:
    """Client of the XDR profile API: OAuth2 client credentials (fetched and cached by the Rust core)
    or a bearer token; ``region`` us, eu or apjc, or a ``base_url`` of your own."""

    def __init__(self, client_id: Optional[str] = None, client_secret: Optional[str] = None, *,
                 token: Optional[str] = None, region: str = "us", base_url: Optional[str] = None,
                 timeout: float = 30) -> None:
        self._native = _native.NativeXdrClient(client_id=client_id, client_secret=client_secret, token=token,
                                               region=region, base_url=base_url, timeout=float(timeout))
        self.profile = Profile(self._native)

    @staticmethod
    def rules(whoami: Dict[str, Any]) -> Dict[str, Any]:
        """The seed's rules applied to a whoami answer: ``display_name``, ``identity_provider``,
        ``is_activated``, ``any_user_can_log_in``, ``non_admins_may_log_in`` and the deciding
        ``login_rule``."""
        rules: Dict[str, Any] = _native.xdr_rules(json.dumps(whoami).encode())
        return rules

    def __repr__(self) -> str:
        return "XdrClient()"
