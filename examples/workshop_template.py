"""SCC SDK workshop: six exercises to complete (30 minutes). Search for TODO, read the HINT, write the
code; the error handling is already in place. The solved twin is workshop_solution.py.

Configuration from the environment: SCC_ACCESS_TOKEN, SCC_ORG_ID, SCC_CLAIM_CODE, SCC_BASE_URL
(see setup_org_flow.py for pointing it at the local emulator).

    python3 examples/workshop_template.py
"""

from __future__ import annotations

import os
import sys
from typing import Any, Callable, Dict, List, Optional

from scc_sdk import Client, NotFoundError, SCCError, ValidationError
from scc_sdk import ConflictError  # noqa: F401 (exercise 2's answer catches it)

ACCESS_TOKEN = os.environ.get("SCC_ACCESS_TOKEN", "your_access_token_here")
ORG_ID = os.environ.get("SCC_ORG_ID", "your-organization-uuid")
CLAIM_CODE = os.environ.get("SCC_CLAIM_CODE", "XXXX-XXXX-XXXX-XXXX")
BASE_URL = os.environ.get("SCC_BASE_URL", "https://api.security.cisco.com")
WORKSHOP_USER = {"email": "workshop.user@example.com", "first_name": "Workshop", "last_name": "User"}
GROUP_NAME = "Workshop Administrators"


def exercise_1_organization(client: Client) -> Dict[str, Any]:
    """Exercise 1: get the organization's details."""
    # TODO: Exercise 1.
    # HINT: client.organizations.get(org_id=ORG_ID) returns a dict with "name" and "regionCode"
    raise NotImplementedError("Exercise 1 is not written yet")


def exercise_2_subscription(client: Client) -> Optional[Dict[str, Any]]:
    """Exercise 2: read the claim code, then claim it with the products it offers."""
    # TODO: Exercise 2.
    # HINT: client.subscriptions.read_claim_code(org_id=, claim_code=), then
    #       client.subscriptions.build_products_from_claim_info(claim_info) and
    #       client.subscriptions.create(org_id=, claim_code=, products=); a used code raises ConflictError
    raise NotImplementedError("Exercise 2 is not written yet")


def exercise_3_invite(client: Client) -> Dict[str, Any]:
    """Exercise 3: invite a user."""
    # TODO: Exercise 3.
    # HINT: client.users.invite(org_id=, email=, first_name=, last_name=) answers {"results": [...]}
    raise NotImplementedError("Exercise 3 is not written yet")


def exercise_4_group(client: Client) -> Dict[str, Any]:
    """Exercise 4: create an admin group (or find the one made by an earlier run)."""
    # TODO: Exercise 4.
    # HINT: look for GROUP_NAME in client.iter_groups(ORG_ID) first, else
    #       client.groups.create(org_id=, name=, description=, applies_to="all")
    raise NotImplementedError("Exercise 4 is not written yet")


def exercise_5_members(client: Client, group: Dict[str, Any]) -> Dict[str, Any]:
    """Exercise 5: add the invited user to the group."""
    # TODO: Exercise 5.
    # HINT: client.groups.patch(org_id=, group_id=group["id"], users=[{"operation": "add", "id": email}])
    raise NotImplementedError("Exercise 5 is not written yet")


def exercise_6_role(client: Client, group: Dict[str, Any]) -> Optional[str]:
    """Exercise 6: find the Organization Administrator role and assign it to the group."""
    # TODO: Exercise 6.
    # HINT: client.roles.find_role_id(org_id=, product_name="Security Cloud Control",
    #       role_display_name="Organization Administrator"), then client.roles.patch(org_id=, role_id=,
    #       groups=[{"operation": "add", "id": group["id"]}]); the answer has a "summary"
    raise NotImplementedError("Exercise 6 is not written yet")


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
