"""``scc_sdk.resources.tokens``: as in cisco-scc-sdk."""

from .._resources import AsyncTokensResource, TokensResource

__all__ = ["AsyncTokensResource", "TokensResource"]
