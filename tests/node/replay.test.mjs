// The HTML replay in a real headless Chromium (Debian's `chromium`; CHROMIUM names another):
// `agentops replay --html` (the package's bin) on the fixture session, loaded from disk —
// no console errors, one bar per event, a click opens an event's details, a payload holding
// `<script>` is shown as text, zoom works, and 100,000 events keep the page small.
// AGENTOPS_UPDATE_GENERATED=1 also rewrites the screenshot next to the README.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const FIXTURE = path.join(ROOT, 'tests/replay/session.jsonl');
const BIN = path.join(ROOT, 'bindings-node/bin/agentops.js');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agentops-replay-'));
let browser;

function replayHtml(session, name) {
  const out = path.join(work, name);
  execFileSync(process.execPath, [BIN, 'replay', session, '--html', out, '--color', 'never']);
  return pathToFileURL(out).href;
}

async function open(url) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1400, height: 900 });
  const problems = [];
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(String(e)));
  // Self-contained: the page asks for nothing but itself.
  page.on('request', (r) => r.url() !== url && problems.push(`request for ${r.url()}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, problems };
}

before(async () => {
  browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu'],
  });
});

after(async () => {
  await browser?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

test('the fixture session: one bar per event, details on click, payloads as text, zoom', async () => {
  const { page, problems } = await open(replayHtml(FIXTURE, 'fixture.html'));
  assert.equal(await page.$$eval('.bar', (bars) => bars.length), 6);
  assert.match(await page.$eval('#meta', (m) => m.textContent), /Fail.*reason: the museum booking timed out.*tags: fixture, replay/);

  const museum = await page.$$eval('.bar', (bars) => bars.findIndex((b) => b.title.startsWith('book_museum')));
  await (await page.$$('.bar'))[museum].click();
  const detail = await page.$eval('#detail', (d) => d.textContent);
  assert.ok(detail.includes('<script>window.__pwned = 1</script>'), 'the payload is shown as text');
  assert.equal(await page.$$eval('#detail script', (s) => s.length), 0);
  assert.equal(await page.evaluate(() => window.__pwned), undefined, 'and never run');

  const error = await page.$$eval('.bar', (bars) => bars.findIndex((b) => b.classList.contains('error')));
  await (await page.$$('.bar'))[error].click();
  assert.match(await page.$eval('#detail', (d) => d.textContent), /error of: action book_museum/);
  await page.click('#trigger-link');
  assert.match(await page.$eval('#detail h2', (h) => h.textContent), /action: book_museum/);

  // Measured after a frame, once any redraw the clicks above scheduled has run.
  const width = async () => {
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve())));
    return page.$eval('.bar.llm', (b) => b.getBoundingClientRect().width);
  };
  const before = await width();
  await page.click('#zoom-in');
  const after = await width();
  assert.ok(Math.abs(after / before - 2) < 0.05, `zoom ×2 doubles the bars: ${before} → ${after}`);
  await page.click('#zoom-reset');
  if (process.env.AGENTOPS_UPDATE_GENERATED) {
    await (await page.$$('.bar'))[2].click();
    await page.screenshot({ path: path.join(ROOT, 'replay.png') });
  }
  assert.deepEqual(problems, []);
});

test('100,000 events: only the rows in view are in the page, and scrolling reaches the end', async () => {
  const start = Date.parse('2026-03-14T09:00:00Z');
  const lines = [JSON.stringify({ type: 'session_start', session: { session_id: 'big', init_timestamp: new Date(start).toISOString() } })];
  for (let i = 0; i < 100000; i++) {
    const t = new Date(start + i * 10).toISOString();
    lines.push(JSON.stringify({ type: 'event', event: { id: `e${i}`, event_type: 'actions', action_type: `step ${i}`, init_timestamp: t, end_timestamp: t } }));
  }
  const session = path.join(work, 'big.jsonl');
  fs.writeFileSync(session, lines.join('\n') + '\n');
  const { page, problems } = await open(replayHtml(session, 'big.html'));
  assert.ok((await page.$$eval('.row', (rows) => rows.length)) < 200, 'rows are virtual');
  await page.$eval('#waterfall', (w) => {
    w.scrollTop = w.scrollHeight;
  });
  await page.waitForFunction(() => [...document.querySelectorAll('.bar')].some((b) => b.title.startsWith('step 99999')));
  assert.deepEqual(problems, []);
});
