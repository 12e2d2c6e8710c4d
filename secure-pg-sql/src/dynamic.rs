//! Dynamic queries: one macro call that describes a finite family of
//! statements, each a literal known at compile time.
//!
//! A call has a base statement and a list of parts, appended in order:
//! an *optional* fragment (included or not, and when it takes a value its
//! own `$1` is that value) or a *choice* between literal alternatives.
//! Every combination is a *variant*; this module enumerates them and
//! writes each one's SQL with its placeholders renumbered, so that the
//! values of the fragments a variant includes follow the base's, in order.
//! The macros then check each variant like a handwritten query, and at run
//! time picking one is arithmetic on the parts' picks: no string is built.

use crate::lexer::{lex, Tok};

/// How many variants one call may describe unless it says otherwise.
pub const MAX_VARIANTS: usize = 64;

/// One part of a dynamic query, after its base statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// A fragment included or left out as a whole.
    Optional {
        /// The fragment's SQL.
        text: String,
    },
    /// One of several fragments, picked at run time.
    Choice {
        /// The alternatives' SQL, in the order written.
        arms: Vec<String>,
    },
}

impl Part {
    /// How many ways the part can be picked.
    pub fn arity(&self) -> usize {
        match self {
            Part::Optional { .. } => 2,
            Part::Choice { arms } => arms.len(),
        }
    }
}

/// What is wrong with a dynamic query's description (not with one of its
/// variants: those are checked as statements).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DynamicError {
    /// The part it is about (`None`: the call as a whole).
    pub part: Option<usize>,
    /// The arm of a choice it is about.
    pub arm: Option<usize>,
    /// The message for the user.
    pub message: String,
}

/// How a fragment uses placeholders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Takes {
    /// None: it is included by a flag (a `bool`, or whether an `Option` is
    /// `Some`).
    Nothing,
    /// `$1`, once or more: the value of the `Option` that includes it.
    OneValue,
}

/// Reads how `fragment` uses placeholders: none, or `$1` only.
pub fn fragment_takes(fragment: &str) -> Result<Takes, String> {
    let toks = lex(fragment).map_err(|e| format!("{e} in this fragment"))?;
    let mut takes = Takes::Nothing;
    for t in toks {
        match t {
            Tok::Placeholder { index: Some(1), .. } => takes = Takes::OneValue,
            Tok::Placeholder { .. } => {
                return Err(
                    "a fragment's value is `$1` (each fragment numbers its own placeholders, \
                     and an optional fragment binds one value: its `Option`'s); write `$1`, \
                     and split a fragment that needs two values into two fragments"
                        .into(),
                )
            }
            Tok::Semicolon { .. } => {
                return Err("a fragment cannot end the statement (`;`): remove it".into())
            }
            _ => {}
        }
    }
    Ok(takes)
}

/// One statement of the family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// Its SQL: the base, then the fragments it includes, space separated,
    /// with each included value's `$1` renumbered after the base's.
    pub sql: String,
    /// For each part, which way it was picked (an optional part: 0 left
    /// out, 1 included; a choice: the arm).
    pub picks: Vec<usize>,
    /// For each of the statement's placeholders after the base's, the part
    /// whose value it is.
    pub value_parts: Vec<usize>,
    /// Where each included part's text is in `sql` (byte ranges), by part:
    /// a place in the statement (an error's) belongs to the fragment whose
    /// range holds it, or else to the base.
    pub ranges: Vec<(usize, std::ops::Range<usize>)>,
}

impl Variant {
    /// The part whose text holds byte `offset` of [`Variant::sql`], if any
    /// (`None`: the base).
    pub fn part_at(&self, offset: usize) -> Option<usize> {
        self.ranges
            .iter()
            .find(|(_, r)| r.contains(&offset))
            .map(|(p, _)| *p)
    }
}

/// Every variant of `base` (whose placeholders run to `$base_params`)
/// followed by `parts`, in index order: variant `i` picks part `p` as
/// `(i / stride(p)) % arity(p)`, where the first part's stride is 1 and
/// each next one's is the previous stride times the previous arity.
pub fn variants(
    base: &str,
    base_params: u32,
    parts: &[Part],
    max: usize,
) -> Result<Vec<Variant>, DynamicError> {
    let mut takes = Vec::with_capacity(parts.len());
    for (p, part) in parts.iter().enumerate() {
        match part {
            Part::Optional { text } => {
                takes.push(fragment_takes(text).map_err(|message| DynamicError {
                    part: Some(p),
                    arm: None,
                    message,
                })?)
            }
            Part::Choice { arms } => {
                if arms.len() < 2 {
                    return Err(DynamicError {
                        part: Some(p),
                        arm: None,
                        message: "a choice needs at least two alternatives; for one, write the \
                                  fragment into the statement"
                            .into(),
                    });
                }
                for (a, arm) in arms.iter().enumerate() {
                    match fragment_takes(arm) {
                        Ok(Takes::Nothing) => {}
                        Ok(Takes::OneValue) => {
                            return Err(DynamicError {
                                part: Some(p),
                                arm: Some(a),
                                message: "the alternatives of a choice take no values; bind a \
                                          value in an optional fragment (`if value => \"... $1\"`)"
                                    .into(),
                            })
                        }
                        Err(message) => {
                            return Err(DynamicError {
                                part: Some(p),
                                arm: Some(a),
                                message,
                            })
                        }
                    }
                }
                takes.push(Takes::Nothing);
            }
        }
    }
    let total = parts
        .iter()
        .try_fold(1usize, |n, p| n.checked_mul(p.arity()))
        .filter(|n| *n <= max);
    let Some(total) = total else {
        return Err(DynamicError {
            part: None,
            arm: None,
            message: format!(
                "these parts describe more than {max} statements ({}), each checked and \
                 prepared on its own; split the query, or turn independent fragments into \
                 ones that are always present",
                describe_count(parts)
            ),
        });
    };
    let mut out = Vec::with_capacity(total);
    for i in 0..total {
        let mut stride = 1;
        let mut sql = base.trim_end().to_string();
        let mut picks = Vec::with_capacity(parts.len());
        let mut value_parts = Vec::new();
        let mut ranges = Vec::new();
        for (p, part) in parts.iter().enumerate() {
            let pick = (i / stride) % part.arity();
            stride *= part.arity();
            picks.push(pick);
            let text = match part {
                Part::Optional { .. } if pick == 0 => continue,
                Part::Optional { text } => text,
                Part::Choice { arms } => &arms[pick],
            };
            sql.push(' ');
            let start = sql.len();
            if takes[p] == Takes::OneValue {
                value_parts.push(p);
                let n = base_params + value_parts.len() as u32;
                sql.push_str(&renumber(text.trim(), n));
            } else {
                sql.push_str(text.trim());
            }
            ranges.push((p, start..sql.len()));
        }
        out.push(Variant {
            sql,
            picks,
            value_parts,
            ranges,
        });
    }
    Ok(out)
}

fn describe_count(parts: &[Part]) -> String {
    parts
        .iter()
        .map(|p| p.arity().to_string())
        .collect::<Vec<_>>()
        .join(" × ")
}

/// `fragment` with each `$1` (outside strings and comments) written `$n`.
fn renumber(fragment: &str, n: u32) -> String {
    let Ok(toks) = lex(fragment) else {
        return fragment.to_string();
    };
    let mut out = String::with_capacity(fragment.len() + 2);
    let mut at = 0;
    for t in toks {
        if let Tok::Placeholder {
            index: Some(1),
            offset,
        } = t
        {
            out.push_str(&fragment[at..offset]);
            out.push_str(&format!("${n}"));
            at = offset + 2;
        }
    }
    out.push_str(&fragment[at..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opt(t: &str) -> Part {
        Part::Optional { text: t.into() }
    }
    fn choice(arms: &[&str]) -> Part {
        Part::Choice {
            arms: arms.iter().map(|a| a.to_string()).collect(),
        }
    }

    #[test]
    fn every_combination_in_index_order() {
        let v = variants(
            "SELECT id FROM orders WHERE customer_id = $1",
            1,
            &[
                opt("AND status = $1"),
                opt("AND amount >= $1"),
                choice(&["ORDER BY id", "ORDER BY amount DESC, id"]),
            ],
            MAX_VARIANTS,
        )
        .unwrap();
        assert_eq!(v.len(), 8);
        let sql: Vec<&str> = v.iter().map(|v| v.sql.as_str()).collect();
        assert_eq!(
            sql[0],
            "SELECT id FROM orders WHERE customer_id = $1 ORDER BY id"
        );
        assert_eq!(
            sql[1],
            "SELECT id FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY id"
        );
        // Without the first fragment, the second one's value is `$2`.
        assert_eq!(
            sql[2],
            "SELECT id FROM orders WHERE customer_id = $1 AND amount >= $2 ORDER BY id"
        );
        assert_eq!(
            sql[7],
            "SELECT id FROM orders WHERE customer_id = $1 AND status = $2 AND amount >= $3 \
             ORDER BY amount DESC, id"
        );
        assert_eq!(v[7].picks, [1, 1, 1]);
        assert_eq!(v[7].value_parts, [0, 1]);
        assert_eq!(v[2].value_parts, [1]);
        assert_eq!(v[6].picks, [0, 1, 1]);
        // Each place in a variant belongs to the part whose text holds it.
        let at = |i: usize, text: &str| v[i].part_at(v[i].sql.find(text).unwrap());
        assert_eq!(at(7, "customer_id"), None, "the base");
        assert_eq!(at(7, "status"), Some(0));
        assert_eq!(at(7, "$3"), Some(1));
        assert_eq!(at(7, "DESC"), Some(2));
        assert_eq!(at(2, "amount >="), Some(1));
        assert_eq!(v[2].part_at(v[2].sql.len() - 1), Some(2));
    }

    #[test]
    fn a_fragment_may_use_its_value_twice_and_keep_dollars_in_strings() {
        let v = variants(
            "SELECT 1 FROM t WHERE true",
            0,
            &[opt("AND (a = $1 OR b = $1 OR c = '$1')")],
            MAX_VARIANTS,
        )
        .unwrap();
        assert_eq!(
            v[1].sql,
            "SELECT 1 FROM t WHERE true AND (a = $1 OR b = $1 OR c = '$1')"
        );
        let v = variants(
            "SELECT 1 FROM t WHERE x = $1",
            1,
            &[opt("AND (a = $1 OR b = $1 OR c = '$1')")],
            MAX_VARIANTS,
        )
        .unwrap();
        assert_eq!(
            v[1].sql,
            "SELECT 1 FROM t WHERE x = $1 AND (a = $2 OR b = $2 OR c = '$1')"
        );
    }

    #[test]
    fn refusals_name_the_part() {
        let e = variants("SELECT 1", 0, &[opt("AND a = $2")], 64).unwrap_err();
        assert_eq!(e.part, Some(0));
        assert!(e.message.contains("write `$1`"), "{}", e.message);
        let e = variants("SELECT 1", 0, &[opt("x"), choice(&["a = $1", "b"])], 64).unwrap_err();
        assert_eq!((e.part, e.arm), (Some(1), Some(0)));
        let e = variants("SELECT 1", 0, &[choice(&["a"])], 64).unwrap_err();
        assert!(e.message.contains("at least two"), "{}", e.message);
        let e = variants("SELECT 1", 0, &[opt("; DROP TABLE t")], 64).unwrap_err();
        assert!(
            e.message.contains("cannot end the statement"),
            "{}",
            e.message
        );
        let e = variants("SELECT 1", 0, &[opt("'open")], 64).unwrap_err();
        assert_eq!(e.part, Some(0));
    }

    #[test]
    fn too_many_variants_is_an_error_that_counts_them() {
        let parts: Vec<Part> = (0..7).map(|_| opt("AND true")).collect();
        let e = variants("SELECT 1 WHERE true", 0, &parts, MAX_VARIANTS).unwrap_err();
        assert_eq!(e.part, None);
        assert!(e.message.contains("more than 64"), "{}", e.message);
        assert!(e.message.contains("2 × 2 × 2"), "{}", e.message);
        assert_eq!(
            variants("SELECT 1 WHERE true", 0, &parts[..6], MAX_VARIANTS)
                .unwrap()
                .len(),
            64
        );
    }
}
