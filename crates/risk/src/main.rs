//! `cargo run -p risk -- [options]`: premium against strike for one series, three ways — the
//! European put, the program's fair price (its own engine: the lookback on the release grid),
//! and the Monte Carlo of the release rules — printed as a table and plotted to an SVG file.
//!
//! Options (defaults in brackets): --spot [100] --vol [0.8] --tenor-days [30]
//! --interval-secs [3600] --barrier [none] --persistence-secs [60] --pairs [2000]
//! --out [target/risk-premium.svg]
use backstop::math::{put_premium, PremiumInputs, SviParams, PARAM_SCALE, PRICE_SCALE};
use risk::{closed_form::european_put, fair_value, Case, Trigger};

struct Args {
    spot: f64,
    vol: f64,
    tenor_days: f64,
    interval_secs: f64,
    barrier: Option<f64>,
    persistence_secs: f64,
    pairs: usize,
    out: String,
}

fn parse() -> Result<Args, String> {
    let mut a = Args {
        spot: 100.0,
        vol: 0.8,
        tenor_days: 30.0,
        interval_secs: 3_600.0,
        barrier: None,
        persistence_secs: 60.0,
        pairs: 2_000,
        out: "target/risk-premium.svg".into(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().ok_or(format!("{flag} needs a value"))?;
        let num = || {
            value
                .parse::<f64>()
                .map_err(|_| format!("{flag}: not a number: {value}"))
        };
        match flag.as_str() {
            "--spot" => a.spot = num()?,
            "--vol" => a.vol = num()?,
            "--tenor-days" => a.tenor_days = num()?,
            "--interval-secs" => a.interval_secs = num()?,
            "--barrier" if value == "none" => a.barrier = None,
            "--barrier" => a.barrier = Some(num()?),
            "--persistence-secs" => a.persistence_secs = num()?,
            "--pairs" => a.pairs = num()? as usize,
            "--out" => a.out = value,
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    if !(a.spot > 0.0 && a.vol > 0.0 && a.tenor_days > 0.0 && a.interval_secs > 0.0) {
        return Err("spot, vol, tenor and interval must be positive".into());
    }
    Ok(a)
}

/// The program's unloaded fair price per unit (flat slice at `vol`, no confidence haircut).
fn program_fair(a: &Args, strike: f64) -> Option<f64> {
    let scale = PRICE_SCALE as f64;
    let q = put_premium(&PremiumInputs {
        spot: (a.spot * scale) as u64,
        strike: (strike * scale) as u64,
        confidence: 0,
        tenor_secs: (a.tenor_days * 86_400.0) as u64,
        svi: SviParams {
            a: (a.vol * a.vol * PARAM_SCALE as f64) as i64,
            b: 0,
            rho: 0,
            m: 0,
            sigma: PARAM_SCALE / 10,
        },
        rate: 0,
        conf_multiplier_bps: 0,
        tail_loading_bps: 10_000,
        min_premium: 0,
        release_interval_secs: a.interval_secs as u64,
    })
    .ok()?;
    Some(q.fair_price as f64 / scale)
}

fn svg(rows: &[(f64, f64, f64, f64, f64)], title: &str) -> String {
    let (w, h, l, b, t, r) = (640.0, 400.0, 60.0, 44.0, 36.0, 16.0);
    let x0 = rows.first().map_or(0.0, |p| p.0);
    let x1 = rows.last().map_or(1.0, |p| p.0);
    let y1 = rows
        .iter()
        .map(|p| p.1.max(p.2).max(p.3 + 3.0 * p.4))
        .fold(0.0, f64::max)
        * 1.1;
    let sx = |x: f64| l + (x - x0) / (x1 - x0).max(1e-9) * (w - l - r);
    let sy = |y: f64| h - b - y / y1.max(1e-9) * (h - b - t);
    let value = |p: &(f64, f64, f64, f64, f64), series: usize| match series {
        0 => p.1,
        1 => p.2,
        _ => p.3,
    };
    let line = |series: usize| {
        rows.iter()
            .enumerate()
            .map(|(i, p)| {
                let cmd = if i == 0 { "M" } else { " L" };
                format!("{cmd}{:.1},{:.1}", sx(p.0), sy(value(p, series)))
            })
            .collect::<String>()
    };
    let mut s = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {w} {h}' font-family='sans-serif' font-size='11'>\
<rect width='{w}' height='{h}' fill='white'/><text x='{l}' y='20' font-size='13'>{title}</text>\
<line x1='{l}' y1='{}' x2='{}' y2='{}' stroke='#888'/><line x1='{l}' y1='{t}' x2='{l}' y2='{}' stroke='#888'/>",
        h - b,
        w - r,
        h - b,
        h - b
    );
    for frac in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = x0 + frac * (x1 - x0);
        let y = frac * y1;
        s += &format!(
            "<text x='{:.1}' y='{}' text-anchor='middle'>{x:.1}</text><text x='{}' y='{:.1}' text-anchor='end'>{y:.2}</text>",
            sx(x),
            h - b + 16.0,
            l - 6.0,
            sy(y) + 4.0
        );
    }
    s += &format!(
        "<text x='{}' y='{}' text-anchor='middle'>strike</text>",
        (l + w - r) / 2.0,
        h - 8.0
    );
    let series = [
        ("European put", "#8a94a6", "5 4"),
        ("program (lookback on the release grid)", "#2457c5", ""),
        ("Monte Carlo of the release rules", "#d9822b", "2 3"),
    ];
    for (i, (name, colour, dash)) in series.iter().enumerate() {
        s += &format!(
            "<path d='{}' fill='none' stroke='{colour}' stroke-width='2' stroke-dasharray='{dash}'/>",
            line(i)
        );
        let y = t + 14.0 * i as f64;
        s += &format!(
            "<rect x='{}' y='{}' width='12' height='3' fill='{colour}'/><text x='{}' y='{}'>{name}</text>",
            l + 10.0,
            y,
            l + 28.0,
            y + 4.0
        );
    }
    s + "</svg>\n"
}

fn main() {
    let a = match parse() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("risk: {e}");
            std::process::exit(2);
        }
    };
    let tenor_secs = a.tenor_days * 86_400.0;
    let tau = tenor_secs / 31_536_000.0;
    println!("strike    european   program   monte-carlo (+- se)   program / mc");
    let mut rows = vec![];
    for i in 0..=14 {
        let strike = a.spot * (0.5 + 0.05 * i as f64);
        let european = european_put(a.spot, strike, a.vol, tau, 0.0);
        let Some(program) = program_fair(&a, strike) else {
            eprintln!("risk: the engine refuses strike {strike}");
            continue;
        };
        let case = Case {
            spot: a.spot,
            strike,
            vol: a.vol,
            tenor_secs,
            rate: 0.0,
            trigger: a.barrier.map_or(Trigger::Always, Trigger::AtOrBelow),
            persistence_secs: a.persistence_secs,
            max_age_secs: 60.0,
            release_interval_secs: a.interval_secs,
            cap_per_step: f64::INFINITY,
            observe_secs: a.interval_secs.min(3_600.0),
        };
        let mc = fair_value(&case, a.pairs, 0x5eed + i);
        println!(
            "{strike:>7.2} {european:>10.4} {program:>9.4} {:>10.4} +- {:<8.4} {:>8.3}",
            mc.mean,
            mc.se,
            program / mc.mean.max(1e-12)
        );
        rows.push((strike, european, program, mc.mean, mc.se));
    }
    let title = format!(
        "Premium per unit, spot {}, vol {:.0} %, {} days, release every {} s, barrier {}",
        a.spot,
        a.vol * 100.0,
        a.tenor_days,
        a.interval_secs,
        a.barrier
            .map_or("none (always)".to_string(), |b| b.to_string())
    );
    if let Some(dir) = std::path::Path::new(&a.out).parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    match std::fs::write(&a.out, svg(&rows, &title)) {
        Ok(()) => println!("wrote {}", a.out),
        Err(e) => {
            eprintln!("risk: cannot write {}: {e}", a.out);
            std::process::exit(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_plot_has_the_three_curves_and_the_program_prices_the_lookback() {
        let rows = [(80.0, 1.79, 3.28, 3.23, 0.1), (90.0, 4.57, 8.34, 8.05, 0.1)];
        let s = svg(&rows, "t");
        assert_eq!(s.matches("<path").count(), 3);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>\n"));
        let args = Args {
            spot: 100.0,
            vol: 0.8,
            tenor_days: 30.0,
            interval_secs: 3_600.0,
            barrier: None,
            persistence_secs: 60.0,
            pairs: 10,
            out: String::new(),
        };
        // The engine's hourly lookback at the example: 3.2765 per 100 of spot.
        let p = program_fair(&args, 80.0).expect("priced");
        assert!((p - 3.2765).abs() < 2e-3, "{p}");
    }
}
