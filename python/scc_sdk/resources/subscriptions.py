"""``scc_sdk.resources.subscriptions``: as in cisco-scc-sdk."""

from .._resources import AsyncSubscriptionsResource, SubscriptionsResource

__all__ = ["AsyncSubscriptionsResource", "SubscriptionsResource"]
