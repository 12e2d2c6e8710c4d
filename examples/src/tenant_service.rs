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
//! * `GET /widgets/page` is a search with optional filters, a sort the
//!   caller picks and keyset pagination, as one dynamic query whose every
//!   variant is checked at compile time and scoped to the tenant;
//!   `GET /widgets/by-stock` pages on a row comparison, `(stock, id) > ($1, $2)`.

use std::net::SocketAddr;

use axum::extract::{Path, Query, State};
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

/// How `GET /widgets/page` sorts.
#[derive(Debug, Default, Clone, Copy, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PageSort {
    /// By name (unique per tenant), A to Z.
    #[default]
    Name,
    /// Newest first (by id).
    Newest,
}

/// Query string of `GET /widgets/page`.
#[derive(Debug, Deserialize)]
pub struct PageQuery {
    /// Only widgets whose name starts with this.
    prefix: Option<String>,
    #[serde(default)]
    sort: PageSort,
    /// The cursor the previous page returned as `next`.
    after: Option<String>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
}

/// A page of widgets, and the cursor of the next page (`None`: the last).
#[derive(Debug, Serialize, Deserialize, PartialEq)]
pub struct Page {
    /// The widgets of this page.
    pub widgets: Vec<Widget>,
    /// Pass it as `after` for the next page.
    pub next: Option<String>,
}

// ---- repository: every query scoped to the caller's tenant ----

/// One page of a search: 2 × 2 × 2 × 2 = 16 statements, each checked
/// against the schema at compile time and scoped to the tenant. The
/// cursor is the sort key of the last row shown, so a page costs the same
/// however deep it is (no `OFFSET`).
#[tenant_scoped]
async fn widget_page(
    db: &Pool,
    tenant: TenantId,
    prefix: Option<&str>,
    sort: PageSort,
    after_name: Option<&str>,
    after_id: Option<i64>,
    limit: i64,
) -> Result<Vec<Widget>, secure_pg::Error> {
    secure_query_as!(
        Widget,
        "SELECT id, name, stock FROM widgets WHERE stock >= 0";
        if prefix => "AND starts_with(name, $1)";
        if after_name => "AND name > $1";
        if after_id => "AND id < $1";
        match sort { PageSort::Name => "ORDER BY name", PageSort::Newest => "ORDER BY id DESC" };
        if Some(limit) => "LIMIT $1";
    )
    .fetch_all(db)
    .await
}

/// Widgets by stock, lowest first, after the row `(stock, id)`: keyset
/// pagination on two columns with a row comparison.
#[tenant_scoped]
async fn widgets_by_stock(
    db: &Pool,
    tenant: TenantId,
    after: (i32, i64),
    limit: i64,
) -> Result<Vec<Widget>, secure_pg::Error> {
    secure_query_as!(
        Widget,
        "SELECT id, name, stock FROM widgets WHERE (stock, id) > ($1, $2) ORDER BY stock, id LIMIT $3",
        after.0,
        after.1,
        limit
    )
    .fetch_all(db)
    .await
}

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

fn bad_cursor() -> ApiError {
    ApiError(
        StatusCode::BAD_REQUEST,
        "`after` is not a cursor this endpoint returned".into(),
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

async fn page(
    State(pool): State<Pool>,
    h: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Result<Json<Page>, ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let (after_name, after_id) = match (q.sort, &q.after) {
        (_, None) => (None, None),
        (PageSort::Name, Some(name)) => (Some(name.as_str()), None),
        (PageSort::Newest, Some(id)) => (None, Some(id.parse::<i64>().map_err(|_| bad_cursor())?)),
    };
    let widgets = widget_page(
        &pool,
        tenant,
        q.prefix.as_deref(),
        q.sort,
        after_name,
        after_id,
        limit,
    )
    .await?;
    let next = (widgets.len() as i64 == limit)
        .then(|| widgets.last())
        .flatten()
        .map(|w| match q.sort {
            PageSort::Name => w.name.clone(),
            PageSort::Newest => w.id.to_string(),
        });
    Ok(Json(Page { widgets, next }))
}

/// Query string of `GET /widgets/by-stock`.
#[derive(Debug, Deserialize)]
pub struct StockQuery {
    /// The cursor the previous page returned as `next` (`stock,id`).
    after: Option<String>,
    /// Page size, 1 to 100 (default 20).
    limit: Option<i64>,
}

async fn by_stock(
    State(pool): State<Pool>,
    h: HeaderMap,
    Query(q): Query<StockQuery>,
) -> Result<Json<Page>, ApiError> {
    let tenant = tenant_of(&pool, &h).await?;
    let limit = q.limit.unwrap_or(20).clamp(1, 100);
    let after = match &q.after {
        None => (i32::MIN, i64::MIN),
        Some(c) => c
            .split_once(',')
            .and_then(|(s, i)| Some((s.parse().ok()?, i.parse().ok()?)))
            .ok_or_else(bad_cursor)?,
    };
    let widgets = widgets_by_stock(&pool, tenant, after, limit).await?;
    let next = (widgets.len() as i64 == limit)
        .then(|| widgets.last())
        .flatten()
        .map(|w| format!("{},{}", w.stock, w.id));
    Ok(Json(Page { widgets, next }))
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
        .route("/widgets/page", get(page))
        .route("/widgets/by-stock", get(by_stock))
        .route("/widgets/{id}", get(show).put(rename).delete(remove))
        .route("/widgets/{id}/move", post(move_units))
        .route("/healthz", get(healthz))
        .with_state(pool)
}

/// Run as the owner role (`owner`): applies the crate's migrations (the
/// schema the service's queries are checked against), provisions an API
/// key for each `(tenant, key)`, and grants `app_role` what the binary's
/// statements use. The service then runs as `app_role`, which owns
/// nothing, so row-level security and the grants hold for it, and its
/// health check has no `role-owns-tables` finding.
pub async fn setup(
    owner: &Pool,
    app_role: &str,
    keys: &[(i64, &str)],
) -> Result<(), secure_pg::Error> {
    crate::MIGRATOR.run(owner).await?;
    let pool = owner;
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
    owner
        .get()
        .await?
        .client()
        .batch_execute(&secure_pg::required_grants(app_role))
        .await?;
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
