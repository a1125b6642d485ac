//! The matrix of 10,000 endpoints (100 million cells) is kept by class: simulating it,
//! summarising it and reading one cell stays under a memory bound. The bound is on the
//! heap this process allocates (a counting allocator), not on time; the benchmark
//! (`cargo bench -p hnsim-sim --bench scale`) measures time. Kept alone in its binary so
//! no other test's allocations count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts the bytes in use and their high-water mark.
struct Counting;

static IN_USE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards to the system allocator with the caller's layout.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = IN_USE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `alloc` above with this layout.
        unsafe { System.dealloc(ptr, layout) };
        IN_USE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// One WS2019 host, one nat network, `n` containers listening on one of three ports,
/// one of them publishing a port.
fn design(n: usize) -> String {
    let mut s = String::from(
        "name: memory\nsegments: [{name: lan, subnet: 10.0.0.0/16, gateway: 10.0.0.1}]\nhosts:\n  - {name: win1, os: ws2019, docker: {fixed-cidr: 172.16.0.0/17}, nics: [{name: Ethernet, ip: 10.0.0.10/16, segment: lan}]}\ncontainers:\n",
    );
    for i in 0..n {
        let listen = ["tcp/80", "tcp/8080", "udp/53"][i % 3];
        let publish = if i == 0 { ", ports: ['8080:80']" } else { "" };
        s.push_str(&format!(
            "  - {{name: c{i}, host: win1, listen: [{listen}]{publish}}}\n"
        ));
    }
    s.push_str("clients: [{name: laptop, segment: lan, ip: 10.0.0.50}]\n");
    s
}

/// Bytes of heap: 10,000 endpoints by class take a few tens of megabytes; one cell per
/// probe (about 2 KB each, as a matrix of cells would hold) would take hundreds of
/// gigabytes.
const BOUND: usize = 128 << 20;

/// The tests of this binary measure one at a time: the counter is the process's.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn ten_thousand_endpoints_stay_under_the_bound() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let text = design(10_000);
    let doc = hnsim_model::parse_scenario("memory.yaml", &text).expect("parses");
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let report = hnsim_sim::simulate(&doc);
    let state = report.final_state().expect("a state");
    let summary = state.summary();
    let cells = summary.delivered + summary.denied + summary.unknown;
    let cell = state
        .cell("c1@nat", "c4@nat", hnsim_sim::Probe::Tcp(8080))
        .expect("a cell between two containers");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert_eq!(
        state.nodes.len(),
        10_003,
        "10,000 endpoints, a host, a client, the internet"
    );
    assert!(cells > 100_000_000, "{cells} cells");
    assert_eq!(cells, state.cell_count());
    assert!(cell.disposition.is_delivered(), "{cell:?}");
    eprintln!("peak heap: {} MB for {cells} cells", peak >> 20);
    assert!(
        peak < BOUND,
        "simulating 10,000 endpoints took {} MB of heap at its peak (bound {} MB)",
        peak >> 20,
        BOUND >> 20
    );
}

/// A thousand containers that each publish and listen on a port of their own are a
/// class each: a million class pairs. What only a destination is asked (its ports) does
/// not change how a source sends, so the engine decides a thousand answers, not a
/// million (which took 3.4 GB), and the million class pairs share them.
#[test]
fn a_thousand_containers_that_all_differ_stay_under_the_bound() {
    let _alone = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let mut text = String::from(
        "name: distinct\nsegments: [{name: lan, subnet: 10.0.0.0/16, gateway: 10.0.0.1}]\nhosts:\n  - {name: h1, os: linux, nics: [{name: eth0, ip: 10.0.0.10/16, segment: lan}]}\ncontainers:\n",
    );
    for i in 0..1_000 {
        text.push_str(&format!(
            "  - {{name: c{i}, host: h1, ports: ['{}:{}'], listen: [tcp/{}]}}\n",
            20_000 + i,
            10_000 + i,
            30_000 + i
        ));
    }
    let doc = hnsim_model::parse_scenario("distinct.yaml", &text).expect("parses");
    let before = IN_USE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let report = hnsim_sim::simulate(&doc);
    let state = report.final_state().expect("a state");
    let class_pairs = state.class_pairs().count();
    let cell = state
        .cell("c1@bridge", "c7@bridge", hnsim_sim::Probe::Tcp(30_007))
        .expect("a cell between two containers");
    let peak = PEAK.load(Ordering::Relaxed) - before;
    assert!(class_pairs > 1_000_000, "{class_pairs} class pairs");
    assert!(cell.disposition.is_delivered(), "{cell:?}");
    assert!(
        peak < BOUND,
        "a thousand distinct containers took {} MB of heap at its peak (bound {} MB)",
        peak >> 20,
        BOUND >> 20
    );
}
