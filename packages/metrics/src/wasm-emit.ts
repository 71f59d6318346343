/**
 * A tiny WebAssembly binary writer: just enough to build the few float64 SIMD kernels of the
 * metrics from TypeScript at run time, so the package ships no binary and needs no toolchain.
 * One module, one imported memory (`env.mem`), functions with i32 / f64 / v128 values, and
 * structured loops. Opcodes follow the WebAssembly core and fixed-width SIMD specifications.
 *
 * @internal
 */

/** Value types. @internal */
export const I32 = 0x7f;
/** @internal */
export const F64 = 0x7c;
/** @internal */
export const V128 = 0x7b;
type ValType = typeof I32 | typeof F64 | typeof V128;

function uleb(out: number[], v: number): void {
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

function sleb(out: number[], v: number): void {
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return;
    }
    out.push(byte | 0x80);
  }
}

/** Core opcodes used here. @internal */
const OP = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f64Load: 0x2b,
  f64Store: 0x39,
  i32Const: 0x41,
  f64Const: 0x44,
  i32Eqz: 0x45,
  i32Ne: 0x47,
  i32LtS: 0x48,
  i32LtU: 0x49,
  i32GtS: 0x4a,
  i32LeS: 0x4c,
  i32LeU: 0x4d,
  i32GeS: 0x4e,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  f64Add: 0xa0,
  f64Sub: 0xa1,
  f64Mul: 0xa2,
} as const;

/** SIMD sub-opcodes (after the 0xfd prefix). @internal */
const SIMD = {
  load: 0,
  load64Splat: 10,
  store: 11,
  f64x2Splat: 20,
  f64x2ExtractLane: 33,
  f64x2Add: 240,
  f64x2Sub: 241,
  f64x2Mul: 242,
} as const;

/**
 * One function being written. Methods push instructions; locals are declared on demand.
 * @internal
 */
export class FnWriter {
  readonly code: number[] = [];
  private readonly locals: ValType[] = [];
  constructor(
    readonly params: readonly ValType[],
    readonly results: readonly ValType[] = [],
  ) {}

  /** Declares a new local and returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  get(i: number): this {
    this.code.push(OP.localGet);
    uleb(this.code, i);
    return this;
  }
  set(i: number): this {
    this.code.push(OP.localSet);
    uleb(this.code, i);
    return this;
  }
  tee(i: number): this {
    this.code.push(OP.localTee);
    uleb(this.code, i);
    return this;
  }
  i32(v: number): this {
    this.code.push(OP.i32Const);
    sleb(this.code, v | 0);
    return this;
  }
  f64(v: number): this {
    this.code.push(OP.f64Const);
    const b = new Uint8Array(new Float64Array([v]).buffer);
    for (const x of b) this.code.push(x);
    return this;
  }
  op(name: keyof typeof OP): this {
    this.code.push(OP[name]);
    return this;
  }
  simd(name: keyof typeof SIMD, ...imm: number[]): this {
    this.code.push(0xfd);
    uleb(this.code, SIMD[name]);
    for (const x of imm) this.code.push(x);
    return this;
  }
  private memarg(align: number, offset: number): void {
    uleb(this.code, align);
    uleb(this.code, offset);
  }
  /** f64.load at the address on the stack plus a constant byte offset. */
  loadF64(offset = 0): this {
    this.code.push(OP.f64Load);
    this.memarg(3, offset);
    return this;
  }
  storeF64(offset = 0): this {
    this.code.push(OP.f64Store);
    this.memarg(3, offset);
    return this;
  }
  /** v128.load (unaligned allowed; alignment hint 8 bytes). */
  loadV(offset = 0): this {
    this.simd('load');
    this.memarg(3, offset);
    return this;
  }
  storeV(offset = 0): this {
    this.simd('store');
    this.memarg(3, offset);
    return this;
  }
  loadSplat(offset = 0): this {
    this.simd('load64Splat');
    this.memarg(3, offset);
    return this;
  }
  /** `local += delta` for an i32 local. */
  inc(i: number, delta: number | (() => void)): this {
    this.get(i);
    if (typeof delta === 'number') this.i32(delta);
    else delta();
    return this.op('i32Add').set(i);
  }
  /** Horizontal sum of the f64x2 in local `i`, left on the stack as an f64. */
  hsum(i: number): this {
    this.get(i).simd('f64x2ExtractLane', 0);
    this.get(i).simd('f64x2ExtractLane', 1);
    return this.op('f64Add');
  }
  /** `while (cond) body`: `cond` leaves an i32 on the stack. */
  whileLoop(cond: () => void, body: () => void): this {
    this.code.push(OP.block, 0x40, OP.loop, 0x40);
    cond();
    this.code.push(OP.i32Eqz, OP.brIf, 1);
    body();
    this.code.push(OP.br, 0, OP.end, OP.end);
    return this;
  }
  /** `if (cond) then`: `cond` leaves an i32 on the stack. */
  ifThen(cond: () => void, then: () => void): this {
    cond();
    this.code.push(OP.if, 0x40);
    then();
    this.code.push(OP.end);
    return this;
  }

  /** The function body as the code section wants it. */
  body(): number[] {
    const out: number[] = [];
    // Locals, run-length encoded.
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(out, groups.length);
    for (const [count, t] of groups) {
      uleb(out, count);
      out.push(t);
    }
    out.push(...this.code, OP.end);
    const sized: number[] = [];
    uleb(sized, out.length);
    return sized.concat(out);
  }
}

function section(out: number[], id: number, content: number[]): void {
  out.push(id);
  uleb(out, content.length);
  for (const b of content) out.push(b);
}

function name(out: number[], s: string): void {
  uleb(out, s.length);
  for (let i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
}

/**
 * Assembles a module that imports its memory as `env.mem` and exports the given functions.
 * @internal
 */
export function assembleModule(fns: Record<string, FnWriter>): Uint8Array<ArrayBuffer> {
  const names = Object.keys(fns);
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  const types: number[] = [];
  uleb(types, names.length);
  for (const n of names) {
    const f = fns[n];
    types.push(0x60);
    uleb(types, f.params.length);
    types.push(...f.params);
    uleb(types, f.results.length);
    types.push(...f.results);
  }
  section(out, 1, types);
  const imports: number[] = [1];
  name(imports, 'env');
  name(imports, 'mem');
  imports.push(0x02, 0x00, 0x01); // memory, limits: min 1 page, no max
  section(out, 2, imports);
  const funcs: number[] = [];
  uleb(funcs, names.length);
  names.forEach((_, i) => uleb(funcs, i));
  section(out, 3, funcs);
  const exports: number[] = [];
  uleb(exports, names.length);
  names.forEach((n, i) => {
    name(exports, n);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(out, 7, exports);
  const code: number[] = [];
  uleb(code, names.length);
  for (const n of names) code.push(...fns[n].body());
  section(out, 10, code);
  return new Uint8Array(out);
}
