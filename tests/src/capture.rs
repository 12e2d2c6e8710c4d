//! A tiny `tracing` subscriber that records every span (name and fields,
//! including those recorded later) and every event, for tests that assert
//! what secure-pg reports. No tracing-subscriber needed.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// A span as captured: its name and every field recorded on it.
#[derive(Debug, Clone, Default)]
pub struct CapturedSpan {
    pub name: String,
    pub fields: BTreeMap<String, String>,
}

/// An event as captured: its target, level and fields (`message` included).
#[derive(Debug, Clone, Default)]
pub struct CapturedEvent {
    pub target: String,
    pub level: String,
    pub fields: BTreeMap<String, String>,
}

#[derive(Debug, Default)]
struct Store {
    spans: Vec<CapturedSpan>,
    events: Vec<CapturedEvent>,
}

/// Cloneable handle: install one clone (`tracing::subscriber::set_default`
/// or `set_global_default`), read through another.
#[derive(Debug, Clone, Default)]
pub struct Capture {
    store: Arc<Mutex<Store>>,
}

impl Capture {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn spans(&self) -> Vec<CapturedSpan> {
        self.store.lock().unwrap().spans.clone()
    }

    pub fn spans_named(&self, name: &str) -> Vec<CapturedSpan> {
        self.spans()
            .into_iter()
            .filter(|s| s.name == name)
            .collect()
    }

    pub fn events(&self) -> Vec<CapturedEvent> {
        self.store.lock().unwrap().events.clone()
    }

    /// Every span and event field, rendered, for "never appears" checks.
    pub fn everything(&self) -> String {
        let s = self.store.lock().unwrap();
        let mut out = String::new();
        for span in &s.spans {
            let _ = writeln!(out, "span {} {:?}", span.name, span.fields);
        }
        for e in &s.events {
            let _ = writeln!(out, "event {} {:?}", e.target, e.fields);
        }
        out
    }

    pub fn clear(&self) {
        let mut s = self.store.lock().unwrap();
        s.spans.clear();
        s.events.clear();
    }
}

struct Fields<'a>(&'a mut BTreeMap<String, String>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().to_string(), format!("{value:?}"));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), value.to_string());
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, attrs: &Attributes<'_>) -> Id {
        let mut span = CapturedSpan {
            name: attrs.metadata().name().to_string(),
            ..Default::default()
        };
        attrs.record(&mut Fields(&mut span.fields));
        let mut s = self.store.lock().unwrap();
        s.spans.push(span);
        Id::from_u64(s.spans.len() as u64)
    }
    fn record(&self, id: &Id, values: &Record<'_>) {
        let mut s = self.store.lock().unwrap();
        if let Some(span) = s.spans.get_mut(id.into_u64() as usize - 1) {
            values.record(&mut Fields(&mut span.fields));
        }
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut e = CapturedEvent {
            target: event.metadata().target().to_string(),
            level: event.metadata().level().to_string(),
            ..Default::default()
        };
        event.record(&mut Fields(&mut e.fields));
        self.store.lock().unwrap().events.push(e);
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}
