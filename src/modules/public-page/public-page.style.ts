import { createHash } from 'node:crypto';

/**
 * The pages' only style sheet, inline (no extra request). Colours keep a contrast of at least
 * 4.5:1 on their background (WCAG 2.2, 1.4.3); focus is always visible (2.4.7); changes are
 * marked in words as well as in colour (1.4.1).
 */
export const pageStyle = `
:root{color-scheme:light;font:1rem/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif;color:#1b1b1b;background:#fff}
body{margin:0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.skip{position:absolute;left:-999px;top:0;padding:.5rem 1rem;background:#fff;color:#0b4fb3}
.skip:focus{left:1rem}
header,main,footer{max-width:48rem;margin:0 auto;padding:1rem}
header{border-bottom:1px solid #767676}
footer{border-top:1px solid #767676;color:#4a4a4a;font-size:.9rem}
a{color:#0b4fb3}
a:focus-visible,button:focus-visible,select:focus-visible,summary:focus-visible{outline:3px solid #0b4fb3;outline-offset:2px}
nav [aria-current]{font-weight:700;text-decoration:none}
nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:.75rem}
.controller{margin:0;font-weight:600}
.meta{color:#4a4a4a}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dt{font-weight:600}
dd{margin:0;overflow-wrap:anywhere}
code{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem;overflow-wrap:anywhere}
table{border-collapse:collapse;width:100%}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #767676;padding:.35rem .5rem;text-align:left;vertical-align:top}
thead th{background:#f0f0f0}
.upcoming{border:2px solid #0b4fb3;padding:0 1rem;border-radius:.25rem}
form{display:flex;flex-wrap:wrap;gap:1rem;align-items:end}
label{display:flex;flex-direction:column;font-weight:600}
select,button{font:inherit;padding:.25rem .5rem}
button{background:#0b4fb3;color:#fff;border:1px solid #0b4fb3;border-radius:.25rem}
.lines{list-style:none;padding:0}
.lines li{padding:.2rem .5rem;margin:.15rem 0;white-space:pre-wrap;overflow-wrap:anywhere}
.removed{background:#ffe1e1}
.added{background:#dcf3df}
del,ins{text-decoration:none}
.mark{font-weight:600;font-size:.85rem;margin-right:.5rem}
`.trim();

/** The Content-Security-Policy source of the inline style: its SHA-256. */
export const pageStyleSource = `'sha256-${createHash('sha256').update(pageStyle).digest('base64')}'`;
