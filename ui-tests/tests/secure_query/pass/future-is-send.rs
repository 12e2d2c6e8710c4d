// Rule: the futures of queries are `Send` (and `'static` when they own their
// pool and arguments), so they can run in `tokio::spawn` or as axum handlers.
use secure_pg::{secure_query, secure_query_as, Error, FromRow, Pool};

#[derive(FromRow)]
struct Widget {
    id: i64,
    name: String,
}

fn assert_send<T: Send>(_: T) {}
fn assert_send_static<T: Send + 'static>(_: T) {}

// Shaped like an axum handler: owns its state and its inputs.
async fn rename(pool: Pool, id: i64, name: String) -> Result<Widget, Error> {
    secure_query!("UPDATE widgets SET name = $1 WHERE id = $2", name, id)
        .execute(&pool)
        .await?;
    secure_query_as!(Widget, "SELECT id, name FROM widgets WHERE id = $1", id)
        .fetch_one(&pool)
        .await
}

async fn in_transaction(pool: &Pool, id: i64) -> Result<(), Error> {
    pool.transaction(|tx| {
        Box::pin(async move {
            secure_query!("DELETE FROM widgets WHERE id = $1", id)
                .execute(&mut *tx)
                .await?;
            Ok(())
        })
    })
    .await
}

async fn on_connection(pool: &Pool, id: i64) -> Result<Option<Widget>, Error> {
    let mut conn = pool.get().await?;
    let mut tx = conn.transaction().await?;
    let widget = secure_query_as!(Widget, "SELECT id, name FROM widgets WHERE id = $1", id)
        .fetch_optional(&mut tx)
        .await?;
    tx.commit().await?;
    Ok(widget)
}

// The stream of `fetch` can be moved across threads as well.
async fn stream_is_send(pool: &Pool) -> Result<(), Error> {
    let stream = secure_query_as!(Widget, "SELECT id, name FROM widgets")
        .fetch(pool)
        .await?;
    assert_send(stream);
    Ok(())
}

fn checks(pool: Pool) {
    let name = String::from("shiny");
    assert_send(secure_query!("SELECT 1").execute(&pool));
    assert_send(secure_query!("SELECT $1::text", name).fetch_all(&pool));
    assert_send(secure_query_as!(Widget, "SELECT id, name FROM widgets").fetch(&pool));
    assert_send(in_transaction(&pool, 1));
    assert_send(on_connection(&pool, 1));
    assert_send(stream_is_send(&pool));
    assert_send_static(rename(pool, 1, name));
    let _ = |w: Widget| (w.id, w.name);
}

pub(crate) fn main() {
    let _ = checks;
}
