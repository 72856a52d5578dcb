//! `--jq EXPR`: a jq filter over the JSON a command prints, run by jaq (a maintained jq in Rust).
//! Compiled before anything is sent, so a bad expression is a usage error that costs no request.

use jaq_core::load::parse::{Pattern, Term};
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{Compiler, Ctx, Vars, data, unwrap_valr};
use jaq_json::Val;
use serde_json::Value;

use crate::failure::CliError;

/// jq's `@csv` and `@tsv`, which jaq lacks: an array to one CSV line (strings quoted, quotes
/// doubled; numbers and booleans as they are; null empty) or one TSV line (`\\`, tab, newline and
/// carriage return escaped), as jq writes them.
const FORMATS: &str = r#"
def @csv: if type != "array" then error("@csv needs an array, not \(type)") end
    | map(if type == "string" then "\"" + (split("\"") | join("\"\"")) + "\""
          elif type == "null" then ""
          elif type == "number" or type == "boolean" then tostring
          else error("@csv cannot format \(type)") end)
    | join(",");
def @tsv: if type != "array" then error("@tsv needs an array, not \(type)") end
    | map(if type == "string" then split("\\") | join("\\\\") | split("\t") | join("\\t")
              | split("\n") | join("\\n") | split("\r") | join("\\r")
          elif type == "null" then ""
          elif type == "number" or type == "boolean" then tostring
          else error("@tsv cannot format \(type)") end)
    | join("\t");
"#;

fn formats() -> impl Iterator<Item = jaq_core::load::parse::Def<&'static str>> {
    jaq_core::load::parse(FORMATS, |parser| parser.defs())
        .unwrap_or_default()
        .into_iter()
}

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
        if let Some(name) = recursive_definition(code) {
            return Err(CliError::usage(
                format!(
                    "--jq {code:?}: `{name}` calls itself; recursive definitions are not run here (a recursion without end would overflow the stack)"
                ),
                "use jq's built-ins that walk data (recurse, walk, paths, ..), or pipe `-o json` to jq",
            ));
        }
        let defs = jaq_core::defs()
            .chain(jaq_std::defs())
            .chain(jaq_json::defs())
            .chain(formats());
        let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
        let arena = Arena::default();
        let modules = Loader::new(defs)
            .load(&arena, File { code, path: () })
            .map_err(|errors| {
                // Each error holds the part of the expression it is about: its column is said.
                let found: Vec<(&str, String)> = errors
                    .iter()
                    .flat_map(|(_, error)| match error {
                        jaq_core::load::Error::Lex(errors) => errors
                            .iter()
                            .map(|(expect, at)| (*at, format!("expected {}", expect.as_str())))
                            .collect::<Vec<_>>(),
                        jaq_core::load::Error::Parse(errors) => errors
                            .iter()
                            .map(|(expect, at)| (*at, format!("expected {}", expect.as_str())))
                            .collect(),
                        jaq_core::load::Error::Io(errors) => {
                            errors.iter().map(|(at, why)| (*at, why.clone())).collect()
                        }
                    })
                    .collect();
                located(code, &found).unwrap_or_else(|| refused("syntax", errors.len()))
            })?;
        let filter = Compiler::default().with_funs(funs).compile(modules).map_err(|errors| {
            let found: Vec<(&str, String)> = errors
                .iter()
                .flat_map(|(_, errors)| errors.iter())
                .map(|(at, undefined)| (*at, format!("undefined {} `{at}`", undefined.as_str())))
                .collect();
            located(code, &found).unwrap_or_else(|| refused("compile", errors.len()))
        })?;
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

/// The first problem of an expression, at its column, with a caret under it:
///
/// ```text
/// --jq ".[] | .name | lenght": undefined filter `lenght` at column 15
///   .[] | .name | lenght
///                 ^
/// ```
///
/// `None` when the place is not within the expression (then the count is said instead).
fn located(code: &str, found: &[(&str, String)]) -> Option<CliError> {
    let (at, what) = found.first()?;
    let start = code.as_ptr() as usize;
    let offset = (at.as_ptr() as usize)
        .checked_sub(start)
        .filter(|offset| *offset <= code.len())?;
    let column = code.get(..offset)?.chars().count() + 1;
    let more = if found.len() > 1 {
        format!(" (and {} more)", found.len() - 1)
    } else {
        String::new()
    };
    let line: String = code.chars().map(|c| if c == '\n' { ' ' } else { c }).collect();
    Some(CliError::usage(
        format!(
            "--jq {code:?}: {what} at column {column}{more}\n  {line}\n  {}^",
            " ".repeat(column - 1)
        ),
        "check the expression, e.g. --jq '.[] | .id' or --jq 'map(select(.status == \"ACTIVE\")) | length'",
    ))
}

/// The name of a definition of `code` that calls itself (directly, or through a definition nested
/// in it), if any. The built-ins' own recursion (`recurse`, `walk`) follows the data, which is finite.
fn recursive_definition(code: &str) -> Option<String> {
    use jaq_core::load::{Lexer, Parser};
    let tokens = Lexer::new(code).lex().ok()?;
    let term = Parser::new(&tokens).parse(Parser::term).ok()?;
    let mut found = None;
    walk(&term, &mut |term| {
        if let Term::Def(defs, _) = term {
            for def in defs {
                let mut calls_itself = false;
                walk(&def.body, &mut |inner| {
                    if matches!(inner, Term::Call(name, _) if *name == def.name) {
                        calls_itself = true;
                    }
                });
                if calls_itself && found.is_none() {
                    found = Some(def.name.to_owned());
                }
            }
        }
    });
    found
}

/// Visits `term` and every term inside it.
fn walk<'s>(term: &Term<&'s str>, visit: &mut dyn FnMut(&Term<&'s str>)) {
    use jaq_core::load::lex::StrPart;
    use jaq_core::path::Part;
    visit(term);
    let mut each = |inner: &Term<&'s str>| walk(inner, visit);
    match term {
        Term::Id | Term::Recurse | Term::Num(_) | Term::Break(_) | Term::Var(_) => {}
        Term::Str(_, parts) => {
            for part in parts {
                if let StrPart::Term(inner) = part {
                    each(inner);
                }
            }
        }
        Term::Arr(inner) => inner.iter().for_each(|inner| each(inner)),
        Term::Obj(entries) => {
            for (key, value) in entries {
                each(key);
                value.iter().for_each(&mut each);
            }
        }
        Term::Neg(inner) | Term::Label(_, inner) => each(inner),
        Term::BinOp(left, _, right) => {
            each(left);
            each(right);
        }
        Term::Fold(_, input, pattern, args) => {
            each(input);
            walk_pattern(pattern, &mut each);
            args.iter().for_each(&mut each);
        }
        Term::TryCatch(body, catch) => {
            each(body);
            catch.iter().for_each(|inner| each(inner));
        }
        Term::IfThenElse(branches, otherwise) => {
            for (condition, then) in branches {
                each(condition);
                each(then);
            }
            otherwise.iter().for_each(|inner| each(inner));
        }
        Term::Def(defs, rest) => {
            defs.iter().for_each(|def| each(&def.body));
            each(rest);
        }
        Term::Call(_, args) => args.iter().for_each(&mut each),
        Term::Path(inner, path) => {
            each(inner);
            for (part, _) in &path.0 {
                match part {
                    Part::Index(index) => each(index),
                    Part::Range(from, to) => {
                        from.iter().for_each(&mut each);
                        to.iter().for_each(&mut each);
                    }
                }
            }
        }
    }
}

fn walk_pattern<'s>(pattern: &Pattern<&'s str>, each: &mut dyn FnMut(&Term<&'s str>)) {
    match pattern {
        Pattern::Var(_) => {}
        Pattern::Arr(items) => items.iter().for_each(|item| walk_pattern(item, each)),
        Pattern::Obj(entries) => {
            for (key, value) in entries {
                each(key);
                walk_pattern(value, each);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_expression_is_shown_with_a_caret_at_its_column() {
        let error = Jq::compile(".[] | .name | lenght").expect_err("undefined");
        assert_eq!(
            error.message,
            "--jq \".[] | .name | lenght\": undefined filter `lenght` at column 15\n  .[] | .name | lenght\n                ^"
        );
        let error = Jq::compile(".[] | (.name").expect_err("unclosed");
        assert!(
            error.message.contains("expected closing parenthesis at column 13"),
            "{}",
            error.message
        );
    }
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

    #[test]
    fn recursive_definitions_are_refused_before_they_run() {
        for code in [
            "def f: 1 + f; f",
            "def f: f; 1",
            "def g: def f: g; f; g",
            "[.[] | def h(x): if x then h(x) else . end; h(true)]",
        ] {
            let refused = Jq::compile(code).expect_err(code);
            assert!(refused.message.contains("calls itself"), "{code}: {}", refused.message);
        }
        let data = json!([[1, [2]], {"a": 3}]);
        for code in [
            "def f: . + 1; [.[] | length] | map(f)",
            "[recurse | numbers]",
            "walk(.)",
            "def f(g): g; f(.)",
        ] {
            Jq::compile(code).expect(code).run(&data).expect(code);
        }
    }
}
