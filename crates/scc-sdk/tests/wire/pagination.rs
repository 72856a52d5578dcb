//! Pagination streams: three pages for each cursor style, laziness, `max_items`, and the stop on a
//! repeated cursor.

use scc_sdk::Client;
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::support::TOKEN;

#[derive(Clone, Copy)]
enum Style {
    BodyCursor,
    NextCursor,
    LinkHeader,
    Repeating,
}

struct Pages {
    style: Style,
    key: &'static str,
}

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let cursor = request
            .url
            .query_pairs()
            .find(|(k, _)| k == "cursor")
            .map(|(_, v)| v.into_owned());
        let page = match cursor.as_deref() {
            None => 0,
            Some("c1") => 1,
            Some("c2") => 2,
            _ => return ResponseTemplate::new(400).set_body_json(json!({"message": "bad cursor"})),
        };
        let items: Vec<_> = (0..2)
            .map(|i| json!({"id": format!("p{page}-{i}"), "name": format!("Item {page}-{i}")}))
            .collect();
        let next = match (self.style, page) {
            (Style::Repeating, _) => Some("c1"),
            (_, 0) => Some("c1"),
            (_, 1) => Some("c2"),
            _ => None,
        };
        let mut body = serde_json::Value::Object(serde_json::Map::from_iter([(self.key.to_owned(), items.into())]));
        let mut response = ResponseTemplate::new(200);
        if let Some(next) = next {
            match self.style {
                Style::BodyCursor | Style::Repeating => body["cursor"] = next.into(),
                Style::NextCursor => body["nextCursor"] = next.into(),
                Style::LinkHeader => {
                    let link = format!(
                        "<{}{}?max=2&cursor={next}>; rel=\"next\"",
                        request.url.origin().ascii_serialization(),
                        request.url.path()
                    );
                    response = response.insert_header("Link", link.as_str());
                }
            }
        }
        response.set_body_json(body)
    }
}

async fn paged(style: Style, key: &'static str) -> (MockServer, Client) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(Pages { style, key })
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .build()
        .expect("client");
    (server, client)
}

async fn requests(server: &MockServer) -> Vec<Option<String>> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "cursor")
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

#[tokio::test]
async fn three_pages_for_each_cursor_style() {
    use futures_util::TryStreamExt;
    for style in [Style::BodyCursor, Style::NextCursor, Style::LinkHeader] {
        let (server, client) = paged(style, "organizations").await;
        let orgs: Vec<_> = client
            .organizations()
            .list()
            .max(2)
            .items()
            .try_collect()
            .await
            .expect("items");
        let ids: Vec<_> = orgs.iter().map(|org| org.id.to_string()).collect();
        assert_eq!(ids, ["p0-0", "p0-1", "p1-0", "p1-1", "p2-0", "p2-1"]);
        assert_eq!(requests(&server).await, [None, Some("c1".into()), Some("c2".into())]);

        let (server, client) = paged(style, "groups").await;
        let pages: Vec<_> = client.groups().list("o1").pages().try_collect().await.expect("pages");
        assert_eq!(pages.len(), 3);
        assert_eq!(pages[2].next_cursor, None);
        assert_eq!(requests(&server).await.len(), 3);
    }
}

#[tokio::test]
async fn streams_are_lazy_and_max_items_stops_early() {
    use futures_util::{StreamExt, TryStreamExt};
    let (server, client) = paged(Style::BodyCursor, "organizations").await;
    let mut stream = client.organizations().list().max(2).max_items(3).items();
    assert!(
        server.received_requests().await.unwrap_or_default().is_empty(),
        "nothing is sent before polling"
    );
    let first = stream.next().await.expect("an item").expect("ok");
    assert_eq!(first.id, "p0-0");
    assert_eq!(requests(&server).await.len(), 1);
    let rest: Vec<_> = stream.try_collect().await.expect("rest");
    assert_eq!(rest.len(), 2);
    assert_eq!(requests(&server).await.len(), 2, "the third page is never asked for");
}

#[tokio::test]
async fn a_repeated_cursor_ends_the_stream() {
    use futures_util::TryStreamExt;
    let (server, client) = paged(Style::Repeating, "organizations").await;
    let orgs: Vec<_> = client
        .organizations()
        .list()
        .items()
        .try_collect()
        .await
        .expect("items");
    assert_eq!(orgs.len(), 4, "two pages, then the repeated cursor stops it");
    assert_eq!(requests(&server).await, [None, Some("c1".into())]);
}

#[tokio::test]
async fn an_error_ends_the_stream_after_yielding_it() {
    use futures_util::StreamExt;
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(404).set_body_json(json!({"message": "no such org"})))
        .mount(&server)
        .await;
    let client = Client::builder()
        .access_token(TOKEN)
        .base_url(server.uri())
        .build()
        .expect("client");
    let results: Vec<_> = client.groups().list("o1").pages().collect().await;
    assert_eq!(results.len(), 1);
    assert!(results[0].as_ref().is_err_and(|error| error.is_not_found()));
}
