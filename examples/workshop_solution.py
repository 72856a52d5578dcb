"""SCC SDK workshop: the six exercises, solved (the twin of workshop_template.py).

Configuration from the environment: SCC_ACCESS_TOKEN, SCC_ORG_ID, SCC_CLAIM_CODE, SCC_BASE_URL
(see setup_org_flow.py for pointing it at the local emulator).

    python3 examples/workshop_solution.py
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Optional

from scc_sdk import Client, ConflictError, NotFoundError, SCCError, ValidationError

ACCESS_TOKEN = os.environ.get("SCC_ACCESS_TOKEN", "your_access_token_here")
ORG_ID = os.environ.get("SCC_ORG_ID", "your-organization-uuid")
CLAIM_CODE = os.environ.get("SCC_CLAIM_CODE", "XXXX-XXXX-XXXX-XXXX")
BASE_URL = os.environ.get("SCC_BASE_URL", "https://api.security.cisco.com")
WORKSHOP_USER = {"email": "workshop.user@example.com", "first_name": "Workshop", "last_name": "User"}
GROUP_NAME = "Workshop Administrators"


def exercise_1_organization(client: Client) -> Dict[str, Any]:
    """Exercise 1: get the organization's details."""
    org: Dict[str, Any] = client.organizations.get(org_id=ORG_ID)
    print(f"  organization: {org['name']} ({org.get('regionCode')})")
    return org


def exercise_2_subscription(client: Client) -> Optional[Dict[str, Any]]:
    """Exercise 2: read the claim code, then claim it with the products it offers."""
    try:
        claim_info = client.subscriptions.read_claim_code(org_id=ORG_ID, claim_code=CLAIM_CODE)
    except ConflictError:
        print("  the claim code is already claimed")
        return None
    products = client.subscriptions.build_products_from_claim_info(claim_info)
    subscription: Dict[str, Any] = client.subscriptions.create(org_id=ORG_ID, claim_code=CLAIM_CODE,
                                                              products=products)
    print(f"  claimed subscription {subscription['id']}")
    return subscription


def exercise_3_invite(client: Client) -> Dict[str, Any]:
    """Exercise 3: invite a user."""
    result: Dict[str, Any] = client.users.invite(org_id=ORG_ID, email=WORKSHOP_USER["email"],
                                                 first_name=WORKSHOP_USER["first_name"],
                                                 last_name=WORKSHOP_USER["last_name"])
    print(f"  invite: {result['results'][0]['status']}")
    return result


def exercise_4_group(client: Client) -> Dict[str, Any]:
    """Exercise 4: create an admin group (or find the one made by an earlier run)."""
    existing = [group for group in client.iter_groups(ORG_ID) if group.get("name") == GROUP_NAME]
    if existing:
        print(f"  group exists: {existing[0]['id']}")
        return existing[0]
    group: Dict[str, Any] = client.groups.create(org_id=ORG_ID, name=GROUP_NAME, description="Workshop group",
                                                 applies_to="all")
    print(f"  created group {group['id']}")
    return group


def exercise_5_members(client: Client, group: Dict[str, Any]) -> Dict[str, Any]:
    """Exercise 5: add the invited user to the group."""
    result: Dict[str, Any] = client.groups.patch(org_id=ORG_ID, group_id=group["id"],
                                                 users=[{"operation": "add", "id": WORKSHOP_USER["email"]}])
    print(f"  add member: {result['results'][0]['status']}")
    return result


def exercise_6_role(client: Client, group: Dict[str, Any]) -> Optional[str]:
    """Exercise 6: find the Organization Administrator role and assign it to the group."""
    role_id: Optional[str] = client.roles.find_role_id(org_id=ORG_ID, product_name="Security Cloud Control",
                                                       role_display_name="Organization Administrator")
    if role_id is None:
        print("  role not found")
        return None
    result = client.roles.patch(org_id=ORG_ID, role_id=role_id, groups=[{"operation": "add", "id": group["id"]}])
    print(f"  role assignment: all successful = {result['summary']['all_successful']}")
    return role_id


def run(step: str, work: Callable[[], Any], done: List[str]) -> Any:
    print(f"\n{step}")
    try:
        value = work()
        done.append(step)
        return value
    except NotImplementedError as todo:
        print(f"  TODO: {todo}")
    except NotFoundError as error:
        print(f"  not found: {error.message} (tracking id {error.tracking_id})")
    except ValidationError as error:
        print(f"  invalid request: {error.message}")
    except SCCError as error:
        print(f"  API error: {error}")
    return None


def main() -> int:
    done: List[str] = []
    with Client(access_token=ACCESS_TOKEN, base_url=BASE_URL) as client:
        run("Exercise 1: organization details", lambda: exercise_1_organization(client), done)
        run("Exercise 2: claim a subscription", lambda: exercise_2_subscription(client), done)
        run("Exercise 3: invite a user", lambda: exercise_3_invite(client), done)
        group = run("Exercise 4: create an admin group", lambda: exercise_4_group(client), done)
        if group is not None:
            run("Exercise 5: add the user to the group", lambda: exercise_5_members(client, group), done)
            run("Exercise 6: assign a role", lambda: exercise_6_role(client, group), done)
    print(f"\n{len(done)} of 6 exercises completed.")
    return 0 if len(done) == 6 else 1


if __name__ == "__main__":
    sys.exit(main())
