//! `scc mcp`: SCC for AI assistants over the Model Context Protocol (stdio), on the profile, the
//! environment and the flags of every other command. Reads are tools made from the SDK's catalog;
//! writes exist only with `--allow-writes`, and only as change sets: planned, shown, confirmed by
//! the person (MCP elicitation, or `--yes` given when the server was started) and applied exactly,
//! re-read under the lock, with a journal line per change marked `via: mcp`.

mod changes;
mod guide;
mod reads;
mod tools;

use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, GetPromptRequestParams, GetPromptResponse, Implementation,
    ListPromptsResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt};
use serde_json::{Value, json};

use super::Ctx;
use crate::failure::{CliError, Code};

/// What `scc mcp` was started with.
pub(crate) struct Options {
    /// Offer the change-set tools.
    pub(crate) allow_writes: bool,
    /// Apply a change set without asking the person (for clients without elicitation).
    pub(crate) yes: bool,
}

/// A tool's failure as the assistant reads it: the kind (the CLI's exit-code names), the message,
/// the hint and the service's tracking id.
pub(crate) struct ToolError {
    kind: &'static str,
    message: String,
    hint: Option<String>,
    tracking_id: Option<String>,
    /// What is known besides (an apply's organizations: what was made, what was not).
    detail: Option<Value>,
}

impl ToolError {
    pub(crate) fn usage(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            kind: Code::Usage.name(),
            message: message.into(),
            hint: Some(hint.into()),
            tracking_id: None,
            detail: None,
        }
    }

    fn result(self) -> CallToolResult {
        CallToolResult::structured_error(json!({
            "kind": self.kind,
            "message": scc_sdk::text::one_line(&self.message),
            "hint": self.hint,
            "tracking_id": self.tracking_id,
            "detail": self.detail,
        }))
    }
}

impl From<CliError> for ToolError {
    fn from(error: CliError) -> Self {
        Self {
            kind: error.code.name(),
            message: error.message,
            hint: error.hint,
            tracking_id: None,
            detail: None,
        }
    }
}

impl From<scc_sdk::Error> for ToolError {
    fn from(error: scc_sdk::Error) -> Self {
        let tracking_id = error.tracking_id().map(str::to_owned);
        Self {
            tracking_id,
            ..Self::from(CliError::from(&error))
        }
    }
}

impl From<scc_apply::Error> for ToolError {
    fn from(error: scc_apply::Error) -> Self {
        match error {
            scc_apply::Error::Read { context, error } => {
                let mut tool_error = Self::from(CliError::from(&*error));
                tool_error.message = format!("while {context}: {}", tool_error.message);
                tool_error.tracking_id = error.tracking_id().map(str::to_owned);
                tool_error
            }
            other => Self::from(CliError::from(other)),
        }
    }
}

/// The server: one per `scc mcp` process, one client of the profile's service.
pub(crate) struct Server {
    client: scc_sdk::Client,
    /// The profile's service (base URL): the only one any tool reaches.
    service: String,
    profile: String,
    api_key_id: Option<String>,
    journal: Option<std::path::PathBuf>,
    locks_dir: std::path::PathBuf,
    xdr: Result<scc_sdk::xdr::XdrClient, String>,
    options: Options,
    /// The tools offered, made once (their schemas are built from the API description).
    tools: Vec<rmcp::model::Tool>,
    lists: reads::Snapshots,
    change_sets: changes::ChangeSets,
}

impl Server {
    fn new(ctx: &Ctx, options: Options) -> Result<Self, CliError> {
        let settings = &ctx.settings;
        let mut offered = tools::reads();
        if options.allow_writes {
            offered.extend(tools::writes());
        }
        Ok(Self {
            client: settings.client()?,
            service: settings.base_url.value.clone(),
            profile: settings.profile.value.clone(),
            api_key_id: settings
                .credentials
                .as_ref()
                .and_then(|credentials| credentials.value.api_key_id.clone()),
            journal: settings.journal.clone(),
            locks_dir: settings.config_dir.join("locks"),
            xdr: settings
                .xdr_client(None, None)
                .map_err(|error| format!("{} ({})", error.message, error.hint.unwrap_or_default())),
            options,
            tools: offered,
            lists: reads::Snapshots::default(),
            change_sets: changes::ChangeSets::default(),
        })
    }

    async fn call(
        &self,
        name: &str,
        arguments: &serde_json::Map<String, Value>,
        context: &RequestContext<RoleServer>,
    ) -> Result<Value, ToolError> {
        if tools::WRITE_TOOLS.contains(&name) {
            if !self.options.allow_writes {
                return Err(ToolError {
                    kind: Code::Auth.name(),
                    message: format!("`{name}` is a write, and this server was started read-only"),
                    hint: Some("start it as `scc mcp --allow-writes` to plan and apply change sets".into()),
                    tracking_id: None,
                    detail: None,
                });
            }
            return changes::call(self, name, arguments, context).await;
        }
        reads::call(self, name, arguments).await
    }
}

/// The protocol versions with the `initialize` handshake, where a server may ask the client (MCP
/// elicitation) in the middle of a tool call; what assistants speak today.
const PROTOCOL_VERSIONS: &[ProtocolVersion] = &[
    ProtocolVersion::V_2025_11_25,
    ProtocolVersion::V_2025_06_18,
    ProtocolVersion::V_2025_03_26,
    ProtocolVersion::V_2024_11_05,
];

impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .build();
        let writes = if self.options.allow_writes {
            "Writes are change sets: `plan` (or `invite_user`, `update_user`, `disable_user`, `enable_user`) answers \
             the changes and an id; \
             `apply` makes exactly them once the person confirms."
        } else {
            "This server is read-only (started without --allow-writes)."
        };
        ServerConfig::new(capabilities)
            .with_protocol_version(ProtocolVersion::V_2025_11_25)
            .with_server_info(Implementation::new("scc", env!("CARGO_PKG_VERSION")).with_title("Cisco Security Cloud Control"))
            .with_instructions(format!(
                "Cisco Security Cloud Control (organizations, subscriptions, users, admin groups, roles) with profile {} \
                 at {}. Names are accepted wherever ids are. Lists answer a page at a time: follow next_cursor. {writes}",
                self.profile,
                scc_sdk::config::redacted(&self.service)
            ))
    }

    fn supported_protocol_versions(&self) -> std::borrow::Cow<'static, [ProtocolVersion]> {
        std::borrow::Cow::Borrowed(PROTOCOL_VERSIONS)
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        Ok(ListToolsResult::with_all_items(self.tools.clone()))
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let name = request.name.as_ref();
        if !self.tools.iter().any(|tool| tool.name == name) && !tools::WRITE_TOOLS.contains(&name) {
            return Err(ErrorData::invalid_params(format!("no tool is named {name:?}"), None));
        }
        let arguments = request.arguments.unwrap_or_default();
        let result = match self.call(name, &arguments, &context).await {
            Ok(value) => CallToolResult::structured(value),
            Err(error) => error.result(),
        };
        Ok(CallToolResponse::Complete(result))
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(guide::resources()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        guide::read(&request.uri)
            .map(ReadResourceResponse::Complete)
            .ok_or_else(|| ErrorData::resource_not_found(format!("no resource {:?}", request.uri), None))
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(guide::prompts()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        guide::prompt(&request.name, request.arguments.as_ref())
            .map(GetPromptResponse::Complete)
            .map_err(|message| ErrorData::invalid_params(message, None))
    }
}

/// `scc mcp`: serves until the client closes standard input.
pub(crate) async fn run(ctx: &Ctx, options: Options) -> Result<Code, CliError> {
    let running = Server::new(ctx, options)?
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|error| CliError::failure(format!("the MCP session did not start: {error}"), None))?;
    running
        .waiting()
        .await
        .map_err(|error| CliError::failure(format!("the MCP session ended with an error: {error}"), None))?;
    Ok(Code::Ok)
}
