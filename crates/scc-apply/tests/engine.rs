//! The engine against the emulator in-process (127.0.0.1), with typed results: what a plan holds,
//! what an apply of a confirmed change set makes, and what it refuses.

use std::path::Path;

use scc_apply::{Change, Confirmed, Error, Ledger, Outcome, PlanFile, Planned, Refusal, Session, Status, Verdict};
use scc_emulator::{Emulator, EmulatorOptions, spawn};
use scc_sdk::Client;

fn client(emulator: &Emulator, token: &str) -> Client {
    Client::builder()
        .access_token(token)
        .base_url(emulator.base_url())
        .build()
        .expect("client")
}

fn admin(emulator: &Emulator) -> Client {
    client(emulator, &emulator.ready().admin.access_token)
}

/// A plan file from YAML text, checked as `read` checks a file.
fn plan_file(yaml: &str) -> PlanFile {
    scc_apply::parse(Path::new("plan.yaml"), yaml)
        .expect("a sound plan")
        .plan_file()
}

fn ledger(file: &PlanFile) -> Ledger {
    Ledger::new(
        file.organizations.iter().map(|org| org.label()).collect(),
        Default::default(),
        None,
    )
    .expect("ledger")
}

async fn users_of(client: &Client, org_name: &str) -> Vec<String> {
    let org = client
        .organizations()
        .list()
        .name(org_name)
        .send()
        .await
        .expect("listed")
        .items
        .into_iter()
        .next()
        .expect("the organization");
    let mut emails: Vec<String> = client
        .users()
        .list(org.id.as_str())
        .send()
        .await
        .expect("users")
        .items
        .into_iter()
        .filter_map(|user| user.email)
        .collect();
    emails.sort();
    emails
}

const EAST: &str = "organizations:\n  - name: Acme Customer East\n    users:\n      - {email: nia@east.example, first_name: Nia, last_name: Okafor, admin: true}\n";

#[tokio::test]
async fn a_plan_is_typed_changes_with_their_attributes_and_applying_it_makes_exactly_them() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let file = plan_file(EAST);
    let plans = session.plan(&file).await.expect("planned").expect("not stopped");
    assert_eq!(
        plans[0].changes,
        [Change::Invite {
            email: "nia@east.example".into(),
            first_name: "Nia".into(),
            last_name: "Okafor".into(),
            admin: true,
        }]
    );
    assert_eq!(
        plans[0].changes[0].attributes(),
        serde_json::json!({"first_name": "Nia", "last_name": "Okafor", "admin": true})
            .as_object()
            .cloned()
            .expect("an object")
    );
    let ledger = ledger(&file);
    let applied = session
        .apply(&file, vec![(0, Confirmed::Saved(&plans[0]))], &ledger)
        .await
        .expect("applied")
        .expect("not stopped");
    let (_, org) = &applied[0];
    assert!(matches!(org.verdict, Verdict::Applied));
    let outcomes = org.outcomes.clone().into_items();
    assert_eq!(outcomes.len(), 1, "{outcomes:?}");
    assert_eq!(outcomes[0].1.status(), Status::Ok);
    assert!(
        users_of(&client, "Acme Customer East")
            .await
            .contains(&"nia@east.example".to_owned())
    );
    // The same plan again: nothing to do.
    let again = session.plan(&file).await.expect("planned").expect("not stopped");
    assert_eq!(again[0].changes, Vec::<Change>::new());
}

#[tokio::test]
async fn a_change_set_whose_plan_file_was_edited_is_stale_and_nothing_is_made() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let reviewed = plan_file(EAST);
    let plans = session.plan(&reviewed).await.expect("planned").expect("not stopped");
    // The plan file the change set carries gains a user; the reviewed changes are left alone.
    let edited = plan_file(&format!(
        "{EAST}      - {{email: mallory@evil.example, first_name: Mal, last_name: Lory}}\n"
    ));
    let ledger = ledger(&edited);
    let applied = session
        .apply(&edited, vec![(0, Confirmed::Saved(&plans[0]))], &ledger)
        .await
        .expect("applied")
        .expect("not stopped");
    let Verdict::Stale { saved, now } = &applied[0].1.verdict else {
        panic!("stale: {:?}", applied[0].1.verdict);
    };
    assert_eq!(
        saved.difference(now),
        ["now also: + invite user mallory@evil.example"],
        "the difference names the change no one reviewed"
    );
    assert!(
        applied[0].1.outcomes.clone().into_items().is_empty(),
        "nothing was tried"
    );
    assert!(
        !users_of(&client, "Acme Customer East")
            .await
            .contains(&"nia@east.example".to_owned())
    );

    // Another attribute for the same object is a difference too (a privilege no one reviewed).
    let promoted = plan_file(&EAST.replace("admin: true", "admin: false"));
    let was: Planned = plans[0].clone();
    let now = session.plan(&promoted).await.expect("planned").expect("not stopped");
    assert_eq!(
        was.difference(&now[0]),
        ["now otherwise: + invite user nia@east.example (admin: true -> false)"]
    );
}

#[tokio::test]
async fn a_new_organization_is_checked_against_what_it_will_hold() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let file = plan_file(
        "organizations:\n  - name: Initech\n    create: true\n    region: NAM\n    users:\n      - {email: peter@initech.example, first_name: Peter, last_name: Gibbons}\n    groups:\n      - {name: TPS, members: [peter@initech.example, milton@initech.example]}\n    roles:\n      - {product: Security Cloud Control, role: Stapler Custodian, groups: [TPS]}\n",
    );
    let plans = session.plan(&file).await.expect("planned").expect("not stopped");
    let problems: Vec<String> = plans[0]
        .items()
        .into_iter()
        .filter(|(_, outcome)| !matches!(outcome, Outcome::Planned))
        .map(|(subject, outcome)| {
            format!(
                "{} {}: {}",
                subject.action(),
                subject.object(),
                outcome.reason().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("milton@initech.example") && problems[0].contains("is not a user"),
        "{problems:?}"
    );
    assert!(problems[1].contains("no role \"Stapler Custodian\""), "{problems:?}");
    assert!(
        !plans[0].changes.iter().any(|change| change.object().contains("milton")),
        "{:?}",
        plans[0].changes
    );
}

#[tokio::test]
async fn create_true_never_adopts_an_organization_of_another_region() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let file = plan_file("organizations:\n  - name: Acme Customer West\n    create: true\n    region: APJC\n");
    let plans = session.plan(&file).await.expect("planned").expect("not stopped");
    let items = plans[0].items();
    let [(_, Outcome::Refused(Refusal::NotAsCreated { differs, .. }))] = items.as_slice() else {
        panic!("refused: {items:?}");
    };
    assert_eq!(differs, "is in region EMEA, not APJC");
}

#[tokio::test]
async fn a_read_only_key_is_refused_before_anything_is_sent_and_reads_still_work() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let member = client(&emulator, &emulator.ready().member.access_token);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&member, emulator.base_url(), dir.path());
    let file = plan_file(EAST);
    let plans = session
        .plan(&file)
        .await
        .expect("a read-only key plans")
        .expect("not stopped");
    assert_eq!(plans[0].changes.len(), 1);
    let error = session
        .apply(&file, vec![(0, Confirmed::Ahead)], &ledger(&file))
        .await
        .expect_err("refused");
    assert!(
        matches!(&error, Error::ReadOnlyKey { scope } if scope == "security:enterprise:member"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_scope_keeps_the_organizations_it_names_and_refuses_a_name_the_file_lacks() {
    let text = "organizations:\n  - name: Acme Customer East\n  - name: Acme Customer West\n";
    let mut source = scc_apply::parse(Path::new("two.yaml"), text).expect("sound");
    let error = source
        .clone()
        .select(&["Acme Customer Esat".into()], Path::new("two.yaml"))
        .expect_err("no such");
    assert!(
        error
            .to_string()
            .contains("--org \"Acme Customer Esat\": no organization of two.yaml"),
        "{error}"
    );
    let places = source
        .select(&["acme customer west".into()], Path::new("two.yaml"))
        .expect("selected");
    assert_eq!(places, [1]);
    assert_eq!(source.plan_file().organizations[0].label(), "Acme Customer West");
}

#[tokio::test]
async fn an_export_plans_to_no_change() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let orgs = client.organizations().list().send().await.expect("listed").items;
    let exported = scc_apply::export(&client, orgs).await.expect("exported");
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let plans = session.plan(&exported).await.expect("planned").expect("not stopped");
    for (org, planned) in exported.organizations.iter().zip(&plans) {
        assert_eq!(planned.changes, Vec::<Change>::new(), "{}", org.label());
    }
}

#[tokio::test]
async fn enabled_false_disables_a_user_once_and_enabled_true_enables_them_again_and_export_keeps_it() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let org_id = &emulator.ready().org_id;
    let email = "dee@engine.example";
    client
        .users()
        .invite(org_id.as_str(), email, "Dee", "Sable")
        .send()
        .await
        .expect("invited");
    let status = || async {
        let users = client.users().list(org_id.as_str()).send().await.expect("users").items;
        let user = users
            .into_iter()
            .find(|user| user.email.as_deref() == Some(email))
            .expect("the user");
        user.status.map(|status| status.as_str().to_owned()).unwrap_or_default()
    };
    let plan_of = |enabled: bool| {
        plan_file(&format!(
            "organizations:\n  - id: {org_id}\n    users:\n      - {{email: {email}, first_name: Dee, last_name: Sable, enabled: {enabled}}}\n"
        ))
    };
    let disable = plan_of(false);
    let plans = session.plan(&disable).await.expect("planned").expect("not stopped");
    assert_eq!(
        plans[0].changes,
        [Change::SetUserEnabled {
            email: email.into(),
            enabled: false
        }]
    );
    assert_eq!(plans[0].changes[0].action(), "disable");
    assert_eq!(plans[0].changes[0].sign(), scc_apply::Sign::Remove);
    let applied = session
        .apply(&disable, vec![(0, Confirmed::Saved(&plans[0]))], &ledger(&disable))
        .await
        .expect("applied")
        .expect("not stopped");
    assert!(matches!(applied[0].1.verdict, Verdict::Applied));
    assert_eq!(status().await, "DISABLED");
    let again = session.plan(&disable).await.expect("planned").expect("not stopped");
    assert_eq!(again[0].changes, Vec::<Change>::new(), "disabled once");
    // An export writes the user disabled, and plans to no change.
    let orgs = client.organizations().list().send().await.expect("listed").items;
    let exported = scc_apply::export(&client, orgs).await.expect("exported");
    let user = exported
        .organizations
        .iter()
        .flat_map(|org| &org.users)
        .find(|user| user.email == email)
        .expect("exported");
    assert_eq!(user.enabled, Some(false));
    let enable = plan_of(true);
    let plans = session.plan(&enable).await.expect("planned").expect("not stopped");
    assert_eq!(plans[0].changes[0].action(), "enable");
    session
        .apply(&enable, vec![(0, Confirmed::Saved(&plans[0]))], &ledger(&enable))
        .await
        .expect("applied")
        .expect("not stopped");
    assert_ne!(status().await, "DISABLED");
}

#[tokio::test]
async fn a_plan_pinned_to_another_tenant_is_refused_before_anything_is_read() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let org_id = emulator.ready().org_id.clone();
    let pinned = |tenant: &str| plan_file(&format!("tenant: {tenant}\n{EAST}"));
    let refused = session
        .plan(&pinned("00000000-0000-0000-0000-000000000000"))
        .await
        .expect_err("another tenant");
    assert!(
        matches!(&refused, Error::Input { message, .. } if message.contains("is for tenant")),
        "{refused:?}"
    );
    let planned = session
        .plan(&pinned(&org_id))
        .await
        .expect("its own tenant")
        .expect("not stopped");
    assert_eq!(planned.len(), 1);
    let file = pinned("00000000-0000-0000-0000-000000000000");
    let refused = session.apply(&file, vec![(0, Confirmed::Ahead)], &ledger(&file)).await;
    assert!(refused.is_err(), "apply checks the tenant too");
}

#[tokio::test]
async fn a_group_is_shared_into_the_managed_organizations_the_plan_names_and_export_writes_them_back() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let manager = emulator.ready().org_id.clone();
    let group_id = client
        .groups()
        .list(manager.as_str())
        .send()
        .await
        .expect("groups")
        .items
        .into_iter()
        .find(|group| group.name.as_deref() == Some("SOC Analysts"))
        .expect("the fixture's group")
        .id;
    let shared_into = || async {
        let mut names: Vec<String> = client
            .groups()
            .get_managed_organizations(manager.as_str(), group_id.clone())
            .await
            .expect("shares")
            .items
            .into_iter()
            .filter_map(|org| org.name)
            .collect();
        names.sort();
        names
    };
    assert_eq!(shared_into().await, ["Acme Customer East"]);
    // West by name in another case; East is no longer listed and prune says to stop sharing it.
    let file = plan_file(
        "organizations:\n  - name: Acme MSP\n    groups:\n      - {name: SOC Analysts, managed_orgs: [acme customer west]}\n    prune: {managed_orgs: true}\n",
    );
    let plans = session.plan(&file).await.expect("planned").expect("not stopped");
    let lines: Vec<String> = plans[0]
        .changes
        .iter()
        .map(|change| format!("{} {} {}", change.sign().symbol(), change.action(), change.object()))
        .collect();
    assert_eq!(
        lines,
        [
            "+ share group SOC Analysts with organization Acme Customer West",
            "- unshare group SOC Analysts with organization Acme Customer East",
        ]
    );
    let applied = session
        .apply(&file, vec![(0, Confirmed::Saved(&plans[0]))], &ledger(&file))
        .await
        .expect("applied")
        .expect("not stopped");
    assert!(
        applied[0]
            .1
            .outcomes
            .clone()
            .into_items()
            .iter()
            .all(|(_, outcome)| outcome.status() == Status::Ok),
        "{:?}",
        applied[0].1.outcomes
    );
    assert_eq!(shared_into().await, ["Acme Customer West"]);
    let again = session.plan(&file).await.expect("planned").expect("not stopped");
    assert_eq!(again[0].changes, Vec::<Change>::new(), "shared once");
    // The export writes the share by name, and its plan is no change.
    let orgs = client.organizations().list().send().await.expect("listed").items;
    let exported = scc_apply::export(&client, orgs).await.expect("exported");
    let group = exported
        .organizations
        .iter()
        .filter(|org| org.name.as_deref() == Some("Acme MSP"))
        .flat_map(|org| &org.groups)
        .find(|group| group.name == "SOC Analysts")
        .expect("exported");
    assert_eq!(group.managed_orgs, ["Acme Customer West"]);
    let plans = session.plan(&exported).await.expect("planned").expect("not stopped");
    for (org, planned) in exported.organizations.iter().zip(&plans) {
        assert_eq!(planned.changes, Vec::<Change>::new(), "{}", org.label());
    }
}

#[tokio::test]
async fn sharing_into_an_organization_the_manager_does_not_manage_is_a_problem_named_by_its_place() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    let file = plan_file(
        "organizations:\n  - name: Acme MSP\n    groups:\n      - {name: SOC Analysts, managed_orgs: [Acme Customer East, Globex Standalone]}\n",
    );
    let plans = session.plan(&file).await.expect("planned").expect("not stopped");
    assert_eq!(plans[0].changes, Vec::<Change>::new(), "East is shared already");
    let problems: Vec<String> = plans[0]
        .items()
        .into_iter()
        .filter(|(_, outcome)| !matches!(outcome, Outcome::Planned))
        .map(|(subject, outcome)| format!("{}: {}", subject.object(), outcome.reason().unwrap_or_default()))
        .collect();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].contains("Globex Standalone")
            && problems[0].contains("groups[0].managed_orgs[1]")
            && problems[0].contains("is not an organization this one manages"),
        "{problems:?}"
    );
    // A plan that creates an organization shares nothing from it.
    let refused = scc_apply::parse(
        Path::new("new.yaml"),
        "organizations:\n  - {name: Initech, create: true, region: NAM, groups: [{name: SOC, managed_orgs: [Acme Customer East]}]}\n",
    )
    .expect_err("refused");
    assert!(
        refused.to_string().contains(
            "organizations[0].groups[0].managed_orgs[0]: an organization this plan creates manages no organization"
        ),
        "{refused}"
    );
}

#[tokio::test]
async fn a_group_is_shared_into_an_organization_the_same_run_creates() {
    let emulator = spawn(EmulatorOptions::default()).await.expect("emulator");
    let client = admin(&emulator);
    let dir = tempfile::tempdir().expect("dir");
    let session = Session::new(&client, emulator.base_url(), dir.path());
    // The manager's plan comes first in the file: the engine still shares once Initech exists.
    let file = plan_file(
        "organizations:\n  - name: Acme MSP\n    groups:\n      - {name: SOC Analysts, managed_orgs: [Acme Customer East, Initech]}\n  - name: Initech\n    create: true\n    region: NAM\n",
    );
    let plans = session.plan(&file).await.expect("planned").expect("not stopped");
    let objects: Vec<String> = plans[0].changes.iter().map(Change::object).collect();
    assert_eq!(
        objects,
        ["group SOC Analysts with organization Initech (created by this run)"]
    );
    assert!(
        plans[0]
            .items()
            .iter()
            .all(|(_, outcome)| matches!(outcome, Outcome::Planned))
    );
    let work = plans
        .iter()
        .enumerate()
        .map(|(index, planned)| (index, Confirmed::Saved(planned)))
        .collect();
    let applied = session
        .apply(&file, work, &ledger(&file))
        .await
        .expect("applied")
        .expect("not stopped");
    for (index, org) in &applied {
        assert!(matches!(org.verdict, Verdict::Applied), "{index}: {:?}", org.verdict);
        assert!(
            org.outcomes
                .clone()
                .into_items()
                .iter()
                .all(|(_, outcome)| outcome.status() == Status::Ok),
            "{index}: {:?}",
            org.outcomes
        );
    }
    let manager = emulator.ready().org_id.clone();
    let group = client
        .groups()
        .list(manager.as_str())
        .send()
        .await
        .expect("groups")
        .items
        .into_iter()
        .find(|group| group.name.as_deref() == Some("SOC Analysts"))
        .expect("the group");
    let mut shared: Vec<String> = client
        .groups()
        .get_managed_organizations(manager.as_str(), group.id)
        .await
        .expect("shares")
        .items
        .into_iter()
        .filter_map(|org| org.name)
        .collect();
    shared.sort();
    assert_eq!(shared, ["Acme Customer East", "Initech"]);
    let again = session.plan(&file).await.expect("planned").expect("not stopped");
    assert!(again.iter().all(|planned| planned.changes.is_empty()), "{again:?}");
}
