//! The test environment: an emulator on 127.0.0.1 with its own runtime, and `scc` to run against it.

#![allow(dead_code)]

use assert_cmd::Command;
use scc_emulator::{Emulator, EmulatorOptions, spawn};
use serde_json::Value;

/// An emulator on its own runtime, so the test thread can run `scc` synchronously.
pub(crate) struct Env {
    pub(crate) emulator: Emulator,
    _runtime: tokio::runtime::Runtime,
    pub(crate) config_dir: tempfile::TempDir,
}

impl Env {
    pub(crate) fn new() -> Self {
        Self::with(EmulatorOptions::default())
    }

    pub(crate) fn with(options: EmulatorOptions) -> Self {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emulator = runtime.block_on(spawn(options)).expect("emulator");
        Self {
            emulator,
            _runtime: runtime,
            config_dir: tempfile::tempdir().expect("dir"),
        }
    }

    pub(crate) fn org(&self) -> String {
        self.emulator.ready().org_id.clone()
    }

    /// `scc` with the admin token, the emulator's URL and organization in the environment.
    pub(crate) fn scc(&self) -> Command {
        self.scc_with_token(&self.emulator.ready().admin.access_token)
    }

    pub(crate) fn scc_with_token(&self, token: &str) -> Command {
        let mut command = self.bare();
        command
            .env("SCC_BASE_URL", self.emulator.base_url())
            .env("SCC_ACCESS_TOKEN", token)
            .env("SCC_ORG_ID", self.org());
        command
    }

    /// `scc` with an empty environment but for the config folder.
    pub(crate) fn bare(&self) -> Command {
        let mut command = Command::cargo_bin("scc").expect("binary");
        command
            .env_clear()
            .env("SCC_CONFIG_DIR", self.config_dir.path())
            .env("NO_COLOR", "1");
        command
    }

    pub(crate) fn control(&self, method: &str, path: &str) -> Value {
        control_plane::call(
            method,
            &format!("{}/_emulator/{path}", self.emulator.base_url()),
            &self.emulator.ready().control_token,
        )
    }

    pub(crate) fn journal(&self) -> Vec<Value> {
        self.control("GET", "requests")["requests"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub(crate) fn clear_journal(&self) {
        self.control("DELETE", "requests");
    }
}

/// A synchronous call to the emulator's control plane, on a throwaway runtime.
mod control_plane {
    pub(crate) fn call(method: &str, url: &str, control_token: &str) -> serde_json::Value {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
            let response = client
                .request(method, url)
                .bearer_auth(control_token)
                .send()
                .await
                .expect("control plane answers");
            response.json().await.unwrap_or(serde_json::Value::Null)
        })
    }
}

pub(crate) fn stdout_json(output: &std::process::Output) -> Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON (exit {:?}): {}\nstderr: {}",
            output.status.code(),
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}

/// `POST /_emulator/{path}` with a JSON body.
pub(crate) fn post_control(env: &Env, path: &str, body: &Value) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{}/_emulator/{path}", env.emulator.base_url()))
            .bearer_auth(&env.emulator.ready().control_token)
            .json(body)
            .send()
            .await
            .expect("control plane answers");
        assert!(
            response.status().is_success(),
            "control plane refused: {}",
            response.status()
        );
    });
}

/// `DELETE /_emulator/{path}`.
pub(crate) fn delete_control(env: &Env, path: &str) {
    env.control("DELETE", path);
}

impl Env {
    /// `scc` as a plain process with an empty environment but for the config folder, as [`Env::bare`].
    pub(crate) fn bare_process(&self) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("scc"));
        command
            .env_clear()
            .env("SCC_CONFIG_DIR", self.config_dir.path())
            .env("NO_COLOR", "1");
        command
    }

    /// `scc ARGS` on a terminal (a pty made by `script`), set up as [`Env::scc`]; colours are on
    /// unless the caller sets `NO_COLOR`. Its stdout is the screen.
    #[cfg(unix)]
    pub(crate) fn scc_on_terminal(&self, args: &str) -> std::process::Command {
        let scc = assert_cmd::cargo::cargo_bin!("scc").display().to_string();
        let mut command = std::process::Command::new("script");
        command
            .args(["-qec", &format!("'{scc}' {args}"), "/dev/null"])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SCC_CONFIG_DIR", self.config_dir.path())
            .env("SCC_BASE_URL", self.emulator.base_url())
            .env("SCC_ACCESS_TOKEN", &self.emulator.ready().admin.access_token)
            .env("SCC_ORG_ID", self.org());
        command
    }

    /// `sh -c SCRIPT` with `scc` as `$SCC` and the environment of [`Env::scc`]: for what only a shell
    /// sets up (a umask, a file-size limit).
    #[cfg(unix)]
    pub(crate) fn shell(&self, script: &str) -> std::process::Output {
        std::process::Command::new("sh")
            .arg("-c")
            .arg(script)
            .env_clear()
            .env("SCC", assert_cmd::cargo::cargo_bin!("scc"))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SCC_CONFIG_DIR", self.config_dir.path())
            .env("SCC_BASE_URL", self.emulator.base_url())
            .env("SCC_ACCESS_TOKEN", &self.emulator.ready().admin.access_token)
            .env("SCC_ORG_ID", self.org())
            .env("NO_COLOR", "1")
            .output()
            .expect("sh runs")
    }

    /// `scc` as a plain process (to run several at once or send it a signal), set up as [`Env::scc`].
    pub(crate) fn scc_process(&self) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin!("scc"));
        command
            .env_clear()
            .env("SCC_CONFIG_DIR", self.config_dir.path())
            .env("NO_COLOR", "1")
            .env("SCC_BASE_URL", self.emulator.base_url())
            .env("SCC_ACCESS_TOKEN", &self.emulator.ready().admin.access_token)
            .env("SCC_ORG_ID", self.org());
        command
    }
}

/// What a terminal showed, its line ends as `\n`.
pub(crate) fn screen(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stdout).replace('\r', "")
}

/// Reads a terminal's output into `screen` until `text` has appeared `count` times (or the output
/// ends): the moment to answer a prompt.
pub(crate) fn read_until(output: &mut impl std::io::Read, screen: &mut Vec<u8>, text: &str, count: usize) {
    let mut byte = [0u8; 1];
    while String::from_utf8_lossy(screen).matches(text).count() < count {
        if output.read(&mut byte).expect("reads") == 0 {
            break;
        }
        screen.push(byte[0]);
    }
}
