//! The two candidates for the emulator's state file, measured on the same machine and disk with the
//! same rows: an append-only log of JSON lines (fsync'd) beside a snapshot, and redb (an embedded
//! B-tree database, one durable transaction per change); the whole-state rewrite they replace is the
//! reference. Each writes one user row (about 400 bytes) per change into a table of N rows.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::json;

const USERS: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("users");

fn row(index: usize) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "id": format!("{index:08x}-0000-4000-8000-000000000000"),
        "org_id": "5f305d9b-f326-4a2e-afae-82b57e6d6219",
        "email": format!("user{index}@customer.example"),
        "first_name": "User", "last_name": format!("Number {index}"),
        "status": "ACTIVE", "created": "2026-12-01T07:00:00Z", "seq": index,
        "factors": [], "groups": []
    }))
    .unwrap_or_default()
}

fn percentile(samples: &mut [Duration], p: f64) -> f64 {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(index).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

fn log_candidate(dir: &std::path::Path, rows: usize, writes: usize) -> anyhow::Result<Vec<Duration>> {
    // The snapshot of N rows is written once, as at a compaction; changes append to the log.
    let snapshot: Vec<Vec<u8>> = (0..rows).map(row).collect();
    std::fs::write(dir.join("snapshot.json"), serde_json::to_vec(&snapshot)?)?;
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("state.log"))?;
    let mut samples = Vec::with_capacity(writes);
    for index in 0..writes {
        let started = Instant::now();
        let mut line = serde_json::to_vec(
            &json!({"users": [[format!("u{index}"), serde_json::from_slice::<serde_json::Value>(&row(rows + index))?]]}),
        )?;
        line.push(b'\n');
        log.write_all(&line)?;
        log.sync_data()?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

fn redb_candidate(dir: &std::path::Path, rows: usize, writes: usize) -> anyhow::Result<Vec<Duration>> {
    let db = redb::Database::create(dir.join("state.redb"))?;
    {
        let txn = db.begin_write()?;
        {
            let mut table = txn.open_table(USERS)?;
            for index in 0..rows {
                table.insert(format!("u{index}").as_str(), row(index).as_slice())?;
            }
        }
        txn.commit()?;
    }
    let mut samples = Vec::with_capacity(writes);
    for index in 0..writes {
        let started = Instant::now();
        let txn = db.begin_write()?;
        {
            let mut table = txn.open_table(USERS)?;
            table.insert(format!("w{index}").as_str(), row(rows + index).as_slice())?;
        }
        txn.commit()?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

fn rewrite_reference(dir: &std::path::Path, rows: usize, writes: usize) -> anyhow::Result<Vec<Duration>> {
    let mut state: Vec<serde_json::Value> = (0..rows)
        .map(|index| serde_json::from_slice(&row(index)))
        .collect::<Result<_, _>>()?;
    let path = dir.join("whole.json");
    let mut samples = Vec::with_capacity(writes);
    for index in 0..writes {
        let started = Instant::now();
        state.push(serde_json::from_slice(&row(rows + index))?);
        let bytes = serde_json::to_vec(&state)?;
        let temp = dir.join(".whole.json.tmp");
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(&bytes)?;
        file.sync_all()?;
        std::fs::rename(&temp, &path)?;
        samples.push(started.elapsed());
    }
    Ok(samples)
}

pub(crate) fn bench(sizes: &[usize], writes: usize, json_path: Option<std::path::PathBuf>) -> anyhow::Result<()> {
    println!(
        "state file candidates: one user row written per change into a table of N rows, {writes} changes, fsync each"
    );
    println!(
        "{:>8}  {:>26}  {:>26}  {:>26}",
        "rows", "append-only log p50/p99 ms", "redb p50/p99 ms", "whole rewrite p50/p99 ms"
    );
    let mut results = Vec::new();
    for &rows in sizes {
        let dir = tempfile::tempdir()?;
        let mut log = log_candidate(dir.path(), rows, writes)?;
        let mut db = redb_candidate(dir.path(), rows, writes)?;
        // The reference is slow at size: fewer changes are enough to see it.
        let mut whole = rewrite_reference(dir.path(), rows, writes.min(if rows > 20_000 { 10 } else { 40 }))?;
        let figures = [
            (percentile(&mut log, 0.5), percentile(&mut log, 0.99)),
            (percentile(&mut db, 0.5), percentile(&mut db, 0.99)),
            (percentile(&mut whole, 0.5), percentile(&mut whole, 0.99)),
        ];
        println!(
            "{rows:>8}  {:>26}  {:>26}  {:>26}",
            format!("{:.2} / {:.2}", figures[0].0, figures[0].1),
            format!("{:.2} / {:.2}", figures[1].0, figures[1].1),
            format!("{:.2} / {:.2}", figures[2].0, figures[2].1),
        );
        results.push(json!({
            "rows": rows,
            "log_ms": {"p50": figures[0].0, "p99": figures[0].1},
            "redb_ms": {"p50": figures[1].0, "p99": figures[1].1},
            "whole_rewrite_ms": {"p50": figures[2].0, "p99": figures[2].1},
        }));
    }
    if let Some(path) = json_path {
        std::fs::write(path, serde_json::to_vec_pretty(&json!({"store": results}))?)?;
    }
    Ok(())
}
