// The shapes of the fail cases, written correctly: names that exist,
// qualified columns, arguments of the parameter's exact type, casts where
// the type cannot be inferred, complete INSERTs, a real unique key, and
// enum labels that exist.
use secure_pg::{secure_query, Error, Pool};

async fn shapes(
    pool: &Pool,
    id: i64,
    small: i32,
    name: &str,
    names: Vec<String>,
) -> Result<(), Error> {
    secure_query!("SELECT id FROM widgets")
        .fetch_all(pool)
        .await?;
    secure_query!("SELECT w.id, name FROM widgets w")
        .fetch_all(pool)
        .await?;
    secure_query!(
        unscoped = "owners of every tenant: this case is about names",
        "SELECT w.id, o.id FROM widgets w JOIN owners o ON o.id = w.owner_id"
    )
    .fetch_all(pool)
    .await?;
    secure_query!(
        "SELECT name FROM widgets WHERE id = $1 AND qty > $2",
        id,
        small
    )
    .fetch_all(pool)
    .await?;
    secure_query!("SELECT name FROM widgets WHERE id = $1", Some(id))
        .fetch_all(pool)
        .await?;
    secure_query!("SELECT id FROM widgets WHERE name = ANY($1)", &names)
        .fetch_all(pool)
        .await?;
    secure_query!("SELECT $1::bigint AS x", id)
        .fetch_all(pool)
        .await?;
    secure_query!("INSERT INTO notes (body) VALUES ($1)", name)
        .execute(pool)
        .await?;
    secure_query!("INSERT INTO notes (body) VALUES ($1)", name.to_string())
        .execute(pool)
        .await?;
    secure_query!(
        "INSERT INTO widgets (owner_id, name) VALUES ($1, $2)",
        id,
        name
    )
    .execute(pool)
    .await?;
    secure_query!(
        unscoped = "an owner of the default tenant: this case is about keys",
        "INSERT INTO owners (name) VALUES ($1) ON CONFLICT (tenant_id, name) DO NOTHING",
        name
    )
    .execute(pool)
    .await?;
    secure_query!("SELECT id FROM widgets WHERE feeling = 'happy'")
        .fetch_all(pool)
        .await?;
    secure_query!(
        "SELECT id FROM widgets WHERE label LIKE $1 LIMIT $2",
        name,
        id
    )
    .fetch_all(pool)
    .await?;
    // A statement other than SELECT/INSERT/UPDATE/DELETE without
    // parameters has nothing to type and passes as without a schema.
    secure_query!("SET statement_timeout = 1000")
        .execute(pool)
        .await?;
    Ok(())
}

pub(crate) fn main() {
    let _ = shapes;
}
