//! `scc export`: the state of organizations as a plan `scc apply` reads (the engine's export), so that
//! `scc plan` on the export reports no change and a tenant can be put under version control.

use futures_util::TryStreamExt;
use scc_sdk::types::Organization;

use crate::cli::Format;
use crate::commands::Ctx;
use crate::failure::{CliError, Code};

pub(crate) async fn run(ctx: &Ctx) -> Result<Code, CliError> {
    let client = ctx.settings.client()?;
    // `--org` on the command line (repeatable) exports those organizations; otherwise every one the
    // token reaches. A name works here as wherever an organization's id is asked.
    let orgs: Vec<Organization> = if ctx.global.org.is_empty() {
        client.organizations().list().max(500).items().try_collect().await?
    } else {
        let mut orgs = Vec::new();
        for text in &ctx.global.org {
            let id = crate::resolve::org(&client, text).await?;
            if !orgs.iter().any(|org: &Organization| org.id == id.as_str()) {
                orgs.push(client.organizations().get(id.as_str()).await?);
            }
        }
        orgs
    };
    let plan = scc_apply::export(&client, orgs).await?;
    match ctx.ui.format {
        Format::Json | Format::Ndjson => ctx.ui.item(&serde_json::to_value(&plan).unwrap_or_default(), &[]),
        _ => {
            let text = serde_norway::to_string(&plan)
                .map_err(|error| CliError::failure(format!("cannot write the plan as YAML: {error}"), None))?;
            ctx.ui.write_stdout(&text);
        }
    }
    Ok(Code::Ok)
}
