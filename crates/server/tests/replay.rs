//! `GET /api/events/replay` (catch-up for Pusher clients) and `GET /api/realtime/config`.

mod common;

use axum::http::StatusCode;
use budtags_server::realtime::{Broadcast, ExternalServer, RealtimeSettings};
use budtags_wire::{ErrorBody, ErrorCode, RealtimeConfig, RealtimeDriver, RealtimeEvent, Replay};
use common::{
    LICENSE_ORG_1, LICENSE_ORG_2, call, first_package, get, login, patch_quantity, state, state_with,
};

#[tokio::test]
async fn replay_returns_a_channels_events_after_an_id() {
    let (state, _dir) = state();
    let ours = first_package(&state, LICENSE_ORG_1).await;
    let theirs = first_package(&state, LICENSE_ORG_2).await;
    // Each change logs its package update, then its inventory delta.
    patch_quantity(&state, ours, 5.0).await; // 1, 2
    patch_quantity(&state, theirs, 5.0).await; // 3, 4
    patch_quantity(&state, ours, 4.0).await; // 5, 6
    patch_quantity(&state, ours, 3.0).await; // 7, 8
    let session = login(&state, "viewer@greenleaf.test").await;
    for channel in [format!("license.{LICENSE_ORG_1}"), format!("private-license.{LICENSE_ORG_1}")] {
        let uri = format!("/api/events/replay?after=1&channel={channel}");
        let answer = call(&state, session.sign(get(&uri), false)).await;
        assert_eq!(answer.status, StatusCode::OK, "{channel}");
        let replay: Replay = answer.json();
        assert!(replay.complete);
        assert_eq!(replay.events.iter().map(|e| e.id).collect::<Vec<_>>(), vec![5, 7], "{channel}");
    }
    let uri = "/api/events/replay?after=0&channel=org.1.inventory";
    let replay: Replay = call(&state, session.sign(get(uri), false)).await.json();
    assert_eq!(
        replay.events.iter().map(|e| e.id).collect::<Vec<_>>(),
        vec![2, 6, 8],
        "org 1's inventory only"
    );
    let uri = format!("/api/events/replay?after=7&channel=license.{LICENSE_ORG_1}");
    let replay: Replay = call(&state, session.sign(get(&uri), false)).await.json();
    assert_eq!((replay.events.len(), replay.complete), (0, true));
}

#[tokio::test]
async fn replay_says_incomplete_when_the_log_was_trimmed() {
    let (state, _dir) = state();
    let ours = first_package(&state, LICENSE_ORG_1).await;
    for quantity in [5.0, 4.0, 3.0] {
        patch_quantity(&state, ours, quantity).await;
    }
    state.store.call(|conn| Ok(conn.execute("DELETE FROM events WHERE id <= 2", [])?)).await.unwrap();
    let session = login(&state, "viewer@greenleaf.test").await;
    let uri = format!("/api/events/replay?after=0&channel=license.{LICENSE_ORG_1}");
    let replay: Replay = call(&state, session.sign(get(&uri), false)).await.json();
    assert!(!replay.complete);
    // Package updates are 1, 3, 5 (inventory deltas 2, 4, 6); 1 was trimmed.
    assert_eq!(replay.events.iter().map(|e| e.id).collect::<Vec<_>>(), vec![3, 5]);
    let uri = format!("/api/events/replay?after=2&channel=license.{LICENSE_ORG_1}");
    let replay: Replay = call(&state, session.sign(get(&uri), false)).await.json();
    assert!(replay.complete, "nothing after 2 was trimmed");
}

#[tokio::test]
async fn replay_needs_a_session_and_the_channel_authorization() {
    let (state, _dir) = state();
    let uri = format!("/api/events/replay?after=0&channel=license.{LICENSE_ORG_1}");
    assert_eq!(call(&state, get(&uri)).await.status, StatusCode::UNAUTHORIZED);
    let sierra = login(&state, "viewer@sierra.test").await;
    for channel in [format!("license.{LICENSE_ORG_1}"), "private-org.1".into(), "org.1.inventory".into()] {
        let answer =
            call(&state, sierra.sign(get(&format!("/api/events/replay?after=0&channel={channel}")), false))
                .await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{channel}");
        assert_eq!(answer.json::<ErrorBody>().error.code, ErrorCode::Forbidden);
    }
    for uri in [
        "/api/events/replay?after=x&channel=org.2",
        "/api/events/replay?channel=org.2",
        "/api/events/replay?after=0&channel=org%202",
    ] {
        assert_eq!(call(&state, sierra.sign(get(uri), false)).await.status, StatusCode::BAD_REQUEST, "{uri}");
    }
}

#[tokio::test]
async fn realtime_config_tells_the_app_its_transport_and_pusher_server() {
    let (state, _dir) = state();
    let config: RealtimeConfig = call(&state, get("/api/realtime/config")).await.json();
    assert_eq!(config.driver, RealtimeDriver::Sse);
    let pusher = config.pusher.unwrap();
    assert_eq!((pusher.key, pusher.host, pusher.port), (state.realtime.settings.app.key.clone(), None, None));
    assert_eq!(pusher.auth_endpoint, "/broadcasting/auth");

    let external = Broadcast::External(ExternalServer { host: "127.0.0.1".into(), port: 1, tls: false });
    let settings = RealtimeSettings::default().with_driver(RealtimeDriver::Pusher).with_broadcast(external);
    let (state, _dir) = state_with(settings);
    let config: RealtimeConfig = call(&state, get("/api/realtime/config")).await.json();
    assert_eq!(config.driver, RealtimeDriver::Pusher);
    assert_eq!(config.pusher.unwrap().port, Some(1));
}

#[tokio::test]
async fn a_long_replay_comes_in_pages() {
    let (state, _dir) = state();
    let events: Vec<RealtimeEvent> = (0..1_200)
        .map(|i| RealtimeEvent::LabelApproved { organization_id: 1, label_id: i, approved_by: "Ana".into() })
        .collect();
    state.events.change(move |_, _| Ok(((), events))).await.unwrap();
    let session = login(&state, "viewer@greenleaf.test").await;

    // At most 500 a page, then `more` and where to go on from.
    let page = |after: u64, limit: &str| {
        let uri = format!("/api/events/replay?after={after}&channel=private-org.1{limit}");
        let (state, session) = (state.clone(), session.clone());
        async move { call(&state, session.sign(get(&uri), false)).await.json::<Replay>() }
    };
    let first = page(0, "").await;
    assert_eq!((first.events.len(), first.complete, first.more, first.next_after), (500, true, true, 500));
    assert_eq!(first.events.first().map(|e| e.id), Some(1));
    let second = page(first.next_after, "&limit=9999").await;
    assert_eq!((second.events.len(), second.more), (500, true), "the limit is capped at 500");
    assert_eq!(second.events.first().map(|e| e.id), Some(501));
    let last = page(second.next_after, "").await;
    assert_eq!((last.events.len(), last.more), (200, false));
    let small = page(1_197, "&limit=2").await;
    assert_eq!(small.events.iter().map(|e| e.id).collect::<Vec<_>>(), vec![1_198, 1_199]);
    assert!(small.more);

    // SSE and `/ws` replays read page by page too, but hand over the whole log.
    let all = state.events.since_for(0, 1).await.unwrap().unwrap();
    assert_eq!(all.len(), 1_200);
    assert!(all.windows(2).all(|w| w[0].id + 1 == w[1].id), "in order, none twice");
    assert_eq!(state.events.since_for(0, 2).await.unwrap().unwrap().len(), 0, "only organization 1's");
}
