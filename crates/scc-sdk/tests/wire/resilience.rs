//! Retries: what is repeated, what never is, how long it waits, and what the error says.

use std::sync::Arc;
use std::time::Duration;

use scc_sdk::retry::RetryConfig;
use scc_sdk::types::UserOperation;
use scc_sdk::{Client, ErrorKind, RateLimit};
use serde_json::json;
use wiremock::matchers::{any, method};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::support::{RecordingSleep, TOKEN, fixture};

fn client(server: &MockServer, sleep: Arc<RecordingSleep>) -> Client {
    Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(
            RetryConfig::new()
                .max_attempts(3)
                .initial_backoff(Duration::from_millis(400))
                .max_backoff(Duration::from_secs(10)),
        )
        .sleep_impl(sleep)
        .build()
        .expect("client")
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "7")
                .set_body_json(json!({"message": "slow down"})),
        )
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("users_patch.json")))
        .with_priority(2)
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let result = client(&server, sleep.clone())
        .users()
        .patch("o1", vec![UserOperation::invite("john.doe@example.com", "John", "Doe")])
        .await
        .expect("succeeds on the second attempt");
    assert!(result.summary().all_successful);
    assert_eq!(
        sleep.waits(),
        vec![Duration::from_secs(7)],
        "Retry-After honoured, even for a PATCH"
    );
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn retry_after_is_capped_by_the_maximum_backoff() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "3600"))
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let error = client(&server, sleep.clone())
        .organizations()
        .get("o1")
        .await
        .expect_err("fails");
    assert!(error.is_rate_limited());
    assert_eq!(sleep.waits(), vec![Duration::from_secs(10); 2]);
}

#[tokio::test]
async fn a_503_on_get_is_retried_to_the_limit_and_the_error_counts_attempts() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "down", "trackingId": "t-503"})))
        .expect(3)
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let error = client(&server, sleep.clone())
        .organizations()
        .get("o1")
        .await
        .expect_err("fails");
    assert_eq!(error.kind(), ErrorKind::Server);
    assert_eq!(error.attempts(), 3);
    assert_eq!(error.to_string(), "HTTP 503: down (tracking id t-503) after 3 attempts");
    let waits = sleep.waits();
    assert_eq!(waits.len(), 2);
    assert!(
        waits[0] <= Duration::from_millis(400) && waits[1] <= Duration::from_millis(800),
        "full jitter: {waits:?}"
    );
}

#[tokio::test]
async fn a_503_on_post_or_patch_is_sent_once() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "down"})))
        .expect(2)
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = client(&server, sleep.clone());
    let error = client
        .organizations()
        .create("Acme", "NAM")
        .send()
        .await
        .expect_err("fails");
    assert_eq!((error.status(), error.attempts()), (Some(503), 1));
    assert!(error.may_have_reached_server());
    let error = client.users().disable("o1", "a@example.com").await.expect_err("fails");
    assert_eq!(error.attempts(), 1);
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn a_refused_connection_is_retried_once_for_every_method() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let address = listener.local_addr().expect("address");
    drop(listener);
    let sleep = RecordingSleep::new();
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(format!("http://{address}"))
        .sleep_impl(sleep.clone())
        .build()
        .expect("client");
    let error = client.users().disable("o1", "a@example.com").await.expect_err("fails");
    assert_eq!(error.kind(), ErrorKind::Connect);
    // Nothing reached the server, so even a PATCH is retried; once only, for a server restarting
    // (nothing listening is not what more waiting mends).
    assert_eq!(error.attempts(), 2);
    assert!(!error.may_have_reached_server());
    assert_eq!(sleep.waits().len(), 1);
    assert!(error.to_string().ends_with("after 2 attempts"), "{error}");
}

#[tokio::test]
async fn a_timeout_on_patch_is_not_retried_and_says_it_may_have_been_applied() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .expect(1)
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .timeout(Duration::from_millis(150))
        .sleep_impl(sleep.clone())
        .build()
        .expect("client");
    let error = client.users().disable("o1", "a@example.com").await.expect_err("fails");
    assert!(error.is_timeout());
    assert_eq!(error.attempts(), 1);
    assert!(error.may_have_reached_server());
    assert!(
        error.to_string().contains("the request may have reached the server"),
        "{error}"
    );
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn retries_can_be_disabled_per_call() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .expect(1)
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = client(&server, sleep.clone());
    let error = client
        .with_retry(RetryConfig::disabled())
        .organizations()
        .get("o1")
        .await
        .expect_err("fails");
    assert_eq!(error.attempts(), 1);
    assert_eq!(
        client.config().retry.get_max_attempts(),
        3,
        "the original client keeps its policy"
    );
}

#[tokio::test]
async fn the_rate_limit_is_shared_by_clones() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("organization_create.json")))
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .rate_limit(RateLimit::new(50.0, 2))
        .sleep_impl(sleep.clone())
        .build()
        .expect("client");
    let first = client.clone();
    let second = client.clone();
    first.organizations().get("o1").await.expect("first");
    second.organizations().get("o1").await.expect("second");
    assert!(sleep.waits().is_empty(), "the burst of 2 passes at once");
    client.clone().organizations().get("o1").await.expect("third");
    let waits = sleep.waits();
    assert!(!waits.is_empty(), "the third request of any clone waits for the bucket");
    assert!(waits.iter().all(|wait| *wait <= Duration::from_millis(20)), "{waits:?}");
}

#[tokio::test]
async fn a_delete_retried_after_a_lost_answer_that_finds_nothing_succeeded() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(503).set_body_json(json!({"message": "gateway lost it"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "no such group"})))
        .with_priority(2)
        .mount(&server)
        .await;
    let sleep = RecordingSleep::new();
    client(&server, sleep.clone())
        .groups()
        .delete("o1", "g1")
        .await
        .expect("the first attempt deleted it: the retry's 404 is success");
    assert_eq!(server.received_requests().await.map(|r| r.len()), Some(2));
}

#[tokio::test]
async fn a_delete_that_finds_nothing_at_the_first_attempt_is_not_found() {
    let server = MockServer::start().await;
    Mock::given(method("DELETE"))
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "no such group"})))
        .mount(&server)
        .await;
    let error = client(&server, RecordingSleep::new())
        .groups()
        .delete("o1", "g1")
        .await
        .expect_err("nothing was there");
    assert!(error.is_not_found());
}

#[tokio::test]
async fn an_answer_longer_than_the_limit_is_refused_without_reading_it_all() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("x".repeat(64 * 1024)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .max_response_bytes(16 * 1024)
        .build()
        .expect("client");
    let error = client.organizations().get("o1").await.expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("larger than 16384 bytes"), "{error}");
    assert!(
        Client::builder()
            .access_token(TOKEN)
            .max_response_bytes(0)
            .build()
            .is_err(),
        "a zero limit is refused"
    );
}

#[tokio::test]
async fn an_endless_chunked_answer_stops_at_the_limit() {
    use tokio::io::AsyncWriteExt;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let address = listener.local_addr().expect("address");
    let written = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let counter = written.clone();
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.expect("accept");
        let mut request = [0u8; 4096];
        let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut request).await;
        let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
        if socket.write_all(head.as_bytes()).await.is_err() {
            return;
        }
        let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, "[".repeat(64 * 1024));
        // Without end, until the client hangs up.
        while socket.write_all(chunk.as_bytes()).await.is_ok() {
            counter.fetch_add(64 * 1024, std::sync::atomic::Ordering::SeqCst);
        }
    });
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(format!("http://{address}"))
        .max_response_bytes(1024 * 1024)
        .build()
        .expect("client");
    let error = client.organizations().get("o1").await.expect_err("too large");
    assert_eq!(error.kind(), ErrorKind::ResponseTooLarge, "{error}");
    assert!(
        written.load(std::sync::atomic::Ordering::SeqCst) < 64 * 1024 * 1024,
        "the client stopped reading near the limit"
    );
}

#[tokio::test]
async fn a_deadline_bounds_every_attempt_and_wait_of_a_call() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503).set_delay(Duration::from_millis(150)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(
            RetryConfig::new()
                .max_attempts(10)
                .initial_backoff(Duration::from_millis(50))
                .max_backoff(Duration::from_millis(50)),
        )
        .deadline(Duration::from_millis(400))
        .build()
        .expect("client");
    let started = std::time::Instant::now();
    let error = client.organizations().get("org-1").await.expect_err("deadline");
    let elapsed = started.elapsed();
    assert_eq!(error.kind(), ErrorKind::Timeout);
    assert!(error.to_string().contains("deadline of 0.4 s"), "{error}");
    assert!(!error.was_write(), "a read changes nothing, whatever became of it");
    assert!(elapsed < Duration::from_millis(700), "{elapsed:?}");
    let attempts = server.received_requests().await.expect("recording").len();
    assert!((2..10).contains(&attempts), "{attempts} attempts in the deadline");

    // A write cut by the deadline (its answer slower than the deadline) may have been applied: said so.
    let slow = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(2)))
        .mount(&slow)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(slow.uri())
        .deadline(Duration::from_millis(200))
        .build()
        .expect("client");
    let error = client
        .users()
        .patch("org-1", vec![UserOperation::enable("a@example.com")])
        .await
        .expect_err("deadline");
    assert!(error.was_write() && error.may_have_reached_server(), "{error}");
    assert!(error.to_string().contains("may have reached the server"), "{error}");
}

#[tokio::test]
async fn without_a_timeout_an_attempt_waits_for_a_slow_answer() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(fixture("organization_create.json"))
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&server)
        .await;
    let limited = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(RetryConfig::disabled())
        .timeout(Duration::from_millis(100))
        .build()
        .expect("client");
    assert_eq!(
        limited
            .organizations()
            .get("org-1")
            .await
            .expect_err("times out")
            .kind(),
        ErrorKind::Timeout
    );
    let unlimited = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .retry(RetryConfig::disabled())
        .no_timeout()
        .build()
        .expect("client");
    assert!(unlimited.config().timeout.is_none());
    unlimited.organizations().get("org-1").await.expect("waits");
}

#[tokio::test]
async fn a_ca_bundle_that_cannot_be_read_or_holds_no_certificate_fails_the_build() {
    let folder = tempfile::tempdir().expect("dir");
    let not_pem = folder.path().join("not.pem");
    std::fs::write(&not_pem, "not a certificate\n").expect("write");
    for path in [folder.path().join("missing.pem"), not_pem] {
        let error = Client::builder()
            .access_token(TOKEN)
            .ca_bundle(&path)
            .build()
            .expect_err("refused");
        assert_eq!(error.kind(), ErrorKind::InvalidInput);
        assert!(error.to_string().contains("`ca_bundle`"), "{error}");
        assert!(error.to_string().contains(&path.display().to_string()), "{error}");
    }
}

/// A resolver that knows no name, as for a host that does not exist (nothing leaves the machine).
struct NoSuchHost(std::sync::atomic::AtomicUsize);

impl reqwest::dns::Resolve for NoSuchHost {
    fn resolve(&self, _name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        self.0.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Box::pin(async {
            Err::<reqwest::dns::Addrs, _>(
                Box::new(std::io::Error::other("no such host")) as Box<dyn std::error::Error + Send + Sync>
            )
        })
    }
}

#[tokio::test]
async fn an_unknown_host_is_not_retried() {
    let lookups = Arc::new(NoSuchHost(std::sync::atomic::AtomicUsize::new(0)));
    let http = reqwest::Client::builder()
        .dns_resolver(lookups.clone())
        .build()
        .expect("http client");
    let sleep = RecordingSleep::new();
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url("https://api.no-such-host.invalid")
        .http_client(http)
        .retry(RetryConfig::new().max_attempts(5))
        .sleep_impl(sleep.clone())
        .build()
        .expect("client");
    let error = client.organizations().get("org-1").await.expect_err("no such host");
    assert_eq!(error.kind(), ErrorKind::Connect, "{error}");
    assert!(error.is_connect_refused_for_good(), "{error}");
    assert_eq!(error.attempts(), 1);
    assert!(!error.may_have_reached_server());
    assert_eq!(
        lookups.0.load(std::sync::atomic::Ordering::SeqCst),
        1,
        "one lookup, no retry"
    );
    assert!(sleep.waits().is_empty());
}

#[tokio::test]
async fn a_write_answered_with_a_redirect_is_not_followed_and_its_outcome_is_unknown() {
    for status in [301, 302, 303, 307, 308] {
        let server = MockServer::start().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).insert_header("Location", "/v1/somewhere-else"))
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(fixture("admin_group.json")))
            .mount(&server)
            .await;
        let client = client(&server, RecordingSleep::new());
        let error = client
            .groups()
            .create("org-1", "SOC")
            .send()
            .await
            .expect_err("a redirect is no answer to a write");
        assert_eq!(error.status(), Some(status));
        assert!(error.was_write() && error.may_have_reached_server(), "{error}");
        assert!(error.to_string().contains("may have been applied"), "{error}");
        let requests = server.received_requests().await.expect("recording");
        assert_eq!(
            requests.iter().map(|r| r.method.to_string()).collect::<Vec<_>>(),
            ["POST"],
            "HTTP {status}: sent once, never again as a GET or elsewhere"
        );
    }
}

#[tokio::test]
async fn a_read_follows_a_redirect_on_its_own_origin_only() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/v1/organizations/moved"))
        .respond_with(ResponseTemplate::new(301).insert_header("Location", "/v1/organizations/org-1"))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/v1/organizations/org-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("organization_create.json")))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/v1/organizations/away"))
        .respond_with(
            ResponseTemplate::new(302).insert_header("Location", format!("{}/v1/organizations/org-1", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(fixture("organization_create.json")))
        .mount(&elsewhere)
        .await;
    let client = client(&server, RecordingSleep::new());
    client
        .organizations()
        .get("moved")
        .await
        .expect("followed on the same origin");
    let error = client.organizations().get("away").await.expect_err("not followed");
    assert!(error.to_string().contains("another origin"), "{error}");
    assert!(
        elsewhere.received_requests().await.expect("recording").is_empty(),
        "the token never goes to another host"
    );
}
