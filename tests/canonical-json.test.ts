import { readdirSync, readFileSync } from 'node:fs';
import canonicalize from 'canonicalize';
import { describe, expect, it } from 'vitest';
import { canonicalJson, canonicalJsonBytes, MAX_CANONICAL_JSON_DEPTH } from '../core/canonical-json.ts';
import { expectInputError, HOSTILE_INPUTS } from './hostile-inputs.ts';

const VECTORS = new URL('./vectors/rfc8785/', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, VECTORS));

// What canonicalJson must accept, stated independently of the code under test.
function isJsonValue(v: unknown, seen = new Set<object>()): boolean {
  if (v === null || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (typeof v === 'string') return !/\p{Cs}/u.test(v);
  if (typeof v !== 'object' || seen.has(v)) return false;
  seen.add(v);
  let ok: boolean;
  if (Array.isArray(v)) {
    ok = true;
    for (let i = 0; i < v.length; i++) ok &&= i in v && isJsonValue(v[i], seen);
  } else {
    const proto: unknown = Object.getPrototypeOf(v);
    ok =
      (proto === Object.prototype || proto === null) &&
      Object.getOwnPropertySymbols(v).length === 0 &&
      Object.entries(v).every(([k, x]) => isJsonValue(k, seen) && isJsonValue(x, seen));
  }
  seen.delete(v);
  return ok;
}

// Seeded generator of JSON values meant to hit JCS's hard cases: number formatting edges,
// control characters, surrogate pairs, keys that sort differently by code unit and by
// code point, and '__proto__' as an own key.
function makeRandom(seed: number) {
  let s = seed >>> 0;
  const u32 = () => {
    // mulberry32
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  const pick = <T>(xs: readonly T[]): T => xs[u32() % xs.length]!;
  const view = new DataView(new ArrayBuffer(8));
  const numberPool = [0, -0, 1, -1, 0.1, 1e21, 1e-7, 1e-6, 9.999999999999999e20, 2 ** 53, -(2 ** 53), 5e-324, Number.MAX_VALUE, 333333333.3333333, 1424953923781206.2];
  const number = (): number => {
    switch (u32() % 4) {
      case 0:
        return pick(numberPool);
      case 1:
        return (u32() % 2000001) - 1000000;
      case 2:
        return (u32() / 2 ** 32 - 0.5) * 10 ** ((u32() % 60) - 30);
      default: {
        // Any finite binary64 from random bits.
        for (;;) {
          view.setUint32(0, u32());
          view.setUint32(4, u32());
          const x = view.getFloat64(0);
          if (Number.isFinite(x)) return x;
        }
      }
    }
  };
  const charPool = [
    () => String.fromCharCode(0x20 + (u32() % 95)),
    () => String.fromCharCode(u32() % 0x20),
    () => pick(['"', '\\', '/', '\u007f', '\u2028', '\u2029', '\ufeff', '\uffff', '\ue000']),
    () => String.fromCharCode(0x80 + (u32() % 0x780)),
    () => String.fromCharCode(0x800 + (u32() % (0xd800 - 0x800))),
    () => String.fromCodePoint(0x10000 + (u32() % 0x100000)),
  ];
  const string = (): string => {
    const n = u32() % 12;
    let out = '';
    for (let i = 0; i < n; i++) out += pick(charPool)();
    return out;
  };
  const keyPool = ['', 'a', 'A', 'b', 'aa', '1', '10', '__proto__', 'constructor', '\uffff', '\ud83d\ude00', 'é', '\u0080', '\r'];
  const value = (depth: number): unknown => {
    const r = u32() % (depth > 4 ? 5 : 8);
    switch (r) {
      case 0:
        return null;
      case 1:
        return u32() % 2 === 0;
      case 2:
      case 3:
        return number();
      case 4:
        return string();
      case 5:
        return Array.from({ length: u32() % 5 }, () => value(depth + 1));
      default: {
        const o: Record<string, unknown> = u32() % 4 === 0 ? Object.create(null) : {};
        const n = u32() % 6;
        for (let i = 0; i < n; i++) {
          // defineProperty, so '__proto__' becomes an own key as JSON.parse makes it.
          Object.defineProperty(o, u32() % 2 ? pick(keyPool) : string(), { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        }
        return o;
      }
    }
  };
  return value;
}

describe('canonicalJson', () => {
  describe('when given the RFC 8785 reference test data (tests/vectors/rfc8785/)', () => {
    const names = readdirSync(new URL('./input/', VECTORS)).filter((f) => f.endsWith('.json'));

    it('finds all seven vectors', () => {
      expect(names.sort()).toEqual(['arrays.json', 'french.json', 'simpleString.json', 'structures.json', 'unicode.json', 'values.json', 'weird.json']);
    });

    it.each(names)('%s: canonical UTF-8 bytes equal output/%s', (name) => {
      const input: unknown = JSON.parse(read(`input/${name}`).toString('utf8'));
      const want = read(`output/${name}`);
      const got = Buffer.from(canonicalJsonBytes(input));
      expect(got.equals(want), `canonicalJson(${name}) = ${got.toString('hex')}, want ${want.toString('hex')}`).toBe(true);
    });

    it('simpleString.txt: bytes equal the outhex dump', () => {
      const want = Buffer.from(read('outhex/simpleString.txt').toString('ascii').trim().split(/\s+/).join(''), 'hex');
      const input: unknown = JSON.parse(read('input/simpleString.json').toString('utf8'));
      expect(Buffer.from(canonicalJsonBytes(input)).equals(want)).toBe(true);
    });
  });

  describe('when given the number samples of RFC 8785 Appendix B (appendix-b.csv)', () => {
    const rows = read('appendix-b.csv')
      .toString('utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));

    it.each(rows.filter(([, json]) => json !== ''))('%s → %s', (hex, json) => {
      const x = Buffer.from(hex!, 'hex').readDoubleBE(0);
      expect(canonicalJson(x)).toBe(json);
      expect(canonicalJson([x])).toBe(`[${json}]`);
    });

    it.each(rows.filter(([, json]) => json === ''))('%s (%s%s) is rejected with a RangeError', (hex) => {
      const x = Buffer.from(hex!, 'hex').readDoubleBE(0);
      expectInputError(() => canonicalJson({ n: x }), 'value.n', 'range');
    });
  });

  describe('when keys sort differently by UTF-16 code unit and by code point (RFC 8785 §3.2.3)', () => {
    it('orders members by UTF-16 code units, as the RFC example does', () => {
      const input = {
        '\u20ac': 'Euro Sign',
        '\r': 'Carriage Return',
        '\ufb33': 'Hebrew Letter Dalet With Dagesh',
        '1': 'One',
        '\ud83d\ude00': 'Emoji: Grinning Face',
        '\u0080': 'Control',
        '\u00f6': 'Latin Small Letter O With Diaeresis',
      };
      // RFC 8785 §3.2.3 gives the resulting order of the values. The emoji (high surrogate
      // 0xd83d) precedes U+FB33, though its code point is larger.
      const values = [...canonicalJson(input).matchAll(/:"([^"]*)"/g)].map((m) => m[1]);
      expect(values).toEqual([
        'Carriage Return',
        'One',
        'Control',
        'Latin Small Letter O With Diaeresis',
        'Euro Sign',
        'Emoji: Grinning Face',
        'Hebrew Letter Dalet With Dagesh',
      ]);
    });
  });

  describe('when given strings (RFC 8785 §3.2.2.2)', () => {
    it.each([
      ['"\\b\\t\\n\\f\\r"', '\b\t\n\f\r'],
      ['"\\u0000\\u001f"', '\u0000\u001f'],
      ['"\\u000b"', '\u000b'],
      ['"\\"\\\\"', '"\\'],
      ['"/\u007f\u2028\u2029"', '/\u007f\u2028\u2029'],
      ['"é€😀"', 'é€😀'],
    ])('writes %s', (want, s) => {
      expect(canonicalJson(s)).toBe(want);
    });
  });

  describe('when cross-checked against the canonicalize package', () => {
    it('agrees on 3000 random values and round-trips them', () => {
      const random = makeRandom(20240601);
      for (let i = 0; i < 3000; i++) {
        const v = random(0);
        const got = canonicalJson(v);
        const want = canonicalize(v);
        expect(got, `canonicalJson(#${i}) = ${got}, want ${want}`).toBe(want);
        // Canonical text parses to a value with the same canonical text (idempotence).
        expect(canonicalJson(JSON.parse(got))).toBe(got);
        expect(Buffer.from(canonicalJsonBytes(v)).equals(Buffer.from(got, 'utf8'))).toBe(true);
      }
    });

    it('agrees on every accepted hostile input', () => {
      for (const h of HOSTILE_INPUTS.filter((x) => isJsonValue(x.value))) {
        expect(canonicalJson(h.value), h.name).toBe(canonicalize(h.value));
      }
    });

    it('writes own "__proto__" keys, as JSON.parse creates them', () => {
      const v: unknown = JSON.parse('{"b":1,"__proto__":{"x":2},"a":[]}');
      expect(canonicalJson(v)).toBe('{"__proto__":{"x":2},"a":[],"b":1}');
      expect(canonicalJson(v)).toBe(canonicalize(v));
    });

    it('accepts a shared (non-cyclic) reference twice', () => {
      const shared = { x: [1] };
      expect(canonicalJson({ a: shared, b: [shared, shared] })).toBe('{"a":{"x":[1]},"b":[{"x":[1]},{"x":[1]}]}');
    });
  });

  describe('when the value is not a JSON value', () => {
    it('names the path of a bigint: value.a[1].b', () => {
      expectInputError(() => canonicalJson({ a: [1, { b: 2n }] }), 'value.a[1].b', 'type');
    });

    it('quotes a key that is not an identifier: value["a b"][0]', () => {
      expectInputError(() => canonicalJson({ 'a b': [undefined] }), 'value["a b"][0]', 'type');
    });

    it('uses the title given for the root', () => {
      expectInputError(() => canonicalJson({ area: 1n }, 'plot'), 'plot.area', 'type');
    });

    it.each([
      ['undefined member', { a: undefined }, 'value.a'],
      ['undefined element', [1, undefined], 'value[1]'],
      ['array hole', [1, , 2], 'value[1]'], // eslint-disable-line no-sparse-arrays
      ['function', { f: () => 1 }, 'value.f'],
      ['symbol value', { s: Symbol('s') }, 'value.s'],
      ['symbol key', { [Symbol('k')]: 1 }, 'value'],
      ['Date (has toJSON)', { d: new Date(0) }, 'value.d'],
      ['object with toJSON', { o: { toJSON: () => 1 } }, 'value.o.toJSON'],
      ['Map', new Map([['a', 1]]), 'value'],
      ['Set', new Set([1]), 'value'],
      ['Uint8Array', Uint8Array.of(1), 'value'],
      ['boxed number', new Number(1), 'value'],
      ['boxed string', new String('a'), 'value'],
      ['boxed boolean', new Boolean(true), 'value'],
      ['class instance', new (class Point {
        x = 1;
      })(), 'value'],
    ])('rejects a %s with a TypeError naming %s', (_name, value, title) => {
      expectInputError(() => canonicalJson(value), title, 'type');
    });

    it('rejects a cycle with a TypeError at the repeated object', () => {
      const a: unknown[] = [1];
      a.push({ back: a });
      expectInputError(() => canonicalJson(a), 'value[1].back', 'type');
    });

    it.each([
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-Infinity', -Infinity],
    ])('rejects %s with a RangeError', (_name, x) => {
      expectInputError(() => canonicalJson([0, x]), 'value[1]', 'range');
    });

    it.each([
      ['lone high surrogate', '\ud800'],
      ['lone low surrogate', '\udc00'],
      ['reversed pair', '\ude00\ud83d'],
      ['high surrogate at the end', 'ok\ud83d'],
    ])('rejects a %s in a value with a RangeError', (_name, s) => {
      expectInputError(() => canonicalJson({ s }), 'value.s', 'range');
    });

    it('rejects a lone surrogate in a key with a RangeError', () => {
      expectInputError(() => canonicalJson({ ['k\ud800']: 1 }), 'value["k\\ud800"]', 'range');
    });
  });

  describe('when the canonicalize package is laxer', () => {
    it.each([
      ['undefined member', { a: 1, b: undefined }],
      ['toJSON', { d: new Date(0) }],
      ['undefined element', [undefined]],
    ])('does not drop or convert a %s, as canonicalize does', (_name, v) => {
      expect(typeof canonicalize(v)).toBe('string');
      expect(() => canonicalJson(v)).toThrow(TypeError);
    });
  });

  describe('when values nest deeply', () => {
    const nested = (n: number): unknown => {
      let v: unknown = 0;
      for (let i = 0; i < n; i++) v = i % 2 ? [v] : { k: v };
      return v;
    };

    it(`accepts ${MAX_CANONICAL_JSON_DEPTH} nested containers`, () => {
      expect(canonicalJson(nested(MAX_CANONICAL_JSON_DEPTH))).toBe(canonicalize(nested(MAX_CANONICAL_JSON_DEPTH)));
    });

    it(`rejects ${MAX_CANONICAL_JSON_DEPTH + 1} with a RangeError`, () => {
      expect(() => canonicalJson(nested(MAX_CANONICAL_JSON_DEPTH + 1))).toThrow(RangeError);
      expect(() => canonicalJson(nested(MAX_CANONICAL_JSON_DEPTH + 1))).toThrow(/expected nesting of at most/);
    });

    it('rejects 100000 levels without exhausting the stack', () => {
      expect(() => canonicalJson(nested(100_000))).toThrow(/expected nesting of at most/);
    });
  });

  describe('when given each hostile input at the root', () => {
    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value]))('accepts %s only if it is a JSON value', (_name, value) => {
      if (isJsonValue(value)) expect(canonicalJson(value)).toBe(canonicalize(value));
      else {
        let err: unknown;
        try {
          canonicalJson(value);
        } catch (e) {
          err = e;
        }
        expect(err instanceof TypeError || err instanceof RangeError, String(err)).toBe(true);
        // The root, or the member inside it that is at fault.
        expect((err as Error).message).toMatch(/^"value(\.[A-Za-z_$][\w$]*|\[\d+\])?" expected /);
      }
    });
  });
});

describe('canonicalJsonBytes', () => {
  describe('when given a value', () => {
    it('is the UTF-8 encoding of canonicalJson', () => {
      const v = { z: 'é€😀', a: [1e21, 1e-7, -0] };
      expect(Buffer.from(canonicalJsonBytes(v)).toString('hex')).toBe(Buffer.from('{"a":[1e+21,1e-7,0],"z":"é€😀"}', 'utf8').toString('hex'));
    });
  });

  describe('when given a value that is not JSON', () => {
    it('throws as canonicalJson does', () => {
      expectInputError(() => canonicalJsonBytes({ x: 1n }), 'value.x', 'type');
      expectInputError(() => canonicalJsonBytes('\ud800'), 'value', 'range');
    });
  });
});
