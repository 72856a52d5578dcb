//! The declarative engine of scc, apart from any face: a plan file says what organizations should
//! hold; the engine reads what they hold (observe), computes the typed changes between the two
//! (diff, a pure function), and makes exactly the changes a person confirmed (execute), each under
//! its organization's lock, each outcome a value and a line of the change journal. It knows no
//! terminal: the CLI, the Python package and the MCP server render what it returns and say what
//! it reports through [`Events`].
//!
//! ```no_run
//! # async fn run(client: scc_sdk::Client) -> Result<(), scc_apply::Error> {
//! use scc_apply::{Confirmed, Ledger, Session};
//!
//! let source = scc_apply::read("customers.yaml".as_ref())?; // parsed and checked
//! let file = source.plan_file();
//! let session = Session::new(&client, "https://api.security.cisco.com", "/tmp/scc-locks");
//! let Some(plans) = session.plan(&file).await? else { return Ok(()) }; // None: stopped
//! for (org, planned) in file.organizations.iter().zip(&plans) {
//!     for change in &planned.changes {
//!         println!("{}: {} {} {:?}", org.label(), change.action(), change.object(), change.attributes());
//!     }
//! }
//! // Confirmed by a person: exactly these changes are made, where the state still gives them.
//! let ledger = Ledger::new(file.organizations.iter().map(|org| org.label()).collect(), Default::default(), None)
//!     .expect("no journal to open");
//! let work = plans.iter().enumerate().map(|(index, planned)| (index, Confirmed::Saved(planned))).collect();
//! let applied = session.apply(&file, work, &ledger).await?.expect("not stopped");
//! # let _ = applied;
//! # Ok(()) }
//! ```

mod bounds;
mod diff;
mod digest;
mod engine;
mod error;
mod execute;
mod export;
mod input;
mod ledger;
mod lines;
mod lock;
mod observe;
mod outcome;
mod people;
mod report;
mod saved;
mod schema;
mod session;
mod spec;

pub use diff::{Change, Holder, RoleRef, Sign};
pub use digest::fnv1a;
pub use engine::{Applied, Confirmed, Planned, Verdict};
pub use error::Error;
pub use export::export;
pub use input::STDIN;
pub use ledger::{Actor, Ledger};
pub use lines::Origin;
pub use observe::{Section, orgs_named};
pub use outcome::{Failure, Outcome, Outcomes, Place, Refusal, Skip, Status, Subject};
pub use people::users_from_csv;
pub use report::{OrgReport, Row};
pub use saved::{FORMAT, PlanSource, SavedOrg, SavedPlan, Source, parse, read, read_all};
pub use schema::plan_file_schema;
pub use session::{Events, Interrupted, Session, Silent};
pub use spec::{GroupPlan, OrgPlan, PlanFile, Prune, RolePlan, SubscriptionPlan, UserPlan};
