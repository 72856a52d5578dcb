//! `--jq EXPR`: a jq filter over the JSON a command prints, run by jaq (a maintained jq in Rust).
//! Compiled before anything is sent, so a bad expression is a usage error that costs no request.

use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

use crate::failure::CliError;

pub(crate) struct Jq {
    filter: jaq_core::Filter<data::JustLut<Val>>,
}

impl std::fmt::Debug for Jq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Jq")
    }
}

impl Jq {
    pub(crate) fn compile(code: &str) -> Result<Self, CliError> {
        let refused = |what: &str, count: usize| {
            CliError::usage(
                format!("--jq {code:?}: {count} {what} error(s) in the expression"),
                "check the expression, e.g. --jq '.[] | .id' or --jq 'map(select(.status == \"ACTIVE\")) | length'",
            )
        };
        let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs());
        let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| refused("syntax", errors.len()))?;
        let filter = Compiler::default()
            .with_funs(funs)
            .compile(modules)
            .map_err(|errors| refused("compile", errors.len()))?;
        Ok(Self { filter })
    }

    /// The filter's outputs for `input`, each as JSON; a runtime error names the expression.
    pub(crate) fn run(&self, input: &Value) -> Result<Vec<Value>, CliError> {
        let bytes = serde_json::to_vec(input).unwrap_or_default();
        let input = jaq_json::read::parse_single(&bytes)
            .map_err(|error| CliError::failure(format!("--jq: cannot read the output as JSON: {error}"), None))?;
        let ctx = Ctx::<data::JustLut<Val>>::new(&self.filter.lut, Vars::new([]));
        let mut outputs = Vec::new();
        for output in self.filter.id.run((ctx, input)).map(unwrap_valr) {
            let value = output.map_err(|error| CliError::failure(format!("--jq: {error}"), None))?;
            outputs.push(serde_json::from_str(&value.to_string()).unwrap_or(Value::String(value.to_string())));
        }
        Ok(outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_and_errors() {
        let users = json!([{"email": "a@x", "status": "ACTIVE"}, {"email": "b@x", "status": "PENDING"}]);
        let jq = Jq::compile(r#"map(select(.status == "ACTIVE")) | .[].email"#).expect("compiles");
        assert_eq!(jq.run(&users).expect("runs"), vec![json!("a@x")]);
        assert_eq!(
            Jq::compile("length").expect("compiles").run(&users).expect("runs"),
            vec![json!(2)]
        );
        assert!(Jq::compile(".[").is_err());
        assert!(Jq::compile("no_such_function").is_err());
        assert!(Jq::compile(".[] | .email + 1").expect("compiles").run(&users).is_err());
    }
}
