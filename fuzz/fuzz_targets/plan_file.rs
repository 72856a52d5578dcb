//! Any bytes, read as a plan file of each format scc reads: a plan or a refusal, never a panic,
//! never a hang, never memory out of proportion to the input (YAML aliases are bounded).
//!
//!     cargo +nightly fuzz run plan_file -- -max_len=65536 -rss_limit_mb=512

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for name in ["plan.yaml", "plan.toml", "plan.json"] {
        let _ = scc_apply::parse(std::path::Path::new(name), text);
    }
});
