// A Rust enum mapped to the schema's `mood` ('sad', 'ok', 'happy') is held
// against its labels at compile time: a variant whose label the type lacks
// (here `Meh`, and `Ok` written in the wrong case) is an error at the
// variant, with the spelling to write; a label no variant reads ('happy')
// is an error at the enum, since a row holding it would fail to decode.
use secure_pg::PgEnum;

#[derive(Debug, PgEnum)]
#[secure_pg(type = "mood")]
enum Mood {
    #[secure_pg(rename = "sad")]
    Sad,
    Ok,
    Meh,
}

fn main() {}
