// A small seeded random source for generated price paths: the same seed gives the same path on
// every machine (32-bit integer arithmetic only, no platform randomness).

/** SplitMix32-style scrambler: spreads a small seed over all 32 bits. */
function mix32(x: number): number {
  x = (x + 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** sfc32 (Chris Doty-Humphrey's small fast counter generator), seeded from one 32-bit integer. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  /** A second normal from the last Box–Muller pair. */
  private spare: number | null = null;

  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) throw new RangeError(`seed must be an integer from 0 to 4294967295, got ${seed}`);
    this.a = mix32(seed);
    this.b = mix32(this.a);
    this.c = mix32(this.b);
    // Warm up so nearby seeds diverge at once.
    for (let i = 0; i < 16; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform on (0, 1): never 0, so its logarithm is finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / 4_294_967_296;
  }

  /** Standard normal by Box–Muller (both values of each pair are used). */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const theta = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Poisson count with mean `lambda` (Knuth's product of uniforms; lambda per step is small). */
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    const limit = Math.exp(-lambda);
    let k = 0;
    for (let p = this.uniform(); p > limit; p *= this.uniform()) k++;
    return k;
  }
}
