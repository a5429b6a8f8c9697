"""Patches a copy of std's sources so std builds for SBPF (used by build-sbf.sh).

Each patch asserts its anchor text: a nightly bump that moves it fails loudly here.
"""
import sys

root = sys.argv[1]


def patch(rel, old, new):
    path = f"{root}/{rel}"
    text = open(path).read()
    assert old in text, f"{rel}: anchor text not found; update the patch for this toolchain"
    open(path, "w").write(text.replace(old, new, 1))


# std has no MIN_ALIGN for target_arch = "bpf" (upstream std does not support bpf).
patch("sys/alloc/mod.rs", '    target_arch = "hexagon",\n',
      '    target_arch = "hexagon",\n    target_arch = "bpf",\n')
# RandomState::new caches keys in a thread-local static; SBPF has no writable statics and
# Anchor's generated account checks use HashSet. Fixed keys on bpf (the VM is single-threaded).
patch("hash/random.rs", '    pub fn new() -> RandomState {\n',
      '    pub fn new() -> RandomState {\n        #[cfg(target_arch = "bpf")]\n        return RandomState { k0: 0, k1: 0 };\n')
