//! A thread's own lane: a current-thread runtime and a client on it (the client's settings and
//! credentials, with connections of its own, since a connection is served by the runtime that opened
//! it). A thread that calls while no other call of its client is in flight drives the call there
//! itself: it sleeps in `epoll` until the answer arrives and is woken once, where handing the call
//! to the shared runtime's worker costs two more wake-ups.
//!
//! Building a lane costs milliseconds (an HTTP client with its TLS roots), so a thread gets one
//! only after `LANE_AFTER` calls made alone, built on a thread of its own meanwhile: a thread that
//! makes a few calls never waits for one, a loop of calls soon runs on its lane.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread::ThreadId;

use scc_sdk::{Client, Error};

use crate::runtime::ThreadRuntime;

/// Calls made alone before a thread's lane is built.
const LANE_AFTER: u32 = 16;

/// A thread's lane, ready.
pub(crate) struct Lane {
    pub(crate) runtime: ThreadRuntime,
    pub(crate) client: Client,
}

enum State {
    /// Calls made alone so far.
    Counting(u32),
    Building,
    Ready(Arc<Lane>),
    /// It could not be built: this thread's calls go to the shared runtime.
    Unavailable,
}

struct Entry {
    state: State,
    /// Gone once the thread has ended; the entry is then dropped.
    thread: Weak<()>,
}

/// The lanes of one client's threads, for the process that made them.
struct Table {
    pid: u32,
    entries: HashMap<ThreadId, Entry>,
}

thread_local! {
    /// Lives as long as this thread.
    static THREAD_ALIVE: Arc<()> = Arc::new(());
}

/// The lanes of a client's threads, and its synchronous calls in flight.
pub(crate) struct Lanes {
    table: Arc<Mutex<Table>>,
    in_flight: AtomicUsize,
}

/// One call in flight, counted while it lasts.
pub(crate) struct InFlight<'a> {
    count: &'a AtomicUsize,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.count.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Lanes {
    pub(crate) fn new() -> Self {
        Self {
            table: Arc::new(Mutex::new(Table {
                pid: std::process::id(),
                entries: HashMap::new(),
            })),
            in_flight: AtomicUsize::new(0),
        }
    }

    /// Counts a call in flight while the guard lives, and gives this thread's lane when the call
    /// is the only one in flight and the lane is ready. `base` is the client a lane is made from.
    pub(crate) fn enter(&self, base: impl FnOnce() -> Result<Client, Error>) -> (InFlight<'_>, Option<Arc<Lane>>) {
        let alone = self.in_flight.fetch_add(1, Ordering::AcqRel) == 0;
        let call = InFlight { count: &self.in_flight };
        if !alone {
            return (call, None);
        }
        let thread = std::thread::current().id();
        let mut ended = Vec::new();
        let lane = {
            let mut table = self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            let pid = std::process::id();
            if table.pid != pid {
                // A forked child: the parent's lanes hold the parent's sockets and epoll.
                std::mem::forget(std::mem::take(&mut table.entries));
                table.pid = pid;
            }
            if !table.entries.contains_key(&thread) {
                table.entries.retain(|_, entry| {
                    let alive = entry.thread.strong_count() > 0;
                    if !alive {
                        ended.push(std::mem::replace(&mut entry.state, State::Unavailable));
                    }
                    alive
                });
            }
            let entry = table.entries.entry(thread).or_insert_with(|| Entry {
                state: State::Counting(0),
                thread: THREAD_ALIVE.with(Arc::downgrade),
            });
            match &mut entry.state {
                State::Ready(lane) => Some(Arc::clone(lane)),
                State::Building | State::Unavailable => None,
                State::Counting(calls) => {
                    *calls += 1;
                    if *calls >= LANE_AFTER {
                        entry.state = match base() {
                            Ok(base) => {
                                build_in_background(Arc::clone(&self.table), thread, pid, base);
                                State::Building
                            }
                            Err(_) => State::Unavailable,
                        };
                    }
                    None
                }
            }
        };
        // Dropped outside the lock: each ready lane shuts its runtime down.
        drop(ended);
        (call, lane)
    }

    /// How many threads have a lane ready (for tests that need one).
    pub(crate) fn ready(&self) -> usize {
        let table = self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        table
            .entries
            .values()
            .filter(|entry| matches!(entry.state, State::Ready(_)))
            .count()
    }
}

impl Drop for Lanes {
    fn drop(&mut self) {
        let mut table = self.table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if table.pid != std::process::id() {
            // Dropped in a forked child: the lanes' sockets and epoll are the parent's.
            std::mem::forget(std::mem::take(&mut table.entries));
        }
    }
}

/// Builds `thread`'s lane on a thread of its own and records it (or that it cannot be had).
fn build_in_background(table: Arc<Mutex<Table>>, thread: ThreadId, pid: u32, base: Client) {
    let record = move |state: State| {
        let mut table = table.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if table.pid != pid {
            return Some(state);
        }
        match table.entries.get_mut(&thread) {
            Some(entry) if matches!(entry.state, State::Building) => {
                entry.state = state;
                None
            }
            // The thread ended meanwhile: the lane is dropped here, outside the lock.
            _ => Some(state),
        }
    };
    // With no thread to build on, the entry stays `Building`: this thread's calls keep going to the
    // shared runtime.
    let _detached = std::thread::Builder::new().name("scc-sdk-lane".into()).spawn(move || {
        let built = ThreadRuntime::new().ok().zip(base.with_own_connections().ok());
        let state = match built {
            Some((runtime, client)) => State::Ready(Arc::new(Lane { runtime, client })),
            None => State::Unavailable,
        };
        drop(record(state));
    });
}
