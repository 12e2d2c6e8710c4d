//! Samples collected per round and their summaries.

/// One round's measurement of one client in one setting.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Sample {
    /// Operations per second (for timed workloads: 1 / median time).
    pub(crate) ops_s: f64,
    /// Latency percentiles in microseconds (for timed workloads `p50_us`
    /// is the round's median time per operation).
    pub(crate) p50_us: f64,
    pub(crate) p99_us: f64,
    pub(crate) p999_us: f64,
    /// Most tasks that completed nothing in one 1-s window.
    pub(crate) worst_idle: usize,
    /// Tasks that had at least one empty 1-s window.
    pub(crate) ever_starved: usize,
    pub(crate) errors: u64,
    /// Most server backends of the client's role seen during the run, and
    /// most connections the pools held for multiplexing (summed over
    /// processes); only the multi-process section records them.
    pub(crate) backends: usize,
    pub(crate) shared: usize,
    /// What a pool of 8 connections added to its process's resident set
    /// (KiB), idle and at its busiest; only the memory section records them.
    pub(crate) idle_kib: f64,
    /// The anonymous part of `idle_kib` (`RssAnon`: heap, stacks; not
    /// file-backed code and data).
    pub(crate) idle_anon_kib: f64,
    pub(crate) busy_kib: f64,
}

/// All rounds of one client in one setting.
#[derive(Debug, Clone)]
pub(crate) struct Series {
    pub(crate) section: &'static str,
    pub(crate) client: &'static str,
    pub(crate) conc: usize,
    pub(crate) samples: Vec<Sample>,
}

/// Median and range of one quantity over the rounds.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Spread {
    pub(crate) median: f64,
    pub(crate) min: f64,
    pub(crate) max: f64,
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

impl Series {
    pub(crate) fn spread(&self, f: impl Fn(&Sample) -> f64) -> Spread {
        let v: Vec<f64> = self.samples.iter().map(f).collect();
        Spread {
            median: median(v.clone()),
            min: v.iter().copied().fold(f64::INFINITY, f64::min),
            max: v.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    pub(crate) fn ops(&self) -> Spread {
        self.spread(|s| s.ops_s)
    }

    pub(crate) fn p50(&self) -> f64 {
        self.spread(|s| s.p50_us).median
    }

    pub(crate) fn p99(&self) -> f64 {
        self.spread(|s| s.p99_us).median
    }

    pub(crate) fn p999(&self) -> f64 {
        self.spread(|s| s.p999_us).median
    }

    pub(crate) fn errors(&self) -> u64 {
        self.samples.iter().map(|s| s.errors).sum()
    }

    pub(crate) fn worst_idle(&self) -> usize {
        self.samples.iter().map(|s| s.worst_idle).max().unwrap_or(0)
    }

    pub(crate) fn ever_starved(&self) -> usize {
        self.samples
            .iter()
            .map(|s| s.ever_starved)
            .max()
            .unwrap_or(0)
    }
}

/// Everything measured in one run.
#[derive(Debug, Default)]
pub(crate) struct Results {
    pub(crate) series: Vec<Series>,
}

impl Results {
    pub(crate) fn push(
        &mut self,
        section: &'static str,
        client: &'static str,
        conc: usize,
        s: Sample,
    ) {
        match self
            .series
            .iter_mut()
            .find(|x| x.section == section && x.client == client && x.conc == conc)
        {
            Some(x) => x.samples.push(s),
            None => self.series.push(Series {
                section,
                client,
                conc,
                samples: vec![s],
            }),
        }
    }

    pub(crate) fn get(&self, section: &str, client: &str, conc: usize) -> Option<&Series> {
        self.series
            .iter()
            .find(|x| x.section == section && x.client == client && x.conc == conc)
    }

    /// Median throughput of `a` over that of `b` (both in `section` at `conc`).
    pub(crate) fn ratio(&self, section: &str, a: &str, b: &str, conc: usize) -> Option<f64> {
        let a = self.get(section, a, conc)?.ops().median;
        let b = self.get(section, b, conc)?.ops().median;
        Some(a / b)
    }
}
