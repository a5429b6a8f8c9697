//! Stack frame sizes from the program's assembly (`SBF_ASM=1 scripts/build-sbf.sh backstop`
//! writes target/deploy/backstop.s): per function, the deepest byte below the frame pointer
//! `r10` that it addresses. SBPF gives each call frame 4 KiB; a deeper frame faults.

/// `(demangled function, deepest offset in bytes)`, deepest first.
pub fn frame_sizes(asm: &str) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = vec![];
    let mut current: Option<(String, u64)> = None;
    let mut from_r10: Option<&str> = None; // register last set to r10 (`rX = r10`)
    for line in asm.lines().map(str::trim) {
        if let Some(name) = line
            .strip_prefix(".type")
            .and_then(|rest| rest.trim().strip_suffix(",@function"))
        {
            out.extend(current.take());
            current = Some((format!("{:#}", rustc_demangle::demangle(name)), 0));
            continue;
        }
        let Some((_, deepest)) = current.as_mut() else {
            continue;
        };
        // Direct access: `*(u64 *)(r10 - 104) = r0`.
        if let Some(n) = line
            .split("r10 - ")
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .and_then(|n| n.parse::<u64>().ok())
        {
            *deepest = (*deepest).max(n);
        }
        // Address of a stack object: `r1 = r10` then `r1 += -512`.
        if let Some(reg) = from_r10 {
            if let Some(n) = line
                .strip_prefix(reg)
                .and_then(|rest| rest.trim().strip_prefix("+= -"))
                .and_then(|n| n.parse::<u64>().ok())
            {
                *deepest = (*deepest).max(n);
            }
        }
        from_r10 = line.strip_suffix(" = r10").filter(|r| r.starts_with('r'));
    }
    out.extend(current);
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

/// `(demangled function, bytes of code)`, largest first: 8 bytes per instruction, 16 for the
/// two-slot `lddw` (`rX = <imm64> ll`).
pub fn text_sizes(asm: &str) -> Vec<(String, u64)> {
    let mut out: Vec<(String, u64)> = vec![];
    let mut current: Option<(String, u64)> = None;
    for line in asm.lines().map(str::trim) {
        if let Some(name) = line
            .strip_prefix(".type")
            .and_then(|rest| rest.trim().strip_suffix(",@function"))
        {
            out.extend(current.take());
            current = Some((format!("{:#}", rustc_demangle::demangle(name)), 0));
            continue;
        }
        let Some((_, bytes)) = current.as_mut() else {
            continue;
        };
        let is_code = !(line.is_empty()
            || line.starts_with('.')
            || line.starts_with('#')
            || line.ends_with(':'));
        if is_code {
            *bytes += if line.ends_with(" ll") { 16 } else { 8 };
        }
    }
    out.extend(current);
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_bytes_per_function() {
        let asm = "\t.type\tf,@function\nf:\n\tr1 = 5\n.LBB0_1:\n\tr2 = 4294967296 ll\n\texit\n\
                   \t.section\t.rodata\n\t.type\tg,@function\ng:\n\texit\n";
        assert_eq!(
            text_sizes(asm),
            vec![("f".to_string(), 32), ("g".to_string(), 8)]
        );
    }

    #[test]
    fn deepest_direct_or_addressed_slot_per_function() {
        let asm = "\t.type\tf,@function\nf:\n\t*(u64 *)(r10 - 104) = r0\n\tr2 = *(u64 *)(r10 - 8)\n\
                   \t.type\tg,@function\ng:\n\tr1 = r10\n\tr1 += -3072\n\tr3 = r10\n\tr4 += -4000\n";
        assert_eq!(
            frame_sizes(asm),
            vec![("g".to_string(), 3072), ("f".to_string(), 104)]
        );
    }
}
