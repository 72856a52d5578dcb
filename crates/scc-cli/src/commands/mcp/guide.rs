//! What the server offers besides tools: the plan file's JSON Schema and the exit-code table as
//! resources, and prompts for the common tasks.

use rmcp::model::{
    GetPromptResult, Prompt, PromptArgument, PromptMessage, ReadResourceResult, Resource, ResourceContents, Role,
};
use serde_json::{Map, Value};

pub(crate) const PLAN_FILE_SCHEMA: &str = "scc://schema/plan-file";
pub(crate) const EXIT_CODES: &str = "scc://exit-codes";

pub(crate) fn resources() -> Vec<Resource> {
    vec![
        Resource::new(PLAN_FILE_SCHEMA, "plan-file-schema")
            .with_title("The plan file's JSON Schema")
            .with_description("The shape of a plan document for the `plan` tool, `scc plan` and `scc apply`.")
            .with_mime_type("application/schema+json"),
        Resource::new(EXIT_CODES, "exit-codes")
            .with_title("scc's exit codes")
            .with_description("What each exit code of scc means; tool errors name the same kinds.")
            .with_mime_type("text/plain"),
    ]
}

pub(crate) fn read(uri: &str) -> Option<ReadResourceResult> {
    let text = match uri {
        PLAN_FILE_SCHEMA => serde_json::to_string_pretty(&scc_apply::plan_file_schema()).ok()?,
        EXIT_CODES => crate::failure::EXIT_CODES.to_owned(),
        _ => return None,
    };
    Some(ReadResourceResult::new(vec![ResourceContents::text(text, uri)]))
}

pub(crate) fn prompts() -> Vec<Prompt> {
    vec![
        Prompt::new(
            "onboard_customer",
            Some("Onboard a customer organization like an existing one (its baseline): same groups, roles and admins."),
            Some(vec![
                PromptArgument::new("customer")
                    .with_description("The new customer's organization name")
                    .with_required(true),
                PromptArgument::new("baseline")
                    .with_description("The organization to copy (name or id)")
                    .with_required(true),
                PromptArgument::new("region").with_description("NAM, EMEA or APJC (for a new organization)"),
            ]),
        ),
        Prompt::new(
            "audit_admins",
            Some(
                "Who is an admin where: every organization's users with the Organization Administrator role, and pending invites.",
            ),
            Some(vec![PromptArgument::new("organization").with_description(
                "Only this organization (name or id); all when left out",
            )]),
        ),
    ]
}

fn argument<'a>(arguments: Option<&'a Map<String, Value>>, name: &str) -> Option<&'a str> {
    arguments?.get(name)?.as_str().filter(|value| !value.trim().is_empty())
}

pub(crate) fn prompt(name: &str, arguments: Option<&Map<String, Value>>) -> Result<GetPromptResult, String> {
    let text = match name {
        "onboard_customer" => {
            let customer = argument(arguments, "customer").ok_or("customer is required")?;
            let baseline = argument(arguments, "baseline").ok_or("baseline is required")?;
            let region = argument(arguments, "region").unwrap_or("the baseline's region");
            format!(
                "Onboard the customer organization {customer:?} like {baseline:?}.\n\
                 1. Read the baseline: organizations_get, groups_list, roles_list, users_list (follow next_cursor to the end).\n\
                 2. Write a plan document in the shape of the resource {PLAN_FILE_SCHEMA}: one organization named {customer:?} \
                 with create: true and region {region}, the baseline's groups (names, descriptions, applies_to) and role \
                 assignments to those groups. Leave out the baseline's users unless the person lists the customer's admins.\n\
                 3. Call plan with the document and show the person its text. Never apply a change set with problems.\n\
                 4. Call apply with the change_set id; the person confirms it there."
            )
        }
        "audit_admins" => {
            let scope = argument(arguments, "organization")
                .map(|org| format!("the organization {org:?}"))
                .unwrap_or_else(|| "every organization (organizations_list, following next_cursor)".to_owned());
            format!(
                "Audit who is an admin in {scope}.\n\
                 For each organization: users_list with status and the roles of its groups (groups_list, \
                 groups_get_assigned_roles, groups_get_users); report per organization the users holding \
                 Organization Administrator (directly or through a group), and invited users who have not accepted. \
                 Read only: change nothing."
            )
        }
        other => return Err(format!("no prompt is named {other:?}")),
    };
    Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]))
}
