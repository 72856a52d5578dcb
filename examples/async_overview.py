"""The SCC SDK with asyncio: an organization's overview fetched concurrently, every organization paged
through with `async for`, and many invitations at once.

Configuration from the environment: SCC_ACCESS_TOKEN, SCC_ORG_ID, SCC_BASE_URL (see setup_org_flow.py).

    python3 examples/async_overview.py
"""

from __future__ import annotations

import asyncio
import os
import sys
from typing import Any, Dict, List

from scc_sdk import AsyncClient, SCCError

ACCESS_TOKEN = os.environ.get("SCC_ACCESS_TOKEN", "your_access_token_here")
ORG_ID = os.environ.get("SCC_ORG_ID", "your-organization-uuid")
BASE_URL = os.environ.get("SCC_BASE_URL", "https://api.security.cisco.com")


async def overview(client: AsyncClient) -> None:
    org, subscriptions, groups, users = await asyncio.gather(
        client.organizations.get(org_id=ORG_ID),
        client.subscriptions.list(org_id=ORG_ID),
        client.groups.list(org_id=ORG_ID),
        client.users.list(org_id=ORG_ID),
    )
    print(f"{org['name']}: {len(subscriptions)} subscriptions, {len(groups.get('groups', []))} groups, "
          f"{len(users.get('users', []))} users")
    names = [managed["name"] async for managed in client.iter_organizations(manager_org_id=ORG_ID)]
    print(f"manages {len(names)} organizations: {', '.join(sorted(names))}")


async def invite_many(client: AsyncClient, count: int) -> None:
    emails = [f"async.user{number}@example.com" for number in range(count)]
    results: List[Dict[str, Any]] = await asyncio.gather(*[
        client.users.invite(org_id=ORG_ID, email=email, first_name="Async", last_name=f"User {number}")
        for number, email in enumerate(emails)
    ])
    succeeded = sum(1 for result in results if result["results"][0]["status"] == "success")
    print(f"invited {succeeded} of {count} users concurrently")


async def main() -> int:
    async with AsyncClient(access_token=ACCESS_TOKEN, base_url=BASE_URL) as client:
        try:
            await overview(client)
            await invite_many(client, 20)
        except SCCError as error:
            print(f"API error: {error}", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
