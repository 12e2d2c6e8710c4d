//! A small multi-tenant widgets API over HTTP (axum).
//!
//! * The tenant comes from the authenticated request: an API key in
//!   `Authorization: Bearer <key>`, looked up by its SHA-256 in `api_keys`.
//!   Never from the URL or the body.
//! * Every repository function is `#[tenant_scoped]`: its queries can only
//!   see and change the caller tenant's rows, whatever ids the client sends.
//! * Database errors reach the client as `{"error": "...", "code": "23505"}`
//!   (the user-safe `Display`); the full detail goes to the log.
//! * `/healthz` reports the pool's health and security posture.
//! * Moving stock between two widgets runs in the retrying transaction
//!   helper.

use std::net::SocketAddr;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use secure_pg::{
    secure_query, secure_query_as, tenant_scoped, ErrorKind, FromRow, Pool, TenantId, Transaction,
};
use serde::{Deserialize, Serialize};

/// The schema the service expects (the example creates it): the crate's
/// migration, which is also what its queries are checked against at
/// compile time.
pub const SCHEMA: &str = include_str!("../migrations/3_tenant_service.sql");

/// A widget as the API shows it.
#[derive(Debug, Clone, Serialize, Deserialize, FromRow, PartialEq)]
pub struct Widget {
    /// Id.
    pub id: i64,
    /// Name, unique per tenant.
    pub name: String,
    /// Units in stock.
    pub stock: i32,
}

/// Body of `POST /widgets`.
#[derive(Debug, Deserialize)]
pub struct NewWidget {
    name: String,
    #[serde(default)]
    stock: i32,
}

/// Body of `PUT /widgets/{id}`.
#[derive(Debug, Deserialize)]
pub struct Rename {
    name: String,
}

/// Body of `POST /widgets/{id}/move`.
#[derive(Debug, Deserialize)]
pub struct Move {
    to: i64,
    units: i32,
}

// ---- repository: every query scoped to the caller's tenant ----

#[tenant_scoped]
async fn list_widgets(db: &Pool, tenant: TenantId) -> Result<Vec<Widget>, secure_pg::Error> {
    secure_query_as!(Widget, "SELECT id, name, stock FROM widgets ORDER BY id")
        .fetch_all(db)
        .await
}

#[tenant_scoped]
async fn get_widget(db: &Pool, tenant: TenantId, id: i64) -> Result<Widget, secure_pg::Error> {
    secure_query_as!(
        Widget,
        "SELECT id, name, stock FROM widgets WHERE id = $1",
        id
    )
    .fetch_one(db)
    .await
}

#[tenant_scoped]
async fn create_widget(
    db: &Pool,
    tenant: TenantId,
    name: &str,
    stock: i32,
) -> Result<Widget, secure_pg::Error> {
    secure_query_as!(
        Widget,
        "INSERT INTO widgets (name, stock) VALUES ($1, $2) RETURNING id, name, stock",
        name,
        stock
    )
    .fetch_one(db)
    .await
}

#[tenant_scoped]
async fn rename_widget(
    db: &Pool,
    tenant: TenantId,
    id: i64,
    name: &str,
) -> Result<Widget, secure_pg::Error> {
    secure_query_as!(
        Widget,
        "UPDATE widgets SET name = $1 WHERE id = $2 RETURNING id, name, stock",
        name,
        id
    )
    .fetch_one(db)
    .await
}

#[tenant_scoped]
async fn delete_widget(db: &Pool, tenant: TenantId, id: i64) -> Result<u64, secure_pg::Error> {
    secure_query!("DELETE FROM widgets WHERE id = $1", id)
        .execute(db)
        .await
}

#[tenant_scoped]
async fn move_stock(
    tx: &mut Transaction<'_>,
    tenant: TenantId,
    from: i64,
    to: i64,
    units: i32,
) -> Result<(), secure_pg::Error> {
    let taken = secure_query!(
        "UPDATE widgets SET stock = stock - $1 WHERE id = $2",
        units,
        from
    )
    .execute(&mut *tx)
    .await?;
    let given = secure_query!(
        "UPDATE widgets SET stock = stock + $1 WHERE id = $2",
        units,
        to
    )
    .execute(&mut *tx)
    .await?;
    if taken == 1 && given == 1 {
        Ok(())
    } else {
        // One of the widgets is not the caller's (or does not exist): the
        // helper rolls the transaction back.
        Err(secure_pg::Error::from_kind(ErrorKind::NotFound))
    }
}

// ---- HTTP ----

/// An error response: the user-safe message and the SQLSTATE.
#[derive(Debug)]
pub struct ApiError(StatusCode, String, Option<String>);

impl From<secure_pg::Error> for ApiError {
    fn from(e: secure_pg::Error) -> Self {
        let status = match e.kind() {
            ErrorKind::NotFound => StatusCode::NOT_FOUND,
            ErrorKind::UniqueViolation => StatusCode::CONFLICT,
            ErrorKind::CheckViolation
            | ErrorKind::ForeignKeyViolation
            | ErrorKind::NotNullViolation
            | ErrorKind::InvalidInput => StatusCode::UNPROCESSABLE_ENTITY,
            ErrorKind::PoolTimeout | ErrorKind::Connection => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        // Everything for the operator...
        tracing::warn!(kind = ?e.kind(), detail = %format!("{e:#}"), "request failed");
        // ...and only the safe sentence for the client.
        ApiError(
            status,
            e.to_string(),
            e.sqlstate().map(|c| c.code().to_string()),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": self.1, "code": self.2 });
        (self.0, Json(body)).into_response()
    }
}

fn unauthorized() -> ApiError {
    ApiError(
        StatusCode::UNAUTHORIZED,
        "a valid API key is required".into(),
        None,
    )
}

/// The authenticated tenant: from the API key, never from the request path.
async fn tenant_of(pool: &Pool, headers: &HeaderMap) -> Result<TenantId, ApiError> {
    let key = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or_else(unauthorized)?;
    let row = secure_query_as!(
        unscoped = "the API key lookup is how the caller's tenant is found",
        (i64,),
        "SELECT tenant_id FROM api_keys WHERE key_sha256 = sha256(convert_to($1, 'UTF8'))",
        key
    )
    .fetch_optional(pool)
    .await?;
    row.map(|(t,)| TenantId::from_authenticated(t))
        .ok_or_else(unauthorized)
}

async fn list(State(pool): State<Pool>, h: HeaderMap) -> Result<Json<Vec<Widget>>, ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    Ok(Json(list_widgets(&pool, tenant).await?))
}

async fn create(
    State(pool): State<Pool>,
    h: HeaderMap,
    Json(body): Json<NewWidget>,
) -> Result<(StatusCode, Json<Widget>), ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    let w = create_widget(&pool, tenant, &body.name, body.stock).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

async fn show(
    State(pool): State<Pool>,
    h: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Json<Widget>, ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    Ok(Json(get_widget(&pool, tenant, id).await?))
}

async fn rename(
    State(pool): State<Pool>,
    h: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<Rename>,
) -> Result<Json<Widget>, ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    Ok(Json(rename_widget(&pool, tenant, id, &body.name).await?))
}

async fn remove(
    State(pool): State<Pool>,
    h: HeaderMap,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    match delete_widget(&pool, tenant, id).await? {
        0 => Err(secure_pg::Error::from_kind(ErrorKind::NotFound).into()),
        _ => Ok(StatusCode::NO_CONTENT),
    }
}

async fn move_units(
    State(pool): State<Pool>,
    h: HeaderMap,
    Path(id): Path<i64>,
    Json(body): Json<Move>,
) -> Result<StatusCode, ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    pool.transaction(|tx| Box::pin(move_stock(tx, tenant, id, body.to, body.units)))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn healthz(State(pool): State<Pool>) -> Response {
    let h = pool.health_check().await;
    let status = if h.ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    let body = serde_json::json!({
        "ok": h.ok,
        "latency_ms": h.latency.map(|d| d.as_secs_f64() * 1000.0),
        "tls": h.tls.as_ref().map(|t| format!("{} {}", t.version, t.cipher)),
        "pool": { "connections": h.pool.connections, "idle": h.pool.idle, "max_size": h.pool.max_size },
        "findings": h.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(),
        "error": h.error,
    });
    (status, Json(body)).into_response()
}

/// The router.
pub fn app(pool: Pool) -> Router {
    Router::new()
        .route("/widgets", get(list).post(create))
        .route("/widgets/{id}", get(show).put(rename).delete(remove))
        .route("/widgets/{id}/move", post(move_units))
        .route("/healthz", get(healthz))
        .with_state(pool)
}

/// Creates the schema and an API key for each `(tenant, key)`.
pub async fn setup(pool: &Pool, keys: &[(i64, &str)]) -> Result<(), secure_pg::Error> {
    pool.get().await?.client().batch_execute(SCHEMA).await?;
    for (tenant, key) in keys {
        secure_query!(
            unscoped = "setup provisions a key for each tenant",
            "INSERT INTO api_keys (key_sha256, tenant_id) VALUES (sha256(convert_to($1, 'UTF8')), $2) ON CONFLICT DO NOTHING",
            *key,
            *tenant
        )
        .execute(pool)
        .await?;
    }
    Ok(())
}

/// Serves `app(pool)` on `addr`; returns the bound address and the server
/// task.
pub async fn serve(
    pool: Pool,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<std::io::Result<()>>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let task = tokio::spawn(async move { axum::serve(listener, app(pool)).await });
    Ok((bound, task))
}
