"""`scc mcp` driven by the official Python MCP client (`mcp`) over stdio, against the emulator.

Run by scripts/test in the test venv (with `mcp` installed there) and SCC_BINARY naming the built
`scc`. Everything the server writes to the client is kept, and no token may appear in it.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

import anyio
import mcp_types as types
import pytest
from mcp.client.session import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client

from scc_sdk.testing import Emulator

SCC = os.environ.get("SCC_BINARY") or str(Path(__file__).resolve().parents[2] / "target" / "debug" / "scc")


@pytest.fixture(scope="module")
def emulator() -> Any:
    with Emulator() as emulator:
        yield emulator


class Transcript:
    """Every message the server sent, as JSON text."""

    def __init__(self) -> None:
        self.lines: List[str] = []

    def keep(self, value: Any) -> Any:
        self.lines.append(value.model_dump_json() if hasattr(value, "model_dump_json") else json.dumps(value))
        return value

    def text(self) -> str:
        return "\n".join(self.lines)


Elicit = Callable[[Any, types.ElicitRequestParams], Any]


def session_run(emulator: Emulator, work: Callable[[ClientSession, Transcript], Any], *, flags: List[str],
                elicit: Optional[Elicit] = None, env: Optional[Dict[str, str]] = None) -> Transcript:
    transcript = Transcript()
    config = tempfile.mkdtemp(prefix="scc-mcp-")
    environment = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": config,
        "SCC_CONFIG_DIR": config,
        "SCC_BASE_URL": emulator.base_url,
        "SCC_ACCESS_TOKEN": emulator.admin_token,
        "SCC_ORG_ID": emulator.org_id,
        **(env or {}),
    }
    parameters = StdioServerParameters(command=SCC, args=["mcp", *flags], env=environment)

    async def main() -> None:
        async with stdio_client(parameters) as (read, write):
            async with ClientSession(read, write, elicitation_callback=elicit) as session:
                transcript.keep(await session.initialize())
                await work(session, transcript)

    anyio.run(main)
    return transcript


def structured(result: Any) -> Dict[str, Any]:
    assert result.structured_content is not None, result
    value: Dict[str, Any] = result.structured_content
    return value


def test_tools_are_the_catalogs_reads_each_with_schemas_and_true_annotations(emulator: Emulator) -> None:
    from scc_sdk import _native

    async def work(session: ClientSession, transcript: Transcript) -> None:
        tools = transcript.keep(await session.list_tools()).tools
        by_name = {tool.name: tool for tool in tools}
        reads = [operation for operation in _native.operations()
                 if operation["reads"] and operation["method"] is not None]
        for operation in reads:
            assert operation["name"].replace(".", "_") in by_name, operation["name"]
        assert "whoami" in by_name
        assert not {"plan", "apply", "invite_user", "update_user"} & set(by_name), "writes offered read-only"
        for tool in tools:
            assert tool.input_schema["type"] == "object", tool.name
            assert tool.output_schema is not None and tool.output_schema["type"] == "object", tool.name
            hints = tool.annotations
            assert hints is not None and hints.read_only_hint is True, tool.name
            assert hints.destructive_hint is False and hints.idempotent_hint is True, tool.name
        users = by_name["users_list"]
        assert users.input_schema["required"] == ["organization"]
        assert {"page_size", "cursor", "status"} <= set(users.input_schema["properties"])

    session_run(emulator, work, flags=[])


def test_reads_take_names_and_lists_page_with_a_cursor(emulator: Emulator) -> None:
    client = emulator.client()
    org = client.organizations.get(org_id=emulator.org_id)
    existing = len(client.users.list(org_id=emulator.org_id)["users"])
    client.users.patch(org_id=emulator.org_id, users=[
        {"email": f"page{index}@mcp.example", "firstName": "Page", "lastName": str(index), "operation": "invite"}
        for index in range(230)])
    total = existing + 230

    async def work(session: ClientSession, transcript: Transcript) -> None:
        got = structured(transcript.keep(await session.call_tool("organizations_get", {"organization": org["name"]})))
        assert got["id"] == emulator.org_id
        seen: List[str] = []
        cursor: Optional[str] = None
        pages = 0
        while True:
            arguments: Dict[str, Any] = {"organization": org["name"], "page_size": 100}
            if cursor:
                arguments["cursor"] = cursor
            page = structured(transcript.keep(await session.call_tool("users_list", arguments)))
            assert page["total"] == total and len(page["items"]) <= 100
            seen.extend(user["email"] for user in page["items"])
            pages += 1
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert pages == 3 and len(seen) == total and len(set(seen)) == total
        one = structured(transcript.keep(await session.call_tool(
            "users_get", {"organization": emulator.org_id, "user": "page7@mcp.example"})))
        assert one["email"] == "page7@mcp.example"
        who = structured(transcript.keep(await session.call_tool("whoami", {})))
        assert who["org_id"] == emulator.org_id and who["org_name"] == org["name"]
        missing = transcript.keep(await session.call_tool(
            "groups_get", {"organization": emulator.org_id, "group": "00000000-0000-0000-0000-000000000000"}))
        assert missing.is_error and structured(missing)["kind"] == "not_found"
        assert structured(missing)["tracking_id"]
        refused = transcript.keep(await session.call_tool("users_list", {"organization": emulator.org_id,
                                                                         "page_size": 9999}))
        assert refused.is_error and structured(refused)["kind"] == "usage"
        assert "page_size" in structured(refused)["message"]
        stranger = transcript.keep(await session.call_tool("users_list", {"organization": emulator.org_id,
                                                                          "colour": "red"}))
        assert stranger.is_error and "colour" in structured(stranger)["message"]

    transcript = session_run(emulator, work, flags=[])
    assert emulator.admin_token not in transcript.text()


def test_writes_are_refused_without_allow_writes(emulator: Emulator) -> None:
    async def work(session: ClientSession, transcript: Transcript) -> None:
        refused = transcript.keep(await session.call_tool("plan", {"document": {"organizations": []}}))
        assert refused.is_error
        assert structured(refused)["kind"] == "auth" and "--allow-writes" in structured(refused)["hint"]

    session_run(emulator, work, flags=[])


def invite_plan(org_id: str, email: str) -> Dict[str, Any]:
    return {"organizations": [{"id": org_id, "users": [
        {"email": email, "first_name": "Mia", "last_name": "Mcp", "admin": False}]}]}


def answer(accept: bool, asked: List[str]) -> Elicit:
    async def elicit(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params.message)
        if accept:
            return types.ElicitResult(action="accept", content={"apply": True})
        return types.ElicitResult(action="decline")
    return elicit


def test_plan_then_apply_confirmed_by_the_person_writes_the_journal(emulator: Emulator) -> None:
    asked: List[str] = []
    journal = Path(tempfile.mkdtemp(prefix="scc-journal-")) / "journal.jsonl"
    email = "mia.yes@mcp.example"

    async def work(session: ClientSession, transcript: Transcript) -> None:
        names = {tool.name: tool for tool in (await session.list_tools()).tools}
        assert names["apply"].annotations.destructive_hint is True
        assert names["apply"].annotations.read_only_hint is False
        planned = structured(transcript.keep(await session.call_tool("plan", {"document": invite_plan(
            emulator.org_id, email)})))
        assert planned["changes"] == 1 and planned["problems"] == 0
        assert f"+ invite user {email}" in planned["text"]
        done = structured(transcript.keep(await session.call_tool("apply", {"change_set": planned["change_set"]})))
        assert done["applied"] is True and done["confirmed_by"].startswith("the person")
        again = transcript.keep(await session.call_tool("apply", {"change_set": planned["change_set"]}))
        assert again.is_error and "applied once" in structured(again)["message"]

    transcript = session_run(emulator, work, flags=["--allow-writes"], elicit=answer(True, asked),
                             env={"SCC_JOURNAL": str(journal)})
    assert len(asked) == 1 and email in asked[0]
    users = emulator.client().users.list(org_id=emulator.org_id)["users"]
    assert email in {user["email"] for user in users}
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert [(line["action"], line["via"], line["outcome"]) for line in lines] == [("invite", "mcp", "ok")]
    assert emulator.admin_token not in transcript.text() + journal.read_text()


def test_a_change_set_the_person_declines_changes_nothing(emulator: Emulator) -> None:
    asked: List[str] = []
    email = "mia.no@mcp.example"

    async def work(session: ClientSession, transcript: Transcript) -> None:
        planned = structured(await session.call_tool("invite_user", {
            "organization": emulator.org_id, "email": email, "first_name": "Mia", "last_name": "No"}))
        refused = transcript.keep(await session.call_tool("apply", {"change_set": planned["change_set"]}))
        assert refused.is_error and structured(refused)["kind"] == "declined"

    session_run(emulator, work, flags=["--allow-writes"], elicit=answer(False, asked))
    assert len(asked) == 1
    users = emulator.client().users.list(org_id=emulator.org_id)["users"]
    assert email not in {user["email"] for user in users}


def test_without_elicitation_apply_needs_yes_given_to_the_server(emulator: Emulator) -> None:
    email = "mia.flag@mcp.example"

    async def refused(session: ClientSession, transcript: Transcript) -> None:
        planned = structured(await session.call_tool("plan", {"document": invite_plan(emulator.org_id, email)}))
        result = await session.call_tool("apply", {"change_set": planned["change_set"]})
        assert result.is_error and "--yes" in structured(result)["hint"]

    session_run(emulator, refused, flags=["--allow-writes"])
    assert email not in {user["email"] for user in emulator.client().users.list(org_id=emulator.org_id)["users"]}

    async def confirmed(session: ClientSession, transcript: Transcript) -> None:
        planned = structured(await session.call_tool("plan", {"document": invite_plan(emulator.org_id, email)}))
        done = structured(await session.call_tool("apply", {"change_set": planned["change_set"]}))
        assert done["applied"] is True and "--yes" in done["confirmed_by"]

    session_run(emulator, confirmed, flags=["--allow-writes", "--yes"])
    assert email in {user["email"] for user in emulator.client().users.list(org_id=emulator.org_id)["users"]}


def test_a_stale_change_set_is_refused_and_nothing_is_made(emulator: Emulator) -> None:
    email = "mia.stale@mcp.example"
    other = "someone.else@mcp.example"

    async def work(session: ClientSession, transcript: Transcript) -> None:
        planned = structured(await session.call_tool("plan", {"document": invite_plan(emulator.org_id, email)}))
        # The state changes after the plan: another user appears in the organization.
        emulator.client().users.invite(org_id=emulator.org_id, email=other, first_name="S", last_name="E")
        refused = transcript.keep(await session.call_tool("apply", {"change_set": planned["change_set"]}))
        assert refused.is_error and structured(refused)["kind"] == "plan_changed"

    session_run(emulator, work, flags=["--allow-writes"], elicit=answer(True, []))
    emails = {user["email"] for user in emulator.client().users.list(org_id=emulator.org_id)["users"]}
    assert email not in emails and other in emails


def test_update_user_of_nobody_is_not_found_and_resources_and_prompts_are_served(emulator: Emulator) -> None:
    async def work(session: ClientSession, transcript: Transcript) -> None:
        missing = await session.call_tool("update_user", {
            "organization": emulator.org_id, "email": "nobody@mcp.example", "first_name": "N", "last_name": "B"})
        assert missing.is_error and structured(missing)["kind"] == "not_found"
        resources = {str(resource.uri) for resource in (await session.list_resources()).resources}
        assert resources == {"scc://schema/plan-file", "scc://exit-codes"}
        schema = json.loads((await session.read_resource("scc://schema/plan-file")).contents[0].text)
        assert schema["required"] == ["organizations"]
        import jsonschema
        jsonschema.validate(invite_plan(emulator.org_id, "x@mcp.example"), schema)
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"organizations": [{"name": "A", "colour": "red"}]}, schema)
        codes = (await session.read_resource("scc://exit-codes")).contents[0].text
        assert "not found" in codes
        prompts = {prompt.name for prompt in (await session.list_prompts()).prompts}
        assert prompts == {"onboard_customer", "audit_admins"}
        onboard = await session.get_prompt("onboard_customer", {"customer": "Initech", "baseline": "East"})
        assert "Initech" in onboard.messages[0].content.text

    session_run(emulator, work, flags=["--allow-writes"])


def test_plan_reads_only_plan_files_and_scopes_to_the_organizations_named(emulator: Emulator) -> None:
    folder = Path(tempfile.mkdtemp(prefix="scc-plan-"))
    plan_file = folder / "customers.yaml"
    plan_file.write_text(f"organizations:\n  - id: {emulator.org_id}\n    users:\n"
                         "      - {email: file.user@mcp.example, first_name: F, last_name: U}\n")
    secret = folder / "secret.txt"
    secret.write_text("not a plan")

    async def work(session: ClientSession, transcript: Transcript) -> None:
        planned = structured(await session.call_tool("plan", {"path": str(plan_file)}))
        assert planned["changes"] == 1 and "file.user@mcp.example" in planned["text"]
        refused = await session.call_tool("plan", {"path": str(secret)})
        assert refused.is_error and "not named as a plan file" in structured(refused)["message"]
        outside = await session.call_tool("plan", {"path": str(plan_file), "organizations": ["Nobody Inc"]})
        assert outside.is_error and structured(outside)["kind"] == "usage"
        both = await session.call_tool("plan", {"path": str(plan_file), "document": {"organizations": []}})
        assert both.is_error

    session_run(emulator, work, flags=["--allow-writes"])


def test_disable_user_is_a_change_set_the_person_confirms_and_enable_undoes_it(emulator: Emulator) -> None:
    email = "dee.sable@mcp.example"
    emulator.client().users.invite(org_id=emulator.org_id, email=email, first_name="Dee", last_name="Sable")

    def status() -> str:
        users = emulator.client().users.list(org_id=emulator.org_id)["users"]
        return str(next(user["status"] for user in users if user["email"] == email))

    before = status()
    asked: List[str] = []

    async def work(session: ClientSession, transcript: Transcript) -> None:
        planned = structured(await session.call_tool("disable_user", {"organization": emulator.org_id, "email": email}))
        assert planned["changes"] == 1 and f"- disable user {email}" in planned["text"]
        assert status() == before, "planning changed the user"
        done = structured(await session.call_tool("apply", {"change_set": planned["change_set"]}))
        assert done["applied"] is True
        assert status() == "DISABLED"
        again = structured(await session.call_tool("disable_user", {"organization": emulator.org_id, "email": email}))
        assert again["changes"] == 0, "a disabled user is not disabled twice"
        enable = structured(await session.call_tool("enable_user", {"organization": emulator.org_id, "email": email}))
        assert f"+ enable user {email}" in enable["text"]
        assert structured(await session.call_tool("apply", {"change_set": enable["change_set"]}))["applied"]
        missing = await session.call_tool("disable_user", {"organization": emulator.org_id,
                                                           "email": "nobody@mcp.example"})
        assert missing.is_error and structured(missing)["kind"] == "not_found"

    session_run(emulator, work, flags=["--allow-writes"], elicit=answer(True, asked))
    assert len(asked) == 2 and status() != "DISABLED"
