// Playwright (playwright-core, Debian's /usr/bin/chromium) driving code-server's workbench as a
// user does: keyboard shortcuts, the command palette, the Run and Debug view, the debug toolbar.
// Every step can save a screenshot into .tmp/artifacts/e2e/ (gitignored), numbered in order.
// The selectors are the workbench's own (research: section 0 of vscode-debug-extension-patterns).

import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { BrowserContext, BrowserType, Locator, Page } from 'playwright-core';
import { ROOT } from './codeServer';

// Loaded from node_modules at run time (playwright-core reads files of its own package).
const { chromium } = createRequire(join(ROOT, 'package.json'))('playwright-core') as { chromium: BrowserType };

export const CHROMIUM = process.env.MIGTRACE_CHROMIUM ?? '/usr/bin/chromium';
export const ARTIFACTS = join(ROOT, '.tmp', 'artifacts', 'e2e');

export interface Shot {
  name: string;
  path: string;
}

export class Workbench {
  private n = 0;
  readonly shots: Shot[] = [];
  /** errors the workbench page itself threw (not the extension host's) */
  readonly pageErrors: string[] = [];
  /** the workbench's console errors (the window's log of what failed inside VS Code), newest last */
  readonly consoleErrors: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly artifacts: string,
  ) {}

  static async open(url: string, workspace: string, scratch: string, artifacts = ARTIFACTS): Promise<Workbench> {
    mkdirSync(artifacts, { recursive: true });
    const profile = join(scratch, 'chromium-profile');
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      env: { ...process.env, HOME: join(scratch, 'home'), TMPDIR: join(scratch, 'tmp') },
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const wb = new Workbench(context, page, artifacts);
    page.on('pageerror', (e) => wb.pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') wb.consoleErrors.push(m.text());
    });
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
    await page.waitForSelector('div.monaco-workbench', { timeout: 120_000 });
    // VS Code registers the provider of `debug:` documents (the listings a DAP `source` request
    // serves) among its last workbench contributions, LifecyclePhase.Eventually, created when the
    // window is idle up to 3 s after it was restored. A session that stops before that cannot open
    // its top frame: "Unable to resolve resource debug:…", and the adapter is never asked. The
    // workbench marks that phase's contributions done; a user's F5 comes after it, and so does ours.
    const t0 = Date.now();
    await page.waitForFunction(() => (globalThis as any).performance.getEntriesByName('code/didCreateWorkbenchContributions/4').length > 0, null, { timeout: 120_000 });
    console.error(`e2e: the workbench's last contributions came ${Date.now() - t0} ms after it showed`);
    return wb;
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /** Saves test-results/e2e/NN-name.png of the whole window. */
  async shot(name: string): Promise<string> {
    this.n++;
    const path = join(this.artifacts, `${String(this.n).padStart(2, '0')}-${name}.png`);
    await this.page.screenshot({ path });
    this.shots.push({ name, path });
    return path;
  }

  /** Does the active editor group show VS Code's "could not be opened due to an unexpected
   *  error" placeholder? */
  async editorFailed(): Promise<boolean> {
    return this.page.locator('.editor-group-container.active', { hasText: 'could not be opened due to an unexpected error' }).isVisible().catch(() => false);
  }

  /** Throws, with a screenshot and the workbench's console errors since `since` (what VS Code
   *  logged as the cause), for an editor that failed to open. */
  async editorFailure(since: number): Promise<never> {
    const shot = await this.shot('editor-could-not-be-opened');
    throw new Error(`VS Code could not open the editor (screenshot ${shot}); its console said:\n${this.consoleErrors.slice(since).join('\n') || '(nothing)'}`);
  }

  async pause(ms: number): Promise<void> {
    await this.page.waitForTimeout(ms);
  }

  /** Polls `f` until it returns a value (not undefined/false) or `timeout_ms` passes. */
  async until<T>(what: string, f: () => Promise<T | undefined | false>, timeout_ms = 30_000): Promise<T> {
    const end = Date.now() + timeout_ms;
    let last: unknown;
    for (;;) {
      try {
        const v = await f();
        if (v !== undefined && v !== false) return v;
      } catch (e) {
        last = e;
      }
      if (Date.now() > end) throw new Error(`timed out after ${timeout_ms} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
      await this.page.waitForTimeout(250);
    }
  }

  /** The command palette: F1, the command's title, Enter (the first row that has this label). */
  async command(title: string, opts: { run?: boolean } = {}): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    // F1 goes to whatever has the focus: a webview that is reloading may swallow it, or take the
    // focus back and close the palette before it is typed into (seen after a session ended while
    // the timeline followed it); then the focus is taken back to the workbench's window and F1 is
    // pressed again.
    for (let i = 0; ; i++) {
      await this.page.keyboard.press('F1');
      const shown = await input.waitFor({ state: 'visible', timeout: 4_000 }).then(() => true, () => false);
      const typed = shown && (await input.fill(`>${title}`, { timeout: 5_000 }).then(() => true, () => false));
      if (typed) break;
      if (i === 2) throw new Error(`F1 did not open the command palette, or it closed before "${title}" was typed`);
      await this.page.evaluate(() => (globalThis as any).document.activeElement?.blur?.()).catch(() => undefined);
    }
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    if (opts.run === false) return;
    await row.click();
  }

  /** The visible quick input (a quick pick or an input box), once it shows `hasText`. */
  quickInput(): Locator {
    return this.page.locator('.quick-input-widget');
  }

  async quickPick(label: string): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: label }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  /** Types into the open quick input box and accepts it. */
  async quickInputValue(value: string): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(value);
    await input.press('Enter');
  }

  /** Quick Open (Ctrl+P): a workspace file by name, opened with its default editor. */
  async openFile(name: string): Promise<void> {
    await this.page.keyboard.press('Control+P');
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(name);
    await this.quickPick(name);
    await this.until(`${name} to open`, async () => (await this.activeTab()) === name);
  }

  /** Hides the panel (Ctrl+J) and the primary side bar (Ctrl+B) when they show. */
  async hidePanelAndSideBar(): Promise<void> {
    for (const [part, key] of [['.part.panel', 'Control+J'], ['.part.sidebar', 'Control+B']] as const) {
      const el = this.page.locator(part).first();
      if (!(await el.isVisible())) continue;
      await this.page.keyboard.press(key);
      await el.waitFor({ state: 'hidden', timeout: 10_000 });
    }
  }

  async escape(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }

  // --- debugging -------------------------------------------------------------------------------

  /** The debug toolbar, docked in the Run and Debug view's title (settings: debug.toolBarLocation):
   *  floating, it covers the editor tabs, and the listing's name with them. */
  toolbar(): Locator {
    return this.page.locator('.part.sidebar .title-actions');
  }

  /** A debug toolbar button by its codicon (`debug-step-back`) or its title (`Next Stage`). */
  toolbarButton(iconOrTitle: string): Locator {
    if (/^debug-|^arrow-|^sync$/.test(iconOrTitle)) return this.page.locator(`.part.sidebar .title-actions .action-label.codicon-${iconOrTitle}`).first();
    return this.page.locator(`.part.sidebar .title-actions .action-label[aria-label^="${iconOrTitle}"]`).first();
  }

  /** Shows the Run and Debug view (its title holds the debug toolbar). */
  async showRunView(): Promise<void> {
    if (await this.page.locator('.pane-header[aria-label^="Call Stack"], .pane-header[aria-label^="Breakpoints"]').first().isVisible()) return;
    await this.page.keyboard.press('Control+Shift+D');
    await this.paneHeader('Breakpoints').waitFor({ state: 'visible', timeout: 20_000 });
  }

  /** Clicks a debug toolbar button, with the Run and Debug view shown first. */
  async debugAction(iconOrTitle: string): Promise<void> {
    await this.showRunView();
    await this.toolbarButton(iconOrTitle).click();
  }

  /** Is a debug session running or stopped (its Stop button shows)? */
  async debugging(): Promise<boolean> {
    return this.toolbarButton('debug-stop').isVisible();
  }

  /** Ends every debug session (Stop until none is left). */
  async stopAllSessions(): Promise<void> {
    await this.showRunView();
    for (let i = 0; i < 5 && (await this.debugging()); i++) {
      await this.toolbarButton('debug-stop').click();
      await this.until('the session to end', async () => !(await this.debugging()), 30_000).catch(() => undefined);
    }
  }

  /** Presses F5 until a session starts. For a few seconds after the workbench shows, F5 does
   *  nothing and says nothing (research, section 0): open Run and Debug first, press, wait, and
   *  press again only if nothing started (a second press while one starts asks "already running"). */
  async pressF5(): Promise<void> {
    await this.page.keyboard.press('Control+Shift+D');
    await this.page.locator('.debug-view-content, .pane-header[aria-label^="Run"]').first().waitFor({ state: 'visible', timeout: 20_000 }).catch(() => undefined);
    for (let attempt = 0; attempt < 8; attempt++) {
      await this.page.keyboard.press('F5');
      const end = Date.now() + 8_000;
      while (Date.now() < end) {
        if (await this.debugging()) {
          if (attempt > 0) console.error(`e2e: F5 started a session on press ${attempt + 1}`);
          return;
        }
        const again = this.page.locator('.monaco-dialog-box', { hasText: 'already running' });
        if (await again.isVisible()) {
          await again.locator('.monaco-button', { hasText: 'Cancel' }).click();
          return;
        }
        await this.page.waitForTimeout(250);
      }
    }
    throw new Error('F5 started no debug session (8 tries)');
  }

  /** Waits until the session is stopped (Continue shows on the toolbar). */
  async stopped(timeout_ms = 60_000): Promise<void> {
    await this.showRunView();
    await this.toolbarButton('debug-continue').waitFor({ state: 'visible', timeout: timeout_ms });
  }

  /** Waits until no debug session is left. */
  async sessionEnded(timeout_ms = 60_000): Promise<void> {
    await this.showRunView();
    await this.until('the debug session to end', async () => !(await this.debugging()), timeout_ms);
  }

  callStackRows(): Locator {
    return this.page.locator('.debug-call-stack .monaco-list-row');
  }

  async callStackText(): Promise<string[]> {
    return (await this.callStackRows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** The Call Stack's rows with their accessible labels ("Thread main (runnable) Paused",
   *  "Stack Frame multifd_send_sync_main, line 4, multifd_send_sync_main.c"). */
  async callStackRowsLabelled(): Promise<{ label: string; text: string }[]> {
    return this.callStackRows().evaluateAll((rows) => rows.map((r) => ({ label: r.getAttribute('aria-label') ?? '', text: (r as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ').trim() })));
  }

  /** The thread that stopped (its badge says why, the others say only "Paused") and its frames,
   *  each as "name:line" from the row's accessible label. */
  async stoppedThread(): Promise<{ row: string; frames: string[] } | null> {
    const rows = await this.callStackRowsLabelled();
    const i = rows.findIndex((r) => /^Thread /.test(r.label) && !/ Paused$/.test(r.label) && !/ Running$/i.test(r.label));
    if (i < 0) return null;
    const frames: string[] = [];
    for (let j = i + 1; j < rows.length && !/^Thread /.test(rows[j].label); j++) {
      const m = /^Stack Frame (\S+), line (\d+)/.exec(rows[j].label);
      if (m) frames.push(`${m[1]}:${m[2]}`);
    }
    return { row: rows[i].text, frames };
  }

  frameRows(): Locator {
    return this.page.locator('.debug-call-stack .monaco-list-row[aria-label*="Stack Frame"]');
  }

  variableRows(): Locator {
    return this.page.locator('.debug-variables .monaco-list-row');
  }

  async variablesText(): Promise<string[]> {
    return (await this.variableRows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
  }

  /** The statement the top frame is at, in the open listing. */
  currentLine(): Locator {
    return this.page.locator('.monaco-editor .debug-top-stack-frame-line, .monaco-editor .debug-focused-stack-frame-line').first();
  }

  /** The line the cursor (the current frame's line) is on, from the status bar "Ln 4, Col 1". */
  async cursorLine(): Promise<number> {
    const t = await this.page.locator('#status\\.editor\\.selection').innerText();
    const m = /Ln (\d+)/.exec(t);
    return m ? Number(m[1]) : -1;
  }

  /** The active editor tab's title. */
  async activeTab(): Promise<string> {
    return (await this.page.locator('.editor-group-container.active .tabs-container .tab.active').first().innerText()).replace(/\s+/g, '');
  }

  /** Clicks a section header of the Run and Debug view (Variables, Watch, Call Stack, Breakpoints). */
  paneHeader(name: string): Locator {
    return this.page.locator(`.pane-header[aria-label^="${name}"]`).first();
  }

  async setPaneExpanded(name: string, expanded: boolean): Promise<void> {
    const h = this.paneHeader(name);
    await h.waitFor({ state: 'visible', timeout: 10_000 });
    if (((await h.getAttribute('aria-expanded')) === 'true') !== expanded) await h.click();
  }

  /** Drags the sash right of the side bar so that it is `width` px wide. */
  async sideBarWidth(width: number): Promise<void> {
    const bar = await this.page.locator('.part.sidebar').first().boundingBox();
    if (bar === null) return;
    const edge = bar.x + bar.width;
    const sashes = this.page.locator('.monaco-sash.vertical');
    for (let i = 0; i < (await sashes.count()); i++) {
      const b = await sashes.nth(i).boundingBox();
      if (b === null || Math.abs(b.x + b.width / 2 - edge) > 6 || b.height < bar.height / 2) continue;
      const x = b.x + b.width / 2;
      const y = b.y + b.height / 2;
      await this.page.mouse.move(x, y);
      await this.page.waitForTimeout(300);
      await this.page.mouse.down();
      await this.page.mouse.move(x + (width - bar.width) / 2, y, { steps: 5 });
      await this.page.mouse.move(bar.x + width, y, { steps: 5 });
      await this.page.mouse.up();
      return;
    }
  }

  /** The debug console's text (the adapter's output events). */
  async debugConsoleText(): Promise<string> {
    return (await this.page.locator('.repl .monaco-list-rows').first().innerText().catch(() => '')).trim();
  }

  /** Notifications' texts, newest last. */
  async notifications(): Promise<string[]> {
    return (await this.page.locator('.notification-toast .notification-list-item-message').allInnerTexts()).map((t) => t.trim());
  }
}
