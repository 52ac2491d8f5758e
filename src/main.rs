use clap::Parser;
use std::process::ExitCode;
use territory_designer::cli::{self, Cli};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            use clap::error::ErrorKind;
            if matches!(err.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                print!("{err}");
                return ExitCode::SUCCESS;
            }
            // One line: the reason, without clap's usage block.
            let text = err.to_string();
            let first = text.lines().next().unwrap_or("invalid arguments").trim_start_matches("error: ");
            eprintln!("error: {first} (see --help)");
            return ExitCode::from(2);
        }
    };
    if matches!(cli.command, None | Some(cli::CliCommand::Screenshot { .. }) | Some(cli::CliCommand::Profile { .. })) {
        // A window is coming: decode the basemap while the project loads.
        territory_designer::ui::map::scene::BasemapScene::preload();
    }
    let result = match cli.command {
        Some(command) => cli::run(command, &mut std::io::stdout().lock()),
        None => open_app(cli.project),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // `report ... | head`: the reader has what it wanted; stop quietly.
        Err(err) if cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {}", one_line(&err));
            ExitCode::from(1)
        }
    }
}

fn one_line(err: &anyhow::Error) -> String {
    err.chain().map(|e| e.to_string()).collect::<Vec<_>>().join(": ").replace('\n', " ")
}

/// Opens the window on a project (the bundled sample by default).
fn open_app(project: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    let (path, project) = cli::project_to_open(project)?;
    territory_designer::ui::run(project, path)
}
