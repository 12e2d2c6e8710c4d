//! Hints that name the parameter they are about.
//!
//! Many rules know only that "a parameter" needs a cast (`$n::integer`);
//! the diagnostic's position says which one. Before the diagnostics leave
//! [`super::check`], a `$n` in a help text becomes the placeholder at (or
//! first after) the diagnostic's position, so the suggested fragment can
//! be pasted as it is (the hint test applies each one and checks again).

use crate::diagnostic::{Diagnostic, Position};
use crate::lexer::{lex, Tok};

/// Replaces `$n` in each diagnostic's help with the placeholder it is
/// about (left as it is when the diagnostic has no position or no
/// placeholder follows it).
pub(crate) fn name_the_parameters(sql: &str, diagnostics: &mut [Diagnostic]) {
    let Ok(tokens) = lex(sql) else { return };
    let placeholders: Vec<(usize, u32)> = tokens
        .iter()
        .filter_map(|t| match t {
            Tok::Placeholder {
                index: Some(n),
                offset,
            } => Some((*offset, *n)),
            _ => None,
        })
        .collect();
    for d in diagnostics {
        let (Some(help), Some(at)) = (&d.help, d.at) else {
            continue;
        };
        if !help.contains("$n") {
            continue;
        }
        let found = placeholders
            .iter()
            .find(|(offset, _)| Position::of_offset(sql, *offset) >= at);
        if let Some((_, n)) = found {
            d.help = Some(help.replace("$n", &format!("${n}")));
        }
    }
}
