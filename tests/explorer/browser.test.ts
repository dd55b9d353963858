// The explorer end to end: a registry filled by a scenario (tests/explorer/_scenario.ts),
// served in-process, and Debian's Chromium driven by playwright-core. Every check the page
// makes is watched from the outside: the checkpoint signature, paging and filtering the
// log, an entry's inclusion proof, a consistency check (and the same with a tampered
// proof answer), a dataset manifest and its map, and an auditor reading submitters.
// Screenshots go to tests/artifacts/explorer/.
//
// Needs /usr/bin/chromium (CI installs it: .ci/run); without it the suite is skipped.
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNoteKey } from '../../core/note/note-key.ts';
import { type Scenario, startScenario } from './_scenario.ts';

const CHROMIUM = '/usr/bin/chromium';
const HAVE_CHROMIUM = existsSync(CHROMIUM);
if (!HAVE_CHROMIUM) console.warn(`tests/explorer/browser.test.ts: skipped, ${CHROMIUM} is absent (install Debian's chromium package: apt-get install chromium)`);

const ARTIFACTS = new URL('../artifacts/explorer/', import.meta.url);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Flips one bit of a base64 hash. */
function flip(b64: string): string {
  const b = Buffer.from(b64, 'base64');
  b[0]! ^= 1;
  return b.toString('base64');
}

describe.skipIf(!HAVE_CHROMIUM)('registry explorer in Chromium', () => {
  let s: Scenario;
  let ctx: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const foreign: string[] = [];
  const problems: string[] = [];

  beforeAll(async () => {
    s = await startScenario();
    mkdirSync(ARTIFACTS, { recursive: true });
    userDataDir = mkdtempSync(join(tmpdir(), 'canopy-explorer-chromium-'));
    ctx = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1280, height: 900 } });
    page = ctx.pages()[0] ?? (await ctx.newPage());
    page.setDefaultTimeout(20_000);
    page.on('request', (r: Request) => {
      if (!r.url().startsWith(`${s.reg.url}/`)) foreign.push(r.url());
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()} (${m.location().url})`);
    });
  });

  afterAll(async () => {
    await ctx?.close();
    await s?.reg.close();
    if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  });

  /** Opens a route of the page from scratch (a fresh page state: no cached entries or checks). */
  async function open(hash: string): Promise<void> {
    // A goto that changes only the fragment would not reload the page.
    await page.goto('about:blank');
    await page.goto(`${s.reg.url}/${hash}`);
    await page.waitForSelector('main h1');
  }

  /** Waits for the verdict under `selector` (the first status label that is not "busy"). */
  async function verdict(selector: string): Promise<[string, string]> {
    const el = page.locator(`${selector} .status:not([data-status="busy"])`).first();
    await el.waitFor();
    return [(await el.getAttribute('data-status'))!, (await el.textContent())!];
  }

  async function rows(): Promise<{ seq: number; type: string }[]> {
    await page.waitForSelector('#log-status:not(:has([data-status="busy"]))');
    return page.$$eval('#log-table tbody tr', (trs) => trs.map((tr) => ({ seq: Number((tr as HTMLElement).dataset.seq), type: (tr as HTMLElement).dataset.type ?? '' })));
  }

  const shot = (name: string) => page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });

  describe('the checkpoint view', () => {
    it('shows the latest checkpoint with its signature checked valid, and every checkpoint of the history', async () => {
      await open('');
      const [kind, text] = await verdict('#checkpoint-signature');
      expect([kind, text]).toEqual(['ok', expect.stringContaining('Signature valid: Ed25519 by registry.test/canopy+')]);
      expect(await page.textContent('#checkpoint-size')).toBe(`${s.size} entries`);
      await page.waitForSelector('#history-table tbody tr');
      await page.waitForFunction(() => document.querySelectorAll('#history-table [data-status="busy"]').length === 0);
      const history = await page.$$eval('#history-table tbody tr', (trs) => trs.map((tr) => [Number((tr as HTMLElement).dataset.size), tr.querySelector('.status')?.getAttribute('data-status')]));
      expect(history).toEqual([...s.checkpointSizes].reverse().map((size) => [size, 'ok']));
      expect(await page.isHidden('#history button')).toBe(true);
      // The auditor's cosignature, checked against the witness key GET /v1/witnesses announces.
      const cosigs = await page.$$eval('#cosignatures tbody tr', (trs) => trs.map((tr) => [tr.querySelector('td')?.textContent, tr.querySelector('.status')?.getAttribute('data-status')]));
      expect(cosigs).toEqual([['auditor-1', 'ok']]);
      await shot('checkpoint');
    });

    it('shows the checkpoint not signed by a key the user pins instead, and valid again with the announced key', async () => {
      await open('');
      await verdict('#checkpoint-signature');
      const other = generateNoteKey('registry.test/canopy', new Uint8Array(32).fill(99));
      await page.fill('#pin-key', other.verifierKey);
      await page.press('#pin-key', 'Enter');
      await page.waitForSelector('#registry-key dd:has-text("pinned by you")');
      expect(await verdict('#checkpoint-signature')).toEqual(['fail', expect.stringContaining('Not signed by the registry key registry.test/canopy+')]);
      await page.click('text=Use the announced key');
      expect((await verdict('#checkpoint-signature'))[0]).toBe('ok');
    });
  });

  describe('the log view', () => {
    it('pages through the log newest first, 25 rows a page', async () => {
      await open('#/log');
      const first = await rows();
      expect(first.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => s.size - 1 - i));
      expect(await page.isDisabled('button.pager-newer')).toBe(true);
      await shot('log');
      await page.click('a.pager-older');
      await page.waitForFunction(() => location.hash.includes('at='));
      const second = await rows();
      expect(second.map((r) => r.seq)).toEqual(Array.from({ length: s.size - 25 }, (_, i) => s.size - 26 - i));
      await page.click('button.pager-newer');
      await page.waitForFunction(() => !location.hash.includes('at='));
      expect((await rows()).map((r) => r.seq)).toEqual(first.map((r) => r.seq));
    });

    it('filters by entry type, and pages the filtered rows', async () => {
      await open('#/log');
      await rows();
      await page.selectOption('#f-type', 'lot-mint');
      await page.click('form.filters button[type="submit"]');
      await page.waitForFunction(() => location.hash.includes('type=lot-mint'));
      const mints = await rows();
      expect(mints.length).toBe(25);
      expect(new Set(mints.map((r) => r.type))).toEqual(new Set(['lot-mint']));
      await shot('log-filtered');
      await page.click('a.pager-older');
      await page.waitForFunction(() => location.hash.includes('at='));
      const rest = await rows();
      expect(rest.map((r) => r.type)).toEqual(['lot-mint']);
      expect(rest[0]!.seq).toBe(s.seq.firstMint);
      await open('#/log?type=dataset');
      expect(await rows()).toEqual([{ seq: s.seq.dataset, type: 'dataset' }]);
      await open('#/log?type=party-revocation');
      expect(await rows()).toEqual([{ seq: s.seq.revocation, type: 'party-revocation' }]);
    });

    it('filters by sequence number and by publication date', async () => {
      await open('#/log?from=5&to=12');
      expect((await rows()).map((r) => r.seq)).toEqual([12, 11, 10, 9, 8, 7, 6, 5]);
      const today = new Date().toISOString().slice(0, 10);
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
      await open(`#/log?after=${today}&before=${today}&n=50`);
      expect((await rows()).length).toBe(s.size);
      await open(`#/log?after=${tomorrow}`);
      expect(await rows()).toEqual([]);
      expect(await page.textContent('#log-status')).toContain('No entries');
      await open(`#/log?before=${yesterday}`);
      expect(await rows()).toEqual([]);
    });

    it('is usable from the keyboard: Tab reaches the newest entry, Enter opens it', async () => {
      await open('#/log');
      await rows();
      let reached = false;
      for (let i = 0; i < 40 && !reached; i++) {
        await page.keyboard.press('Tab');
        reached = await page.evaluate((want) => document.activeElement?.textContent === want, `#${s.size - 1}`);
      }
      expect(reached).toBe(true);
      await page.keyboard.press('Enter');
      await page.waitForFunction((want) => location.hash === want, `#/entry/${s.size - 1}`);
      await page.waitForFunction(() => document.activeElement?.tagName === 'H1');
      expect(await page.evaluate(() => document.activeElement?.textContent)).toContain(`Entry #${s.size - 1}`);
    });
  });

  describe('the entry view', () => {
    it('shows a transition’s fields, proof and public signals, and its inclusion proof verified in the browser', async () => {
      await open(`#/entry/${s.seq.transition}`);
      expect(await verdict('#inclusion')).toEqual(['ok', expect.stringContaining(`Included in the signed checkpoint of size ${s.size}: proof verified in this browser`)]);
      expect(await page.textContent('#signals-0')).toContain('nullifiers');
      expect(await page.textContent('#signals-0')).toContain('must be a lots root a signed checkpoint published');
      expect(await page.textContent('main')).toContain('Verified by the registry before appending');
      expect(await page.textContent('main')).toContain('ab'.repeat(32));
      await shot('entry');
    });

    it('shows every window of a plot attestation', async () => {
      await open(`#/entry/${s.seq.plot}`);
      expect((await verdict('#inclusion'))[0]).toBe('ok');
      expect(await page.locator('table.signals').count()).toBe(2);
    });

    it('shows the parameters the registry checks on a capacity issue', async () => {
      await open(`#/entry/${s.seq.capacityIssue}`);
      expect((await verdict('#inclusion'))[0]).toBe('ok');
      const roles = await page.$$eval('#signals-0 tbody tr', (trs) => Object.fromEntries(trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('td:last-child')?.textContent])));
      expect(roles).toMatchObject({ plotsRoot: 'must be a plots root a signed checkpoint published', issueTag: expect.stringContaining('nullifier'), capacityCommitment: 'appended to the lots tree', cutoffCode: expect.stringContaining('at most 21') });
    });

    it('shows the keys an artifacts entry pins, compared with the keys served now', async () => {
      await open(`#/entry/${s.seq.artifacts}`);
      expect((await verdict('#inclusion'))[0]).toBe('ok');
      await page.waitForSelector('#pinned-table');
      const pinned = await page.$$eval('#pinned-table tbody tr', (trs) => trs.map((tr) => [tr.querySelector('th')?.textContent, tr.querySelector('.status')?.getAttribute('data-status')]));
      expect(pinned).toEqual(['capacity_issue', 'lot_mint', 'lot_transition', 'plot_window'].map((c) => [c, 'ok']));
    });

    it('fails the inclusion check when the proof answer is tampered with', async () => {
      await page.route('**/v1/proofs/inclusion?*', async (route) => {
        const res = await route.fetch();
        const j = (await res.json()) as { hashes: string[] };
        j.hashes[1] = flip(j.hashes[1]!);
        await route.fulfill({ response: res, json: j });
      });
      try {
        await open(`#/entry/${s.seq.transition}`);
        expect(await verdict('#inclusion')).toEqual(['fail', expect.stringContaining('Inclusion proof failed')]);
        await shot('entry-tampered-proof');
      } finally {
        await page.unroute('**/v1/proofs/inclusion?*');
      }
    });

    it('fails the inclusion check when the entry served is not the one hashed into the log', async () => {
      await page.route(`**/v1/entries/${s.seq.dataset}`, async (route) => {
        const res = await route.fetch();
        const j = (await res.json()) as { entry: { body: { name: string } } };
        j.entry.body.name = 'another name';
        await route.fulfill({ response: res, json: j });
      });
      try {
        await open(`#/entry/${s.seq.dataset}`);
        expect(await verdict('#inclusion')).toEqual(['fail', expect.stringContaining('does not hash to the leaf hash')]);
      } finally {
        await page.unroute(`**/v1/entries/${s.seq.dataset}`);
      }
    });
  });

  describe('the consistency view', () => {
    it('verifies two checkpoints picked in the form, and every pair of signed checkpoints', async () => {
      const [, first, second] = s.checkpointSizes as [number, number, number];
      await open('#/consistency');
      await page.fill('#c-old', String(second));
      await page.fill('#c-new', String(s.size));
      await page.click('#consistency-form button[type="submit"]');
      expect(await verdict('#consistency-verdict')).toEqual(['ok', expect.stringContaining(`Consistent: checkpoint ${s.size} extends checkpoint ${second}`)]);
      await shot('consistency');
      // In-page navigation from here: each pair re-renders the view for its own sizes.
      const sizes = s.checkpointSizes.filter((x) => x > 0);
      for (const a of sizes) {
        for (const b of sizes.filter((x) => x >= a)) {
          await page.evaluate((h) => {
            location.hash = h;
          }, `#/consistency?old=${a}&new=${b}`);
          const el = await page.waitForSelector(`#consistency-verdict:has(h3:text-is("Older checkpoint: size ${a}")):has(h3:text-is("Newer checkpoint: size ${b}")) > .status`);
          expect([a, b, await el.getAttribute('data-status')]).toEqual([a, b, 'ok']);
        }
      }
      expect(first).toBeGreaterThan(0);
    });

    it('fails when the proof answer is tampered with, and when a size was never signed', async () => {
      await page.route('**/v1/proofs/consistency?*', async (route) => {
        const res = await route.fetch();
        const j = (await res.json()) as { hashes: string[] };
        j.hashes[0] = flip(j.hashes[0]!);
        await route.fulfill({ response: res, json: j });
      });
      try {
        await open(`#/consistency?old=${s.checkpointSizes[2]}&new=${s.size}`);
        expect(await verdict('#consistency-verdict')).toEqual(['fail', expect.stringContaining('NOT consistent')]);
        await shot('consistency-tampered');
      } finally {
        await page.unroute('**/v1/proofs/consistency?*');
      }
      const unsigned = s.checkpointSizes[1]! + 1;
      await open(`#/consistency?old=${unsigned}&new=${s.size}`);
      expect(await verdict('#consistency-result')).toEqual(['fail', expect.stringContaining(`signed no checkpoint of size ${unsigned}`)]);
    });
  });

  describe('the datasets view', () => {
    it('lists the dataset, and draws its extent from a manifest whose SHA-256 matches the entry', async () => {
      await open('#/datasets');
      await page.waitForSelector('section.dataset');
      expect(await page.locator('section.dataset').count()).toBe(1);
      expect(await page.textContent('section.dataset')).toContain(s.manifestSha256);
      const input = page.locator('section.dataset input[type="file"]');
      await input.setInputFiles({ name: 'manifest.json', mimeType: 'application/json', buffer: Buffer.from(`${s.manifestText} `) });
      expect(await verdict('.manifest-result')).toEqual(['fail', expect.stringContaining('SHA-256 differs')]);
      expect(await page.locator('svg.extent-map').count()).toBe(0);
      await input.setInputFiles({ name: 'manifest.json', mimeType: 'application/json', buffer: Buffer.from(s.manifestText) });
      expect(await verdict('.manifest-result')).toEqual(['ok', expect.stringContaining('Manifest matches the entry')]);
      const map = page.locator('svg.extent-map');
      await map.waitFor();
      expect(await map.getAttribute('aria-label')).toContain('71.73775° W to 71.68975° W, 18.63175° N to 18.687° N');
      expect(await page.locator('svg.extent-map line.map-tile').count()).toBe(11 + 13);
      await shot('datasets');
    });
  });

  describe('auditor sign-in', () => {
    it('refuses a supplier’s key, signs the auditor in from a key file, and shows who submitted each entry', async () => {
      await open('#/auditor');
      await page.fill('#key-text', s.coop.signerKey);
      await page.click('#sign-in button[type="submit"]');
      expect(await verdict('#sign-in-status')).toEqual(['fail', expect.stringContaining('coop-7 is registered as supplier, not auditor')]);
      expect(await page.inputValue('#key-text')).toBe('');
      await page.setInputFiles('#key-file', { name: 'auditor-1.key', mimeType: 'text/plain', buffer: Buffer.from(`${s.auditor.signerKey}\n`) });
      await page.click('#sign-in button[type="submit"]');
      await page.waitForSelector('#auditor-badge strong:has-text("auditor-1")');
      // In-page navigation keeps the key (it lives in this page's memory only).
      await page.evaluate((seq) => {
        location.hash = `#/entry/${seq}`;
      }, s.seq.transition);
      await page.waitForSelector('#submitter-party');
      expect(await page.textContent('#submitter-party')).toBe('mill-3');
      await shot('entry-auditor');
      await page.evaluate(() => {
        location.hash = '#/log?n=10';
      });
      await page.waitForSelector('#log-table th:has-text("Submitted by")');
      const who = await page.$$eval('#log-table tbody tr td:last-child', (tds) => tds.map((td) => td.textContent));
      expect(who.slice(0, 3)).toEqual(['coop-7 (supplier)', 'accreditor.test (accreditor)', 'accreditor.test (accreditor)']);
      await shot('log-auditor');
      await page.click('#auditor-badge button');
      await page.waitForSelector('#auditor-badge a:has-text("Auditor sign-in")');
      expect(await page.locator('#log-table th:has-text("Submitted by")').count()).toBe(0);
      // A reload forgets the key.
      await open(`#/entry/${s.seq.transition}`);
      await page.waitForSelector('#submitter a[href="#/auditor"]');
    });
  });

  it('loads nothing from another origin and meets no script error or CSP violation', () => {
    expect(foreign).toEqual([]);
    expect(problems).toEqual([]);
  });

  it('enforces its Content-Security-Policy: an injected inline script does not run', async () => {
    await open('');
    const ran = await page.evaluate(() => {
      const script = document.createElement('script');
      script.textContent = 'window.__injected = true';
      document.body.append(script);
      return (window as unknown as { __injected?: boolean }).__injected === true;
    });
    expect(ran).toBe(false);
    await page.waitForFunction(() => true);
    expect(problems.some((p) => p.includes('Content Security Policy'))).toBe(true);
  });
});
