// The timeline renderer's entry point (bundled to dist/timeline.js): inside VS Code's webview it
// runs the editor (editor.ts); in a report written by `migtrace report` it reads the data embedded
// in the page (report.ts). The same code draws both.

import { startEditor } from './editor';
import { startReport } from './report';

const root = document.getElementById('migtrace-app') ?? document.body;
if (typeof (window as unknown as { acquireVsCodeApi?: unknown }).acquireVsCodeApi === 'function') startEditor(root);
else startReport(root).catch((e: unknown) => {
  const p = document.createElement('p');
  p.className = 'mt-error';
  p.textContent = `migtrace report: ${e instanceof Error ? e.message : String(e)}`;
  root.append(p);
});
