// The type a `PgEnum` names must be an enum of the schema: a name the
// schema lacks lists the enums it has, and a composite type is named as
// one.
use secure_pg::PgEnum;

#[derive(Debug, PgEnum)]
#[secure_pg(type = "feeling", rename_all = "lowercase")]
enum Feeling {
    Sad,
    Ok,
    Happy,
}

#[derive(Debug, PgEnum)]
#[secure_pg(type = "header_pair")]
enum Header {
    Name,
}

fn main() {}
