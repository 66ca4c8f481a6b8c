//! `budtags-server`: start the reference server from the command line.

use std::process::ExitCode;

use budtags_server::{
    AppState, Store, app,
    config::Config,
    db::seed_users::{DEMO_PASSWORD, DEMO_USERS},
    realtime::{Broadcast, credentials},
    serve, simulator,
};
use clap::Parser;
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,tower_http=warn")),
        )
        .init();
    let config = Config::parse();
    match run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("budtags-server: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> Result<(), String> {
    let store = Store::open(&config.database, config.packages_per_license).map_err(|e| e.to_string())?;
    let (settings, credentials) = config.load_realtime(&store).await?;
    let external = match &settings.broadcast {
        Broadcast::External(server) => Some(server.clone()),
        Broadcast::InProcess => None,
    };
    if !config.dist.join("index.html").is_file() {
        tracing::warn!(dist = %config.dist.display(), "no built web app found; only /api is served");
    }
    let dist = config.dist.clone();
    tokio::task::spawn_blocking(move || match budtags_server::precompress::precompress_dir(&dist) {
        Ok(files) => {
            let (raw, brotli): (u64, u64) = files.iter().fold((0, 0), |(r, b), f| (r + f.raw, b + f.brotli));
            tracing::info!(files = files.len(), raw, brotli, "web app precompressed");
        }
        Err(e) => tracing::warn!(error = %e, "cannot precompress the web app; compressing per request"),
    });
    let state = AppState::with_realtime(store, settings).with_auth(config.auth());
    let listener = TcpListener::bind((config.host.as_str(), config.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}", config.host, config.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    if !config.no_simulator {
        tokio::spawn(simulator::run(state.clone(), config.simulator_interval(), stop_rx.clone()));
    }
    tracing::info!(%addr, database = %config.database.display(), "listening");
    println!("\n  BudTags web is running at http://{addr}/\n");
    println!("  Sign in as any of these (password \"{DEMO_PASSWORD}\"):");
    let mut users: Vec<_> = DEMO_USERS.iter().collect();
    users.sort_by_key(|u| (u.organization_id, u.role as u8, u.id));
    for user in users {
        println!("    {:<26} {}, organization {}", user.email, user.role.title(), user.organization_id);
    }
    println!();
    for line in credentials::banner(&credentials, &config.database, external.as_ref()) {
        println!("  {line}");
    }
    println!();
    let events = state.events.clone();
    let shutdown = async move {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
        let _ = stop_tx.send(true);
        events.disconnect_all();
    };
    serve(listener, app(state, &config.dist), shutdown).await.map_err(|e| e.to_string())
}
