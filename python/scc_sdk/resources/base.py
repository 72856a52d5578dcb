"""``scc_sdk.resources.base``: as in cisco-scc-sdk."""

from .._resources import BaseResource

__all__ = ["BaseResource"]
