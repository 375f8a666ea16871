// The timeline webview's page: a strict Content-Security-Policy (nothing but our own script and
// stylesheet, by nonce and the webview's resource origin; no inline script, no remote content, no
// eval), the renderer bundle (dist/timeline.js) and its stylesheet. No trace data goes into the
// markup: it arrives by message (protocol.ts). Pure, so tests load the very page VS Code would.

export interface WebviewPage {
  /** the webview's resource origin (Webview.cspSource) */
  cspSource: string;
  nonce: string;
  scriptUri: string;
  styleUri: string;
}

const attr = (s: string): string => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${cspSource} data:`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function webviewHtml(p: WebviewPage): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(p.nonce)) throw new Error('webviewHtml: the nonce must be at least 16 base64 characters');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${attr(contentSecurityPolicy(p.cspSource, p.nonce))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" nonce="${attr(p.nonce)}" href="${attr(p.styleUri)}">
<title>migtrace timeline</title>
</head>
<body>
<div id="migtrace-app"></div>
<script nonce="${attr(p.nonce)}" src="${attr(p.scriptUri)}"></script>
</body>
</html>
`;
}
