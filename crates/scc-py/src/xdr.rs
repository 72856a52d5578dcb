//! `NativeXdrClient`: the SDK's XDR profile client (client credentials or a bearer token, regions),
//! and the seed's login and activation rules computed by the SDK from a whoami answer.

use std::time::Duration;

use pyo3::prelude::*;
use pyo3::types::PyDict;
use scc_sdk::Error;
use scc_sdk::xdr::{IdpDefaults, OrgUpdate, Whoami, XdrClient, XdrRegion};

use crate::args::Args;
use crate::errors;
use crate::runtime::{self, PerProcess};

struct XdrSettings {
    client_id: Option<String>,
    client_secret: Option<String>,
    token: Option<String>,
    region: XdrRegion,
    base_url: Option<String>,
    timeout: Duration,
}

fn build(settings: &XdrSettings) -> Result<XdrClient, Error> {
    let mut builder = XdrClient::builder().region(settings.region).timeout(settings.timeout);
    if let Some(url) = &settings.base_url {
        builder = builder.base_url(url.clone());
    }
    builder = match (&settings.client_id, &settings.client_secret, &settings.token) {
        (_, _, Some(token)) => builder.bearer_token(token.clone()),
        (Some(id), Some(secret), None) => builder.client_credentials(id.clone(), secret.clone()),
        (Some(_), None, None) => return Err(Error::invalid("client_secret", "is required with client_id")),
        _ => builder,
    };
    builder.build()
}

#[pyclass(frozen, module = "scc_sdk._native")]
pub(crate) struct NativeXdrClient {
    settings: XdrSettings,
    client: PerProcess<XdrClient>,
}

impl NativeXdrClient {
    fn client(&self) -> Result<XdrClient, Error> {
        self.client.get(|| build(&self.settings))
    }

    /// The call prepared for sending; an argument it did not read is a `TypeError`.
    fn prepared(
        &self,
        operation: &str,
        args: Bound<'_, PyDict>,
    ) -> PyResult<Result<crate::client::Pending, scc_sdk::Error>> {
        Args::read_all(args, operation, |args| self.prepare(operation, args))
    }

    fn prepare(&self, operation: &str, args: &Args<'_>) -> Result<crate::client::Pending, Error> {
        let profile = self.client()?.profile();
        Ok(match operation {
            "xdr.whoami" => crate::client::Mode::Send.run(profile.whoami()),
            "xdr.org" => crate::client::Mode::Send.run(profile.org()),
            "xdr.update_org" => {
                let mut update = OrgUpdate::new();
                if let Some(name) = args.opt_text("name")? {
                    update = update.name(name);
                }
                if args.has("allow_all_roles_to_login") {
                    update = update.allow_all_roles_to_login(args.opt_bool("allow_all_roles_to_login")?);
                }
                if args.has("allow_all_role_to_login") {
                    update = update.allow_all_role_to_login(args.opt_bool("allow_all_role_to_login")?);
                }
                if let Some(enabled) = args.opt_bool("enabled")? {
                    update = update.enabled(enabled);
                }
                if let Some(scopes) = args.structured::<Vec<String>>("additional_scopes")? {
                    update = update.additional_scopes(scopes);
                }
                crate::client::Mode::Send.run(profile.update_org(update))
            }
            other => {
                return Err(Error::invalid(
                    "operation",
                    format!("`{other}` is not an XDR operation"),
                ));
            }
        })
    }
}

#[pymethods]
impl NativeXdrClient {
    #[new]
    #[pyo3(signature = (*, client_id=None, client_secret=None, token=None, region="us", base_url=None, timeout=30.0))]
    fn new(
        client_id: Option<String>,
        client_secret: Option<String>,
        token: Option<String>,
        region: &str,
        base_url: Option<String>,
        timeout: f64,
    ) -> PyResult<Self> {
        runtime::guarded(|| {
            let region: XdrRegion = region
                .parse()
                .map_err(|error: Error| pyo3::exceptions::PyValueError::new_err(error.to_string()))?;
            if !(timeout.is_finite() && timeout > 0.0) {
                return Err(pyo3::exceptions::PyValueError::new_err(
                    "timeout must be a positive number of seconds",
                ));
            }
            let settings = XdrSettings {
                client_id,
                client_secret,
                token,
                region,
                base_url,
                timeout: Duration::from_secs_f64(timeout),
            };
            let client =
                build(&settings).map_err(|error| pyo3::exceptions::PyValueError::new_err(error.to_string()))?;
            Ok(Self {
                settings,
                client: PerProcess::new(client),
            })
        })
    }

    fn call<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, pyo3::types::PyTuple>> {
        runtime::guarded(|| crate::client::wait(py, self.prepared(operation, args)?))
    }

    fn call_async<'py>(
        &self,
        py: Python<'py>,
        operation: &str,
        args: Bound<'py, PyDict>,
    ) -> PyResult<Bound<'py, PyAny>> {
        runtime::guarded(|| crate::client::awaitable(py, self.prepared(operation, args)?))
    }
}

/// The seed's rules applied to a whoami answer by the SDK: the name to show, the identity provider,
/// activation, whether anyone may log in, and whether non-admins may (with the deciding rule).
#[pyfunction]
pub(crate) fn xdr_rules<'py>(py: Python<'py>, whoami: &[u8]) -> PyResult<Bound<'py, PyDict>> {
    runtime::guarded(|| {
        let whoami: Whoami = serde_json::from_slice(whoami).map_err(|error| {
            errors::to_py(
                py,
                &Error::invalid("whoami", format!("is not a whoami answer: {error}")),
            )
        })?;
        let decision = whoami.org.non_admins_may_log_in(&whoami.user, &IdpDefaults::default());
        let rules = PyDict::new(py);
        rules.set_item("display_name", whoami.user.display_name())?;
        rules.set_item("identity_provider", whoami.user.identity_provider())?;
        rules.set_item("is_activated", whoami.org.is_activated())?;
        rules.set_item("any_user_can_log_in", whoami.org.any_user_can_log_in())?;
        rules.set_item("non_admins_may_log_in", decision.allowed)?;
        rules.set_item("login_rule", decision.rule.to_string())?;
        Ok(rules)
    })
}
