//! The external broadcaster: every committed event is also triggered on an
//! external Pusher-protocol server (Reverb, Soketi, Sockudo, Pusher, or
//! another BudTags server) with `POST /apps/{app_id}/events`, signed with the
//! app secret (`budtags_pusher::http_api`).
//!
//! [`ExternalPusher::publish`] only queues; one worker task sends the queue in
//! order, retrying a failed request a few times before logging it as lost
//! (clients catch up through `/api/events/replay`).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use budtags_pusher::{TriggerBody, echo, http_api};
use budtags_wire::EventEnvelope;
use http_body_util::{BodyExt, Full};
use hyper::{Request, header};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use tokio::sync::mpsc;

use super::{
    broadcaster::Broadcaster,
    settings::{ExternalServer, PusherApp},
};

/// Delays before each retry of a failed trigger.
const RETRY_DELAYS: [Duration; 3] =
    [Duration::from_millis(200), Duration::from_secs(1), Duration::from_secs(5)];
/// How long one trigger request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

pub struct ExternalPusher {
    queue: mpsc::UnboundedSender<EventEnvelope>,
}

impl ExternalPusher {
    /// Starts the worker task; call inside a Tokio runtime. The worker ends
    /// when this broadcaster is dropped and its queue is sent.
    pub fn spawn(server: ExternalServer, app: PusherApp) -> Self {
        let (queue, events) = mpsc::unbounded_channel();
        tokio::spawn(run(server, app, events));
        Self { queue }
    }
}

impl Broadcaster for ExternalPusher {
    fn publish(&self, envelope: &EventEnvelope) {
        if self.queue.send(envelope.clone()).is_err() {
            tracing::error!(id = envelope.id, "external broadcaster stopped; event not sent");
        }
    }
}

/// The trigger body for one event: Echo's event name and private channel, and
/// the Pusher payload (with `eventId`) as a JSON string.
pub fn trigger_body(envelope: &EventEnvelope) -> TriggerBody {
    let event = &envelope.event;
    TriggerBody {
        name: echo::event_name(event.echo_name(), echo::DEFAULT_NAMESPACE),
        channels: Some(vec![echo::private_channel(&event.channel())]),
        channel: None,
        data: event.pusher_data(envelope.id).to_string(),
        socket_id: None,
    }
}

async fn run(server: ExternalServer, app: PusherApp, mut events: mpsc::UnboundedReceiver<EventEnvelope>) {
    let client: Client<HttpConnector, Full<Bytes>> = Client::builder(TokioExecutor::new()).build_http();
    while let Some(envelope) = events.recv().await {
        let body = match serde_json::to_string(&trigger_body(&envelope)) {
            Ok(body) => body,
            Err(e) => {
                tracing::error!(id = envelope.id, error = %e, "cannot encode trigger body");
                continue;
            }
        };
        let mut attempt = 0;
        loop {
            match trigger(&client, &server, &app, &body).await {
                Ok(()) => break,
                Err(problem) if attempt < RETRY_DELAYS.len() => {
                    tracing::warn!(id = envelope.id, %problem, "external trigger failed; retrying");
                    tokio::time::sleep(RETRY_DELAYS[attempt]).await;
                    attempt += 1;
                }
                Err(problem) => {
                    tracing::error!(id = envelope.id, %problem, "external trigger failed; event not sent");
                    break;
                }
            }
        }
    }
}

/// One signed `POST /apps/{app_id}/events`; `Err` says why it did not land.
async fn trigger(
    client: &Client<HttpConnector, Full<Bytes>>,
    server: &ExternalServer,
    app: &PusherApp,
    body: &str,
) -> Result<(), String> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let query = http_api::signed_events_query(&app.id, &app.key, &app.secret, body, now);
    let uri = format!("http://{}:{}{}?{query}", server.host, server.port, http_api::events_path(&app.id));
    let request = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Full::new(Bytes::from(body.to_owned())))
        .map_err(|e| format!("bad request: {e}"))?;
    let response = tokio::time::timeout(REQUEST_TIMEOUT, client.request(request))
        .await
        .map_err(|_| "timed out".to_owned())?
        .map_err(|e| format!("request failed: {e}"))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let text = match response.into_body().collect().await {
        Ok(body) => String::from_utf8_lossy(&body.to_bytes()).chars().take(200).collect(),
        Err(_) => String::new(),
    };
    Err(format!("{status}: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use budtags_wire::RealtimeEvent;

    #[test]
    fn the_trigger_body_uses_echo_names_and_carries_the_event_id() {
        let envelope = EventEnvelope {
            id: 9,
            event: RealtimeEvent::LabelApproved {
                organization_id: 1,
                label_id: 3,
                approved_by: "Ana".into(),
            },
        };
        let body = trigger_body(&envelope);
        assert_eq!(body.name, r"App\Events\LabelApproved");
        assert_eq!(body.channels, Some(vec!["private-org.1".to_owned()]));
        let data: serde_json::Value = serde_json::from_str(&body.data).unwrap();
        assert_eq!(data["eventId"], 9);
        assert_eq!(data["labelId"], 3);
        assert_eq!(body.validate(), Ok(()));
    }
}
