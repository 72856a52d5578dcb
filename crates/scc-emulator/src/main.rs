//! `scc-emulator`: serves the emulator until Ctrl-C, after printing one JSON ready line on stdout.

use std::io::Write;

use clap::Parser;

/// A stateful local Cisco Security Cloud Control + XDR profile service.
#[derive(Parser)]
#[command(version, about, after_long_help = scc_emulator::HELP)]
struct Cli {
    #[command(flatten)]
    options: scc_emulator::EmulatorOptions,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let matches = <Cli as clap::CommandFactory>::command().get_matches();
    let cli = match <Cli as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    scc_emulator::warn_of_secrets_on_the_command_line(&matches);
    match run(cli.options).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("scc-emulator: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(options: scc_emulator::EmulatorOptions) -> anyhow::Result<()> {
    let emulator = scc_emulator::start(options).await?;
    let line = serde_json::to_string(emulator.ready())?;
    let base_url = emulator.base_url().to_owned();
    let serving = emulator.serve_until_signal()?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()?;
    drop(stdout);
    eprintln!("scc-emulator: serving on {base_url} (Ctrl-C to stop)");
    serving.await
}
