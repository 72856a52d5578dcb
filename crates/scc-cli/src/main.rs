//! `scc`: the command line for Cisco Security Cloud Control.

mod cli;
mod commands;
mod complete;
mod failure;
mod help;
mod jq;
mod output;
mod resolve;
mod settings;

use std::process::ExitCode;

use clap::FromArgMatches;
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::format::FmtSpan;

use crate::cli::{Cli, Command, Format, LocalCommand, RemoteCommand};
use crate::commands::Ctx;
use crate::failure::{CliError, Code};
use crate::output::Ui;
use crate::settings::Settings;

fn init_tracing(verbose: u8, no_color: bool) {
    let filter = match verbose {
        0 => "warn",
        1 => "warn,scc_sdk=debug",
        2 => "debug,hyper=info,h2=info,rustls=info",
        _ => "trace,hyper=debug,h2=debug,rustls=info",
    };
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|text| EnvFilter::try_new(text).ok())
        .unwrap_or_else(|| EnvFilter::new(filter));
    let span_events = if verbose > 0 { FmtSpan::CLOSE } else { FmtSpan::NONE };
    let color = !no_color && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_span_events(span_events)
        .with_writer(std::io::stderr)
        .with_ansi(color && std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(verbose > 1)
        .try_init();
}

/// The exit code: `code`, unless the output could not be written, which fails a run that would
/// otherwise succeed (`scc export > f && git commit` must not commit a cut file).
fn exit(code: Code) -> ExitCode {
    if let Some(failure) = output::write_failure() {
        eprintln!("error: write error: {failure}");
        if code == Code::Ok {
            return ExitCode::from(Code::Failure as u8);
        }
    }
    ExitCode::from(code as u8)
}

fn main() -> ExitCode {
    // `scc __complete SHELL -- scc WORDS…`: a shell asks for completions (names come from the
    // service; the completers run their own small runtime, so this comes before the main one). A
    // hidden command of its own, so no environment variable changes what another command does.
    let mut args = std::env::args_os().skip(1);
    if args.next().is_some_and(|first| first == "__complete") {
        let shell = args
            .next()
            .and_then(|shell| complete::Shell::named(&shell.to_string_lossy()));
        let words: Vec<std::ffi::OsString> = args.skip_while(|arg| arg != "--").skip(1).collect();
        return match shell {
            Some(shell) => {
                output::Ui::new(Format::Table, true).write_stdout(&complete::answer(help::command(), shell, words));
                exit(Code::Ok)
            }
            None => {
                eprintln!("scc: __complete takes bash, zsh, fish or powershell, then -- and the words");
                ExitCode::from(Code::Usage as u8)
            }
        };
    }
    match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => {
            let code = runtime.block_on(run());
            // A question left unanswered (Ctrl-C at a prompt) holds a thread in a read: not waited for.
            runtime.shutdown_timeout(std::time::Duration::from_millis(100));
            code
        }
        Err(error) => {
            eprintln!("scc: cannot start: {error}");
            ExitCode::from(Code::Failure as u8)
        }
    }
}

async fn run() -> ExitCode {
    let matches = help::command().get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    if let Some(("emulator", emulator)) = matches.subcommand() {
        scc_emulator::warn_of_secrets_on_the_command_line(emulator);
    }
    init_tracing(cli.global.verbose, cli.global.no_color);
    let command = match cli.command {
        Command::Local(local) => return run_local(local, cli.global.no_color, cli.global.output).await,
        Command::Remote(command) => command,
    };
    let fallback_ui = Ui::new(Format::Table, cli.global.no_color);
    let settings = match Settings::resolve(&crate::settings::Overrides::from(&cli.global)) {
        Ok(settings) => settings,
        Err(error) => return report(&fallback_ui, error),
    };
    // `configure` makes profiles; every other command needs the one it names to exist.
    if !matches!(
        command,
        RemoteCommand::Configure(_) | RemoteCommand::Profile(_) | RemoteCommand::Auth(cli::AuthCommand::Login(_))
    ) && let Err(error) = settings.check_profile_exists()
    {
        return report(&fallback_ui, error);
    }
    // Every run says it while the token crosses the network in clear.
    if let Some(warning) = settings.plain_http_warning() {
        eprintln!("{}", crate::output::shown(&warning));
    }
    // A bad --jq expression is refused before anything is sent.
    let jq = match cli.global.jq.as_deref().map(jq::Jq::compile).transpose() {
        Ok(jq) => jq,
        Err(error) => return report(&fallback_ui, error),
    };
    let ctx = Ctx {
        ui: Ui::new(settings.output, cli.global.no_color)
            .with_jq(jq)
            .with_pager(!cli.global.no_pager),
        global: cli.global,
        settings,
    };
    // `scc apply` handles Ctrl-C itself, to report what was done before it stops.
    let reports_interrupts = matches!(command, RemoteCommand::Apply(_) | RemoteCommand::Plan(_));
    let result = tokio::select! {
        result = commands::run(&ctx, command) => result,
        _ = tokio::signal::ctrl_c(), if !reports_interrupts => Err(CliError::new(Code::Interrupted, "interrupted".into(),
            Some("a write in flight may have been applied: check the state before repeating it".into()))),
    };
    match result {
        Ok(code) => exit(code),
        Err(error) => report(&ctx.ui, error),
    }
}

fn report(ui: &Ui, error: CliError) -> ExitCode {
    if let Some(planned) = &error.planned {
        ui.item(
            planned,
            &[
                ("OPERATION", "operation"),
                ("METHOD", "method"),
                ("URL", "url"),
                ("BODY", "body"),
            ],
        );
        ui.note("dry run: nothing was sent");
        return exit(Code::Ok);
    }
    ui.error(&error.message, error.hint.as_deref());
    exit(error.code)
}

/// The starter of `scc init`: the onboarding example, commented.
const STARTER_PLAN: &str = include_str!("../../../examples/onboarding.yaml");

/// Commands that need no settings.
async fn run_local(command: LocalCommand, no_color: bool, output: Option<Format>) -> ExitCode {
    match command {
        LocalCommand::Version => {
            let ui = Ui::new(output.unwrap_or(Format::Table), no_color);
            let version = serde_json::json!({
                "version": env!("CARGO_PKG_VERSION"),
                "commit": env!("SCC_COMMIT"),
                "built": env!("SCC_BUILD_DATE"),
                "target": env!("SCC_TARGET"),
            });
            match ui.format {
                Format::Table | Format::Wide => ui.write_stdout(&format!(
                    "scc {} (commit {}, built {}, {})\n",
                    env!("CARGO_PKG_VERSION"),
                    env!("SCC_COMMIT"),
                    env!("SCC_BUILD_DATE"),
                    env!("SCC_TARGET")
                )),
                _ => ui.item(&version, &[]),
            }
            exit(Code::Ok)
        }
        LocalCommand::Completion { shell } => {
            // The script asks scc itself (`scc __complete SHELL -- …`) at each TAB, so names of
            // organizations, groups and roles complete too, quoted for that shell.
            let script = match shell {
                clap_complete::Shell::Bash => complete::Shell::Bash.script().to_owned(),
                clap_complete::Shell::Zsh => complete::Shell::Zsh.script().to_owned(),
                clap_complete::Shell::Fish => complete::Shell::Fish.script().to_owned(),
                clap_complete::Shell::PowerShell => complete::Shell::Powershell.script().to_owned(),
                // Commands and flags only (no names from the service).
                _ => {
                    let mut script = Vec::new();
                    clap_complete::generate(shell, &mut help::command(), "scc", &mut script);
                    String::from_utf8_lossy(&script).into_owned()
                }
            };
            Ui::new(Format::Table, true).write_stdout(&script);
            exit(Code::Ok)
        }
        LocalCommand::Schema => {
            let schema = serde_json::to_string_pretty(&scc_apply::plan_file_schema()).unwrap_or_default();
            Ui::new(Format::Table, true).write_stdout(&format!("{schema}\n"));
            exit(Code::Ok)
        }
        LocalCommand::Init { file } => {
            let ui = Ui::new(Format::Table, no_color);
            if std::fs::symlink_metadata(&file).is_ok() {
                return report(
                    &ui,
                    CliError::usage(
                        format!("{} exists: nothing was written", file.display()),
                        "name another file: scc init customers.yaml",
                    ),
                );
            }
            // The editor's schema beside the plan: `scc schema > plan-file.json`.
            let starter = STARTER_PLAN.replacen(
                "# yaml-language-server: $schema=../schema/plan-file.json",
                "# yaml-language-server: $schema=plan-file.json  (write it with: scc schema > plan-file.json)",
                1,
            );
            match scc_sdk::files::write_private_atomically(&file, starter.as_bytes()) {
                Ok(()) => {
                    eprintln!(
                        "scc: wrote {} — edit it, then `scc plan {}` shows what would change",
                        file.display(),
                        file.display()
                    );
                    exit(Code::Ok)
                }
                Err(error) => report(
                    &ui,
                    CliError::failure(format!("cannot write {}: {error}", file.display()), None),
                ),
            }
        }
        LocalCommand::ExitCodes => {
            Ui::new(Format::Table, true).write_stdout(&format!("{}\n", cli::EXIT_CODES));
            exit(Code::Ok)
        }
        LocalCommand::Man { dir } => match help::write_man_pages(&dir) {
            Ok(count) => {
                eprintln!("scc: wrote {count} man pages to {}", dir.display());
                exit(Code::Ok)
            }
            Err(error) => report(
                &Ui::new(Format::Table, no_color),
                CliError::failure(
                    format!("cannot write the man pages to {}: {error}", dir.display()),
                    None,
                ),
            ),
        },
        LocalCommand::Emulator(args) => serve_emulator(args.options, args.env_file, args.force, args.ready_line).await,
    }
}

async fn serve_emulator(
    options: scc_emulator::EmulatorOptions,
    env_file: Option<std::path::PathBuf>,
    force: bool,
    ready_line: bool,
) -> ExitCode {
    let ui = Ui::new(Format::Json, true);
    // Someone's file is never overwritten unasked, nor removed at the stop.
    let existed = env_file.as_deref().is_some_and(|path| path.symlink_metadata().is_ok());
    if let Some(path) = env_file.as_deref().filter(|_| existed && !force) {
        return report(
            &ui,
            CliError::usage(
                format!("{} exists: scc emulator does not overwrite it", path.display()),
                "give a new --env-file path, or --force to replace it (it is then left in place at the stop)",
            ),
        );
    }
    let emulator = match scc_emulator::start(options).await {
        Ok(emulator) => emulator,
        Err(error) => return report(&ui, CliError::from(error)),
    };
    let ready = emulator.ready().clone();
    let line = serde_json::to_string(&ready).unwrap_or_default();
    let serving = match emulator.serve_until_signal() {
        Ok(serving) => serving,
        Err(error) => return report(&ui, CliError::from(error)),
    };
    if let Some(path) = &env_file
        && let Err(error) = scc_sdk::files::write_private_atomically(path, env_lines(&ready).as_bytes())
    {
        return report(
            &ui,
            CliError::failure(format!("cannot write {}: {error}", path.display()), None),
        );
    }
    // The ready line holds the credentials: to a pipe or a file (a script reads it) always, to a
    // terminal (where it would stay in the scrollback) only when asked.
    let to_terminal = std::io::IsTerminal::is_terminal(&std::io::stdout());
    if ready_line || !to_terminal {
        ui.write_stdout(&format!("{line}\n"));
    }
    eprintln!("scc emulator: serving on {} (Ctrl-C to stop)", ready.base_url);
    match &env_file {
        Some(path) => eprintln!("scc emulator: `. {}` points a shell at it", path.display()),
        None if to_terminal && !ready_line => eprintln!(
            "scc emulator: its credentials are not shown on a terminal: give --env-file FILE (then `. FILE`), or --ready-line"
        ),
        None => {}
    }
    let result = serving.await;
    // The file this run made goes with it; one it replaced (--force) stays.
    if let Some(path) = env_file.as_deref().filter(|_| !existed) {
        let _ = std::fs::remove_file(path);
    }
    match result {
        Ok(()) => exit(Code::Ok),
        Err(error) => report(&ui, CliError::from(error)),
    }
}

/// `export NAME='value'` lines for a POSIX shell, values single-quoted.
fn env_lines(ready: &scc_emulator::ReadyInfo) -> String {
    let quote = |value: &str| format!("'{}'", value.replace('\'', "'\\''"));
    [
        ("SCC_BASE_URL", ready.base_url.as_str()),
        ("SCC_ACCESS_TOKEN", ready.admin.access_token.as_str()),
        ("SCC_ORG_ID", ready.org_id.as_str()),
        // What `scc configure` and refreshing credentials need besides the access token.
        ("SCC_API_KEY_ID", ready.admin.api_key_id.as_str()),
        ("SCC_REFRESH_TOKEN", ready.admin.refresh_token.as_str()),
        ("SCC_XDR_BASE_URL", ready.xdr.base_url.as_str()),
        ("SCC_XDR_CLIENT_ID", ready.xdr.client_id.as_str()),
        ("SCC_XDR_CLIENT_SECRET", ready.xdr.client_secret.as_str()),
        ("SCC_EMULATOR_CONTROL_TOKEN", ready.control_token.as_str()),
    ]
    .iter()
    .map(|(name, value)| format!("export {name}={}\n", quote(value)))
    .collect()
}
