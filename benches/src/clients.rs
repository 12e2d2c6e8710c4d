//! The clients under test, each as an [`Op`] the driver can run, and how
//! each one connects.

use std::hint::black_box;
use std::sync::Arc;

use secure_pg::{secure_query, secure_query_as, tenant_scoped, Pool, PooledConnection, TenantId};
use tokio_postgres::{Client, NoTls, Row, Statement};

use crate::load::{BoxError, Op};
use crate::tls::{KeyShare, Rustls};

pub(crate) const POINT_SQL: &str = "SELECT id, name, hair_color FROM users WHERE id = $1";
pub(crate) const ALL_SQL: &str = "SELECT id, name, hair_color FROM users";
pub(crate) const UPDATE_SQL: &str = "UPDATE users SET hair_color = $2 WHERE id = $1";
pub(crate) const AUDIT_SQL: &str = "INSERT INTO audit (user_id, note) VALUES ($1, $2)";
/// Pool size of every pooled client.
pub(crate) const POOL_SIZE: u32 = 8;

/// One row of `users`, decodable by every client.
#[derive(Debug, secure_pg::FromRow, sqlx::FromRow)]
pub(crate) struct User {
    id: i64,
    name: String,
    hair_color: Option<String>,
}

impl User {
    /// Reads every field, so decoding cannot be optimised away.
    pub(crate) fn checksum(&self) -> u64 {
        self.id as u64
            ^ self.name.len() as u64
            ^ self.hair_color.as_ref().map_or(0, |h| h.len()) as u64
    }

    fn by_index(row: &Row) -> Result<User, BoxError> {
        Ok(User {
            id: row.try_get(0)?,
            name: row.try_get(1)?,
            hair_color: row.try_get(2)?,
        })
    }

    /// Column lookup by name on every row, as hand-written code usually does.
    pub(crate) fn by_name(row: &Row) -> Result<User, BoxError> {
        Ok(User {
            id: row.try_get("id")?,
            name: row.try_get("name")?,
            hair_color: row.try_get("hair_color")?,
        })
    }
}

fn consume(u: User) {
    black_box(u.checksum());
}

fn color(key: i64) -> &'static str {
    ["black", "brown", "blond", "red", "grey"][(key % 5) as usize]
}

/// For tuning only: `SECURE_PG_BENCH_MX=connections,max_in_flight,stall_us`
/// overrides the multiplexing defaults (RESULTS.md is always made without
/// it).
pub(crate) fn tuned(mut b: secure_pg::PoolBuilder) -> secure_pg::PoolBuilder {
    if let Ok(v) = std::env::var("SECURE_PG_BENCH_MX") {
        let n: Vec<u64> = v.split(',').filter_map(|x| x.parse().ok()).collect();
        if let [conns, cap, stall] = n[..] {
            b = b
                .multiplex_connections(conns as u32)
                .multiplex_max_in_flight(cap as u32)
                .multiplex_stall_after(std::time::Duration::from_micros(stall));
        }
    }
    b
}

/// How to reach one cluster, for every client.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// secure-pg configuration (verify-full, or sslmode=disable for the
    /// plaintext cluster).
    pub(crate) secure: secure_pg::Config,
    /// tokio-postgres configuration for the peers.
    pub(crate) pg: tokio_postgres::Config,
    /// rustls configuration for the peers; `None` for plaintext.
    pub(crate) tls: Option<Arc<rustls::ClientConfig>>,
    /// sqlx options (verify-full).
    pub(crate) sqlx: sqlx::postgres::PgConnectOptions,
}

impl Target {
    /// A dedicated tokio-postgres connection, its driver spawned.
    pub(crate) async fn pg_connect(&self) -> Result<Client, BoxError> {
        self.pg_connect_with(self.tls.clone()).await
    }

    pub(crate) async fn pg_connect_with(
        &self,
        tls: Option<Arc<rustls::ClientConfig>>,
    ) -> Result<Client, BoxError> {
        Ok(match tls {
            Some(tls) => {
                let (client, conn) = self.pg.connect(Rustls(tls)).await?;
                tokio::spawn(conn);
                client
            }
            None => {
                let (client, conn) = self.pg.connect(NoTls).await?;
                tokio::spawn(conn);
                client
            }
        })
    }

    pub(crate) async fn ours(&self) -> Result<Pool, BoxError> {
        self.ours_sized(true, POOL_SIZE, false).await
    }

    /// Our pool with multiplexing off: every statement checks a connection
    /// out, as before multiplexing.
    pub(crate) async fn ours_exclusive(&self) -> Result<Pool, BoxError> {
        self.ours_sized(false, POOL_SIZE, false).await
    }

    /// Our pool of at most `size` connections, multiplexing (the default)
    /// or not. `hold`: `size` connections stay open while idle
    /// (`min_idle`), as the memory section measures them.
    pub(crate) async fn ours_sized(
        &self,
        multiplex: bool,
        size: u32,
        hold: bool,
    ) -> Result<Pool, BoxError> {
        let mut b = Pool::builder().max_size(size);
        if !multiplex {
            b = b.multiplex(false);
        }
        if hold {
            b = b.min_idle(size);
        }
        Ok(tuned(b).build(self.secure.clone()).await?)
    }

    pub(crate) async fn deadpool(&self) -> Result<deadpool_postgres::Pool, BoxError> {
        self.deadpool_with(deadpool_postgres::QueueMode::Fifo).await
    }

    /// deadpool with a chosen queue mode (its default is FIFO).
    pub(crate) async fn deadpool_with(
        &self,
        mode: deadpool_postgres::QueueMode,
    ) -> Result<deadpool_postgres::Pool, BoxError> {
        self.deadpool_sized(mode, POOL_SIZE as usize).await
    }

    /// deadpool of at most `size` connections.
    pub(crate) async fn deadpool_sized(
        &self,
        mode: deadpool_postgres::QueueMode,
        size: usize,
    ) -> Result<deadpool_postgres::Pool, BoxError> {
        use deadpool_postgres::{Manager, ManagerConfig, RecyclingMethod};
        let config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match &self.tls {
            Some(tls) => Manager::from_config(self.pg.clone(), Rustls(tls.clone()), config),
            None => Manager::from_config(self.pg.clone(), NoTls, config),
        };
        Ok(deadpool_postgres::Pool::builder(manager)
            .max_size(size)
            .queue_mode(mode)
            .build()?)
    }

    pub(crate) async fn bb8(&self) -> Result<Bb8Pool, BoxError> {
        let tls = self.tls.clone().ok_or("bb8 is only measured over TLS")?;
        let manager = bb8_postgres::PostgresConnectionManager::new(self.pg.clone(), Rustls(tls));
        Ok(bb8::Pool::builder()
            .max_size(POOL_SIZE)
            .build(manager)
            .await?)
    }

    pub(crate) async fn sqlx(&self, test_before_acquire: bool) -> Result<sqlx::PgPool, BoxError> {
        self.sqlx_sized(test_before_acquire, POOL_SIZE, false).await
    }

    /// sqlx's pool of at most `size` connections; `hold` as in
    /// [`Target::ours_sized`].
    pub(crate) async fn sqlx_sized(
        &self,
        test_before_acquire: bool,
        size: u32,
        hold: bool,
    ) -> Result<sqlx::PgPool, BoxError> {
        Ok(sqlx::postgres::PgPoolOptions::new()
            .max_connections(size)
            .min_connections(if hold { size } else { 0 })
            .test_before_acquire(test_before_acquire)
            .connect_with(self.sqlx.clone())
            .await?)
    }
}

pub(crate) type Bb8Pool = bb8::Pool<bb8_postgres::PostgresConnectionManager<Rustls>>;

// ---------------------------------------------------------------- point select

/// L0: one dedicated connection per task, the statement prepared once.
#[derive(Debug)]
pub(crate) struct Dedicated {
    conns: Vec<(Client, Statement)>,
}

impl Dedicated {
    pub(crate) async fn new(target: &Target, n: usize) -> Result<Self, BoxError> {
        let mut conns = Vec::with_capacity(n);
        for _ in 0..n {
            let client = target.pg_connect().await?;
            let stmt = client.prepare(POINT_SQL).await?;
            conns.push((client, stmt));
        }
        Ok(Dedicated { conns })
    }
}

impl Op for Dedicated {
    async fn run(&self, task: usize, key: i64) -> Result<(), BoxError> {
        let (client, stmt) = &self.conns[task % self.conns.len()];
        let row = client.query_one(stmt, &[&key]).await?;
        consume(User::by_index(&row)?);
        Ok(())
    }
}

/// L0-pipelined: every task shares one connection, so requests from
/// different tasks are in flight together.
#[derive(Debug)]
pub(crate) struct Shared {
    client: Client,
    stmt: Statement,
}

impl Shared {
    pub(crate) async fn new(target: &Target) -> Result<Self, BoxError> {
        let client = target.pg_connect().await?;
        let stmt = client.prepare(POINT_SQL).await?;
        Ok(Shared { client, stmt })
    }
}

impl Op for Shared {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let row = self.client.query_one(&self.stmt, &[&key]).await?;
        consume(User::by_index(&row)?);
        Ok(())
    }
}

/// bb8 + bb8-postgres with its defaults (a test query on every checkout)
/// and `query(&str)` (prepare + execute on every call).
#[derive(Debug)]
pub(crate) struct Bb8(pub(crate) Bb8Pool);

impl Op for Bb8 {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let conn = self.0.get().await?;
        let rows = conn.query(POINT_SQL, &[&key]).await?;
        consume(User::by_index(rows.first().ok_or("no row")?)?);
        Ok(())
    }
}

/// deadpool-postgres, `prepare_cached` (one round trip once warm).
#[derive(Debug)]
pub(crate) struct Deadpool(pub(crate) deadpool_postgres::Pool);

impl Op for Deadpool {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let client = self.0.get().await?;
        let stmt = client.prepare_cached(POINT_SQL).await?;
        let row = client.query_one(&stmt, &[&key]).await?;
        consume(User::by_index(&row)?);
        Ok(())
    }
}

/// sqlx `PgPool`, runtime `query_as` with `#[derive(sqlx::FromRow)]`.
#[derive(Debug)]
pub(crate) struct Sqlx(pub(crate) sqlx::PgPool);

impl Op for Sqlx {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let u = sqlx::query_as::<_, User>(POINT_SQL)
            .bind(key)
            .fetch_one(&self.0)
            .await?;
        consume(u);
        Ok(())
    }
}

/// secure-pg: `secure_query_as!` over our `Pool`.
#[derive(Debug)]
pub(crate) struct Ours(pub(crate) Pool);

impl Op for Ours {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let u = secure_query_as!(
            User,
            "SELECT id, name, hair_color FROM users WHERE id = $1",
            key
        )
        .fetch_one(&self.0)
        .await?;
        consume(u);
        Ok(())
    }

    fn shared_connections(&self) -> Option<u32> {
        Some(self.0.state().shared)
    }
}

/// secure-pg, the same point select as [`Ours`] written as a dynamic query
/// whose run-time values pick the variant that is exactly that statement
/// (two optional filters and an optional sort, all left out).
#[derive(Debug)]
pub(crate) struct OursDynamic(pub(crate) Pool);

impl Op for OursDynamic {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let (name, hair): (Option<&str>, Option<&str>) = std::hint::black_box((None, None));
        let by_name = std::hint::black_box(false);
        let u = secure_query_as!(
            User,
            "SELECT id, name, hair_color FROM users WHERE id = $1", key;
            if name => "AND name = $1";
            if hair => "AND hair_color = $1";
            if by_name => "ORDER BY name";
        )
        .fetch_one(&self.0)
        .await?;
        consume(u);
        Ok(())
    }
}

// ------------------------------------------------------------ statement cache

/// secure-pg on one checked-out connection (no checkout per query), with or
/// without the statement cache, depending on how its pool was built.
#[derive(Debug)]
pub(crate) struct OursConn(pub(crate) PooledConnection<'static>);

impl OursConn {
    /// Checks one connection out of a pool that lives for the rest of the
    /// process (a few idle connections at most; the harness is short-lived).
    pub(crate) async fn new(pool: Pool) -> Result<Self, BoxError> {
        let pool: &'static Pool = Box::leak(Box::new(pool));
        Ok(OursConn(pool.get().await?))
    }
}

impl Op for OursConn {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let u = secure_query_as!(
            User,
            "SELECT id, name, hair_color FROM users WHERE id = $1",
            key
        )
        .fetch_one(&self.0)
        .await?;
        consume(u);
        Ok(())
    }
}

/// tokio-postgres `client.query(&str, ..)`: prepare and execute each call.
#[derive(Debug)]
pub(crate) struct Uncached(pub(crate) Client);

impl Op for Uncached {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let rows = self.0.query(POINT_SQL, &[&key]).await?;
        consume(User::by_index(rows.first().ok_or("no row")?)?);
        Ok(())
    }
}

// ------------------------------------------------------------ pipelined batch

/// Ten independent point selects in flight on one connection.
pub(crate) const BATCH: usize = 10;

/// secure-pg: ten `secure_query_as!` joined on one `&PooledConnection`.
#[derive(Debug)]
pub(crate) struct OursBatch(pub(crate) OursConn);

impl Op for OursBatch {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let conn = &self.0 .0;
        let queries = (0..BATCH as i64).map(|i| {
            let id = (key + i * 997) % 10_000 + 1;
            async move {
                secure_query_as!(
                    User,
                    "SELECT id, name, hair_color FROM users WHERE id = $1",
                    id
                )
                .fetch_one(conn)
                .await
            }
        });
        for u in futures_util::future::join_all(queries).await {
            consume(u?);
        }
        Ok(())
    }
}

/// tokio-postgres: ten `query_one` on a prepared statement, joined.
#[derive(Debug)]
pub(crate) struct PgBatch(pub(crate) Shared);

impl Op for PgBatch {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let s = &self.0;
        let queries = (0..BATCH as i64).map(|i| {
            let id = (key + i * 997) % 10_000 + 1;
            async move { s.client.query_one(&s.stmt, &[&id]).await }
        });
        for row in futures_util::future::join_all(queries).await {
            consume(User::by_index(&row?)?);
        }
        Ok(())
    }
}

// ------------------------------------------------ read/write mix, transaction

/// 80 % point selects, 20 % single-row updates (chosen by key).
#[derive(Debug)]
pub(crate) struct OursMix(pub(crate) Pool);

impl Op for OursMix {
    async fn run(&self, task: usize, key: i64) -> Result<(), BoxError> {
        if key % 5 == 0 {
            let color = color(key + task as i64);
            let n = secure_query!("UPDATE users SET hair_color = $2 WHERE id = $1", key, color)
                .execute(&self.0)
                .await?;
            black_box(n);
        } else {
            Ours::run_point(&self.0, key).await?;
        }
        Ok(())
    }
}

impl Ours {
    async fn run_point(pool: &Pool, key: i64) -> Result<(), BoxError> {
        let u = secure_query_as!(
            User,
            "SELECT id, name, hair_color FROM users WHERE id = $1",
            key
        )
        .fetch_one(pool)
        .await?;
        consume(u);
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct DeadpoolMix(pub(crate) deadpool_postgres::Pool);

impl Op for DeadpoolMix {
    async fn run(&self, task: usize, key: i64) -> Result<(), BoxError> {
        let client = self.0.get().await?;
        if key % 5 == 0 {
            let color = color(key + task as i64);
            let stmt = client.prepare_cached(UPDATE_SQL).await?;
            black_box(client.execute(&stmt, &[&key, &color]).await?);
        } else {
            let stmt = client.prepare_cached(POINT_SQL).await?;
            let row = client.query_one(&stmt, &[&key]).await?;
            consume(User::by_index(&row)?);
        }
        Ok(())
    }
}

// ------------------------------------------------------- head-of-line blocking

/// Every task runs one 50 ms statement (`pg_sleep(0.05)`) per 100 point
/// selects; only the point selects are timed.
const LONG_EVERY: u64 = 101;

/// The point select with a long statement per hundred, on our pool.
#[derive(Debug)]
pub(crate) struct OursHol(pub(crate) Pool);

impl Op for OursHol {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        Ours::run_point(&self.0, key).await
    }

    fn side(&self, seq: u64) -> Option<crate::load::SideOp<'_>> {
        (seq % LONG_EVERY == LONG_EVERY - 1).then(|| {
            Box::pin(async move {
                secure_query!("SELECT pg_sleep(0.05)")
                    .execute(&self.0)
                    .await?;
                Ok(())
            }) as crate::load::SideOp<'_>
        })
    }
}

/// The same on deadpool.
#[derive(Debug)]
pub(crate) struct DeadpoolHol(pub(crate) deadpool_postgres::Pool);

impl Op for DeadpoolHol {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let client = self.0.get().await?;
        let stmt = client.prepare_cached(POINT_SQL).await?;
        let row = client.query_one(&stmt, &[&key]).await?;
        consume(User::by_index(&row)?);
        Ok(())
    }

    fn side(&self, seq: u64) -> Option<crate::load::SideOp<'_>> {
        (seq % LONG_EVERY == LONG_EVERY - 1).then(|| {
            Box::pin(async move {
                let client = self.0.get().await?;
                client.batch_execute("SELECT pg_sleep(0.05)").await?;
                Ok(())
            }) as crate::load::SideOp<'_>
        })
    }
}

/// BEGIN; select a user; update it; insert an audit row; COMMIT.
#[derive(Debug)]
pub(crate) struct OursTx(pub(crate) Pool);

impl Op for OursTx {
    async fn run(&self, task: usize, key: i64) -> Result<(), BoxError> {
        let color = color(key + task as i64);
        self.0
            .transaction(move |tx| {
                Box::pin(async move {
                    let u = secure_query_as!(
                        User,
                        "SELECT id, name, hair_color FROM users WHERE id = $1",
                        key
                    )
                    .fetch_one(&*tx)
                    .await?;
                    consume(u);
                    secure_query!("UPDATE users SET hair_color = $2 WHERE id = $1", key, color)
                        .execute(&*tx)
                        .await?;
                    secure_query!(
                        "INSERT INTO audit (user_id, note) VALUES ($1, $2)",
                        key,
                        color
                    )
                    .execute(&*tx)
                    .await?;
                    Ok(())
                })
            })
            .await?;
        Ok(())
    }
}

#[derive(Debug)]
pub(crate) struct DeadpoolTx(pub(crate) deadpool_postgres::Pool);

impl Op for DeadpoolTx {
    async fn run(&self, task: usize, key: i64) -> Result<(), BoxError> {
        let color = color(key + task as i64);
        let mut client = self.0.get().await?;
        let tx = client.transaction().await?;
        let select = tx.prepare_cached(POINT_SQL).await?;
        let update = tx.prepare_cached(UPDATE_SQL).await?;
        let audit = tx.prepare_cached(AUDIT_SQL).await?;
        let row = tx.query_one(&select, &[&key]).await?;
        consume(User::by_index(&row)?);
        tx.execute(&update, &[&key, &color]).await?;
        tx.execute(&audit, &[&key, &color]).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Builds the tokio-postgres client configuration for key-share experiments.
pub(crate) fn tls_for(target: &Target, share: KeyShare, ca: &std::path::Path) -> Target {
    let mut t = target.clone();
    t.tls = Some(crate::tls::client_config(ca, share));
    t
}

// ------------------------------------------------- tenant scoping and RLS

/// Tenants of `tenant_users`: key `k` belongs to tenant `k % TENANTS + 1`.
pub(crate) const TENANTS: i64 = 10;

fn tenant_of(key: i64) -> TenantId {
    TenantId::from_authenticated(key % TENANTS + 1)
}

/// The point select a hand-rolled pool sends for one tenant's row.
pub(crate) const TENANT_POINT_SQL: &str =
    "SELECT id, name, hair_color FROM tenant_users WHERE id = $1 AND tenant_id = $2";

/// deadpool with the tenant filter written by hand (no row-level security).
#[derive(Debug)]
pub(crate) struct DeadpoolTenant(pub(crate) deadpool_postgres::Pool);

impl Op for DeadpoolTenant {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let client = self.0.get().await?;
        let stmt = client.prepare_cached(TENANT_POINT_SQL).await?;
        let row = client
            .query_one(&stmt, &[&key, &tenant_of(key).get()])
            .await?;
        consume(User::by_index(&row)?);
        Ok(())
    }
}

/// secure-pg, the same hand-written filter as one multiplexed statement.
#[derive(Debug)]
pub(crate) struct OursTenantByHand(pub(crate) Pool);

impl Op for OursTenantByHand {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let u = secure_query_as!(
            unscoped = "the benchmark's by-hand baseline",
            User,
            "SELECT id, name, hair_color FROM tenant_users WHERE id = $1 AND tenant_id = $2",
            key,
            tenant_of(key).get()
        )
        .fetch_one(&self.0)
        .await?;
        consume(u);
        Ok(())
    }
}

#[tenant_scoped]
async fn scoped_user<'e, E: secure_pg::Executor<'e>>(
    db: E,
    tenant: TenantId,
    key: i64,
) -> Result<User, secure_pg::Error> {
    secure_query_as!(
        User,
        "SELECT id, name, hair_color FROM tenant_users WHERE id = $1",
        key
    )
    .fetch_one(db)
    .await
}

#[tenant_scoped]
async fn scoped_user_rls(db: &Pool, tenant: TenantId, key: i64) -> Result<User, secure_pg::Error> {
    secure_query_as!(
        User,
        "SELECT id, name, hair_color FROM tenant_users_rls WHERE id = $1",
        key
    )
    .fetch_one(db)
    .await
}

/// secure-pg, a `#[tenant_scoped]` function: its statement runs in a
/// tenant transaction of its own, on a shared connection (`rls` picks the
/// table with the policy).
#[derive(Debug)]
pub(crate) struct OursScoped {
    pub(crate) pool: Pool,
    pub(crate) rls: bool,
}

impl Op for OursScoped {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        let u = if self.rls {
            scoped_user_rls(&self.pool, tenant_of(key), key).await?
        } else {
            scoped_user(&self.pool, tenant_of(key), key).await?
        };
        consume(u);
        Ok(())
    }
}

/// `#[tenant_scoped]` on one checked-out connection: the tenant transaction
/// without the checkout.
#[derive(Debug)]
pub(crate) struct OursScopedConn(pub(crate) OursConn);

impl Op for OursScopedConn {
    async fn run(&self, _: usize, key: i64) -> Result<(), BoxError> {
        consume(scoped_user(&self.0 .0, tenant_of(key), key).await?);
        Ok(())
    }
}
