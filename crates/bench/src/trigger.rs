//! Publishing through a server's HTTP trigger API, as a backend would:
//! `POST /apps/{app_id}/events`, signed with `budtags_pusher::http_api`.
//! Both servers accept the same request.

use std::time::{SystemTime, UNIX_EPOCH};

use budtags_pusher::{TriggerBody, http_api};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Method, Request, StatusCode};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};

use crate::{Error, server::App};

/// The event name the bench triggers.
pub const EVENT: &str = "bench-tick";

/// A keep-alive HTTP/1 client for one server's trigger API.
#[derive(Clone)]
pub struct Trigger {
    client: Client<HttpConnector, Full<Bytes>>,
    base: String,
    app: App,
}

impl Trigger {
    pub fn new(port: u16, app: App) -> Self {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new()).build(connector);
        Self { client, base: format!("http://127.0.0.1:{port}"), app }
    }

    /// Triggers [`EVENT`] on `channel` with `data`, and waits for the answer.
    pub async fn send(&self, channel: &str, data: String) -> Result<(), Error> {
        let body = TriggerBody {
            name: EVENT.into(),
            channels: None,
            channel: Some(channel.into()),
            data,
            socket_id: None,
        };
        let body = serde_json::to_string(&body).map_err(|e| Error::Trigger(e.to_string()))?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let query = http_api::signed_events_query(&self.app.id, &self.app.key, &self.app.secret, &body, now);
        let uri = format!("{}{}?{query}", self.base, http_api::events_path(&self.app.id));
        let request = Request::builder()
            .method(Method::POST)
            .uri(uri)
            .header("content-type", "application/json")
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| Error::Trigger(e.to_string()))?;
        let response = self.client.request(request).await.map_err(|e| Error::Trigger(e.to_string()))?;
        let status = response.status();
        let answer = response.into_body().collect().await.map_err(|e| Error::Trigger(e.to_string()))?;
        if status == StatusCode::OK {
            Ok(())
        } else {
            Err(Error::Trigger(format!("{status}: {}", String::from_utf8_lossy(&answer.to_bytes()))))
        }
    }
}
