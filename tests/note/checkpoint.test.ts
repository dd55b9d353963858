import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CanopyError } from '../../core/errors.ts';
import { FIELD_ORDER } from '../../core/field.ts';
import {
  CANOPY_LOTS_ROOT_PREFIX,
  CANOPY_PLOTS_ROOT_PREFIX,
  type Checkpoint,
  CHECKPOINT_MAX_EXTENSIONS,
  formatCheckpoint,
  parseCheckpoint,
} from '../../core/note/checkpoint.ts';
import { generateNoteKey, noteSigner, noteVerifier } from '../../core/note/note-key.ts';
import { openNote, signNote } from '../../core/note/signed-note.ts';
import { leafHash } from '../../core/tlog/hash.ts';
import { TLOG_MAX_SIZE } from '../../core/tlog/tree-size.ts';
import { expectInputError, HOSTILE_INPUTS } from '../hostile-inputs.ts';
import { c2sp, utf8 } from './_vectors.ts';

const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64');
const root = leafHash(utf8('hello world'));
const ROOT = b64(root); // TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0= (Go tlog note_test.go)

/** Expects parseCheckpoint(text) to throw CHECKPOINT_MALFORMED. */
function expectMalformed(text: string, label = JSON.stringify(text)) {
  let err: unknown;
  try {
    parseCheckpoint(text);
  } catch (e) {
    err = e;
  }
  expect(err, label).toBeInstanceOf(CanopyError);
  expect((err as CanopyError).code, label).toBe('CHECKPOINT_MALFORMED');
}

const base: Checkpoint = { origin: 'registry.example/canopy', size: 5, rootHash: root, canopyRoots: null, extensions: [] };

describe('parseCheckpoint', () => {
  describe('when given the C2SP tlog-checkpoint example', () => {
    it('reads origin, size and root hash, and formats back to the same text', () => {
      const text = c2sp.checkpointNote.slice(0, c2sp.checkpointNote.indexOf('\n\n') + 1);
      const c = parseCheckpoint(text);
      expect(c.origin).toBe('example.com/behind-the-sofa');
      expect(c.size).toBe(20852163);
      expect(b64(c.rootHash)).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
      expect([c.canopyRoots, c.extensions]).toEqual([null, []]);
      expect(formatCheckpoint(c)).toBe(text);
    });
  });

  describe('when given the Go tlog note_test.go tree note', () => {
    const src = readFileSync(new URL('../vectors/golang-mod/sumdb/tlog/note_test.go', import.meta.url), 'utf8');
    const golden = src.match(/golden := "(go\.sum database tree\\n\d+\\n[A-Za-z0-9+/=]+\\n)"/)![1]!.replaceAll('\\n', '\n');

    it('reads size 123456789012 and the leaf hash of "hello world" (TestParseTree)', () => {
      const c = parseCheckpoint(golden);
      expect([c.origin, c.size, b64(c.rootHash)]).toEqual(['go.sum database tree', 123456789012, ROOT]);
    });

    it('writes the golden text (TestFormatTree)', () => {
      expect(formatCheckpoint({ origin: 'go.sum database tree', size: 123456789012, rootHash: root, canopyRoots: null, extensions: [] })).toBe(golden);
    });

    it('rejects a hex size and a root that is not 32 bytes (badTrees)', () => {
      expectMalformed(golden.replace('123456789012', '0xabcdef'));
      expectMalformed(golden.replace('HmuwBb0=', 'HmuwBTOOBIG='));
    });

    it('leaves the origin to the caller: "not-go.sum database tree" is another log', () => {
      expect(parseCheckpoint(`not-${golden}`).origin).toBe('not-go.sum database tree');
    });

    it('keeps "JOE\\n" as an extension line but rejects junk Go ignores (goodTrees)', () => {
      expect(parseCheckpoint(`${golden}JOE\n`).extensions).toEqual(['JOE']);
      expectMalformed(`${golden}JOE`, 'no final newline');
      expectMalformed(`${golden}${'JOE\n'.repeat(1000)}`, '1000 extension lines');
    });
  });

  describe('when the tree size is not a canonical decimal ≤ 2^51', () => {
    const sizes = [
      ...HOSTILE_INPUTS.filter((h) => typeof h.value === 'string' && !/^(0|[1-9][0-9]*)$/.test(h.value)).map((h) => h.value as string),
      '00', '01', '+1', '-0', '0x1', '1e3', '1.0', ' 1', '1 ', '\u0661', '\uff11',
      String(TLOG_MAX_SIZE + 1), '9007199254740993', '18446744073709551615', '1'.repeat(17),
    ];
    it.each(sizes.map((s) => [JSON.stringify(s), s]))('rejects %s', (_l, s) => {
      expectMalformed(`o\n${s}\n${ROOT}\n`);
    });
    it('accepts 0 and 2^51', () => {
      expect(parseCheckpoint(`o\n0\n${ROOT}\n`).size).toBe(0);
      expect(parseCheckpoint(`o\n${TLOG_MAX_SIZE}\n${ROOT}\n`).size).toBe(TLOG_MAX_SIZE);
    });
  });

  describe('when the root hash is not canonical base64 of 32 bytes', () => {
    it.each([
      ['31 bytes', b64(root.subarray(1))],
      ['33 bytes', b64(new Uint8Array([...root, 0]))],
      ['no padding', ROOT.replace('=', '')],
      ['non-zero padding bits', ROOT.replace('b0=', 'b1=')],
      ['URL-safe alphabet', b64(new Uint8Array(32).fill(0xfb))],
      ['empty', ''],
      ['hex', Buffer.from(root).toString('hex')],
    ])('rejects %s', (_d, r) => {
      const line = _d === 'URL-safe alphabet' ? r.replaceAll('+', '-').replaceAll('/', '_') : r;
      expectMalformed(`o\n1\n${line}\n`, _d);
    });
  });

  describe('when the text breaks the line rules', () => {
    it.each([
      ['empty', ''],
      ['two lines', `o\n1\n`],
      ['no final newline', `o\n1\n${ROOT}`],
      ['empty origin', `\n1\n${ROOT}\n`],
      ['empty extension line', `o\n1\n${ROOT}\n\next\n`],
      ['trailing empty line', `o\n1\n${ROOT}\n\n`],
      ['CRLF', `o\r\n1\r\n${ROOT}\r\n`],
      ['tab in origin', `o\tx\n1\n${ROOT}\n`],
      ['NUL in extension', `o\n1\n${ROOT}\nx\u0000\n`],
      ['lone surrogate', `o\ud800\n1\n${ROOT}\n`],
      ['too many extensions', `o\n1\n${ROOT}\n${'e\n'.repeat(CHECKPOINT_MAX_EXTENSIONS + 1)}`],
    ])('rejects %s', (_d, text) => expectMalformed(text, _d));
  });

  describe('when given hostile input', () => {
    it.each(HOSTILE_INPUTS.filter((h) => typeof h.value !== 'string').map((h) => [h.name, h.value] as const))('rejects %s', (_n, v) => {
      expectInputError(() => parseCheckpoint(v as string), 'text', 'type');
    });
  });
});

describe('Canopy extension lines', () => {
  const withRoots: Checkpoint = { ...base, canopyRoots: { lots: 12345n, plots: FIELD_ORDER - 1n }, extensions: ['other line'] };
  const text = formatCheckpoint(withRoots);

  describe('when the checkpoint carries the Poseidon roots', () => {
    it('writes them as lines 4 and 5, before other extension lines, and reads them back', () => {
      expect(text).toBe(`registry.example/canopy\n5\n${ROOT}\n${CANOPY_LOTS_ROOT_PREFIX}12345\n${CANOPY_PLOTS_ROOT_PREFIX}${FIELD_ORDER - 1n}\nother line\n`);
      expect(parseCheckpoint(text)).toEqual(withRoots);
      expect(CANOPY_LOTS_ROOT_PREFIX).toBe('canopy-lots-root ');
      expect(CANOPY_PLOTS_ROOT_PREFIX).toBe('canopy-plots-root ');
    });

    it('survives signing, opening and parsing', () => {
      const k = generateNoteKey('registry.example/canopy', new Uint8Array(32).fill(1));
      const note = signNote(text, [noteSigner(k.signerKey)]);
      expect(parseCheckpoint(openNote(note, [noteVerifier(k.verifierKey)]).text)).toEqual(withRoots);
    });
  });

  describe('when a root is not a canonical field element', () => {
    it.each(['', '01', '+1', '-1', ' 1', '1 ', '0x1', '1e3', String(FIELD_ORDER), `${FIELD_ORDER}0`])('rejects the root %j in either line', (v) => {
      expectMalformed(text.replace(`${CANOPY_LOTS_ROOT_PREFIX}12345`, `${CANOPY_LOTS_ROOT_PREFIX}${v}`), `lots ${v}`);
      expectMalformed(text.replace(`${CANOPY_PLOTS_ROOT_PREFIX}${FIELD_ORDER - 1n}`, `${CANOPY_PLOTS_ROOT_PREFIX}${v}`), `plots ${v}`);
    });
  });

  describe('when the Canopy lines are incomplete, misplaced, repeated or unknown', () => {
    const lots = `${CANOPY_LOTS_ROOT_PREFIX}1`;
    const plots = `${CANOPY_PLOTS_ROOT_PREFIX}2`;
    const head = `o\n1\n${ROOT}\n`;
    it.each([
      ['lots without plots', `${head}${lots}\n`],
      ['plots without lots', `${head}${plots}\n`],
      ['swapped', `${head}${plots}\n${lots}\n`],
      ['after another line', `${head}x\n${lots}\n${plots}\n`],
      ['repeated', `${head}${lots}\n${plots}\n${lots}\n${plots}\n`],
      ['unknown canopy- line', `${head}${lots}\n${plots}\ncanopy-foo 3\n`],
      ['prefix without space', `${head}canopy-lots-root1\n${plots}\n`],
    ])('rejects %s', (_d, t) => expectMalformed(t, _d));
  });
});

describe('formatCheckpoint', () => {
  describe('when every accepted text is re-formatted', () => {
    it('gives back the same text (canonical form)', () => {
      const texts = [
        `o\n0\n${ROOT}\n`,
        `example.com/log+with plus and spaces\n${TLOG_MAX_SIZE}\n${ROOT}\n`,
        `o\n7\n${ROOT}\n${CANOPY_LOTS_ROOT_PREFIX}0\n${CANOPY_PLOTS_ROOT_PREFIX}0\n`,
        `o\n7\n${ROOT}\nx\ny z\n— looks like a signature but is an extension\n`,
        `🌳 log\n1\n${ROOT}\ncanopy\n`,
      ];
      for (const t of texts) expect(formatCheckpoint(parseCheckpoint(t))).toBe(t);
    });
  });

  describe('when a field is malformed', () => {
    it.each([
      ['empty origin', { ...base, origin: '' }, 'checkpoint.origin'],
      ['newline in origin', { ...base, origin: 'a\nb' }, 'checkpoint.origin'],
      ['control character in origin', { ...base, origin: 'a\u0007' }, 'checkpoint.origin'],
      ['size 2^51 + 1', { ...base, size: TLOG_MAX_SIZE + 1 }, 'checkpoint.size'],
      ['size −1', { ...base, size: -1 }, 'checkpoint.size'],
      ['size 1.5', { ...base, size: 1.5 }, 'checkpoint.size'],
      ['31-byte root', { ...base, rootHash: root.subarray(1) }, 'checkpoint.rootHash'],
      ['lots root = r', { ...base, canopyRoots: { lots: FIELD_ORDER, plots: 0n } }, 'checkpoint.canopyRoots.lots'],
      ['plots root −1', { ...base, canopyRoots: { lots: 0n, plots: -1n } }, 'checkpoint.canopyRoots.plots'],
      ['plots root as a string', { ...base, canopyRoots: { lots: 0n, plots: '1' as never } }, 'checkpoint.canopyRoots.plots'],
      ['empty extension', { ...base, extensions: [''] }, 'checkpoint.extensions[0]'],
      ['newline in extension', { ...base, extensions: ['a\nb'] }, 'checkpoint.extensions[0]'],
      ['reserved canopy- extension', { ...base, extensions: ['ok', 'canopy-lots-root 1'] }, 'checkpoint.extensions[1]'],
      ['extensions not an array', { ...base, extensions: 'x' as never }, 'checkpoint.extensions'],
      ['65 extensions', { ...base, extensions: Array(65).fill('e') }, 'checkpoint.extensions'],
    ] as [string, Checkpoint, string][])('rejects %s', (_d, c, title) => {
      expectInputError(() => formatCheckpoint(c), title);
    });

    it.each(HOSTILE_INPUTS.map((h) => [h.name, h.value] as const))('rejects checkpoint = %s', (_n, v) => {
      expect(() => formatCheckpoint(v as Checkpoint)).toThrow(/^"checkpoint(\.origin)?" expected/);
    });
  });
});
