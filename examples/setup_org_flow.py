"""Complete onboarding of an organization with the SCC SDK: organization details, claiming a
subscription, inviting users, an admin group with those users, and a product role for the group.

Configuration: edit the constants below, or set them in the environment (SCC_ACCESS_TOKEN, SCC_ORG_ID,
SCC_CLAIM_CODE, SCC_BASE_URL, SCC_USERS_TO_INVITE as comma-separated e-mails). Against the local
emulator: `scc emulator --env-file scc.env && . ./scc.env` (or `scc_sdk.testing.Emulator().environment()`).

    python3 examples/setup_org_flow.py
"""

from __future__ import annotations

import os
import sys
from typing import Any, Dict, List, Optional

from scc_sdk import Client, ConflictError, NotFoundError, SCCError, ValidationError

# ---- configuration ---------------------------------------------------------------------------------
ACCESS_TOKEN = os.environ.get("SCC_ACCESS_TOKEN", "your_access_token_here")
ORG_ID = os.environ.get("SCC_ORG_ID", "your-organization-uuid")
CLAIM_CODE = os.environ.get("SCC_CLAIM_CODE", "XXXX-XXXX-XXXX-XXXX")
BASE_URL = os.environ.get("SCC_BASE_URL", "https://api.security.cisco.com")
USERS_TO_INVITE: List[Dict[str, str]] = [
    {"email": email.strip(), "first_name": "Workshop", "last_name": f"User {number}"}
    for number, email in enumerate(
        os.environ.get("SCC_USERS_TO_INVITE", "alice@example.com,bob@example.com").split(","), start=1)
]
GROUP_NAME = "Onboarding Administrators"
PRODUCT_NAME = "Security Cloud Control"
ROLE_NAME = "Organization Administrator"
PREFERRED_REGION = "NAM"
# -----------------------------------------------------------------------------------------------------


def step(number: int, title: str) -> None:
    print(f"\n[{number}/6] {title}")


def claim_subscription(client: Client) -> Optional[Dict[str, Any]]:
    try:
        claim_info = client.subscriptions.read_claim_code(org_id=ORG_ID, claim_code=CLAIM_CODE)
    except ConflictError:
        print(f"  claim code {CLAIM_CODE} was already claimed; skipping")
        return None
    print(f"  claim code: {claim_info.get('name')} with {len(claim_info.get('products', []))} products")
    products = client.subscriptions.build_products_from_claim_info(claim_info, preferred_region=PREFERRED_REGION)
    subscription: Dict[str, Any] = client.subscriptions.create(org_id=ORG_ID, claim_code=CLAIM_CODE,
                                                              products=products)
    print(f"  claimed subscription {subscription.get('id')}")
    return subscription


def invite_users(client: Client) -> List[str]:
    result = client.users.patch(org_id=ORG_ID, users=[
        {"email": user["email"], "operation": "invite", "firstName": user["first_name"],
         "lastName": user["last_name"]}
        for user in USERS_TO_INVITE
    ])
    invited = []
    for item in result.get("results", []):
        note = item.get("errorDescription", "")
        print(f"  {item.get('id')}: {item.get('status')} {note}".rstrip())
        if item.get("status") == "success" or "already" in note:
            invited.append(str(item.get("id")))
    return invited


def admin_group(client: Client) -> Dict[str, Any]:
    for group in client.iter_groups(ORG_ID):
        if group.get("name") == GROUP_NAME:
            print(f"  group exists: {group['id']}")
            return group
    group = client.groups.create(org_id=ORG_ID, name=GROUP_NAME, description="Created by setup_org_flow.py",
                                 applies_to="all")
    print(f"  created group {group['id']}")
    return group


def main() -> int:
    with Client(access_token=ACCESS_TOKEN, base_url=BASE_URL) as client:
        try:
            step(1, "Organization details")
            org = client.organizations.get(org_id=ORG_ID)
            print(f"  {org['name']} ({org.get('type')}, {org.get('regionCode')})")

            step(2, "Claiming the subscription")
            claim_subscription(client)

            step(3, "Inviting users")
            invited = invite_users(client)

            step(4, "Admin group")
            group = admin_group(client)

            step(5, "Adding the users to the group")
            if invited:
                result = client.groups.patch(org_id=ORG_ID, group_id=group["id"],
                                             users=[{"operation": "add", "id": email} for email in invited])
                for item in result.get("results", []):
                    print(f"  {item.get('id')}: {item.get('status')} {item.get('errorDescription', '')}".rstrip())

            step(6, f"Assigning '{ROLE_NAME}' of {PRODUCT_NAME} to the group")
            role_id = client.roles.find_role_id(org_id=ORG_ID, product_name=PRODUCT_NAME,
                                                role_display_name=ROLE_NAME)
            if role_id is None:
                print("  role not found")
                return 1
            assignment = client.roles.patch(org_id=ORG_ID, role_id=role_id,
                                            groups=[{"operation": "add", "id": group["id"]}])
            summary = assignment["summary"]
            print(f"  {summary['succeeded']} of {summary['total']} assignments succeeded")
        except NotFoundError as error:
            print(f"Not found: {error.message} (tracking id {error.tracking_id})", file=sys.stderr)
            return 1
        except ValidationError as error:
            print(f"Invalid request: {error.message} (tracking id {error.tracking_id})", file=sys.stderr)
            return 1
        except SCCError as error:
            print(f"API error: {error}", file=sys.stderr)
            return 1
    print("\nOnboarding complete.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
