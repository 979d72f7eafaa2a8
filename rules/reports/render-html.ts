// The reports as one self-contained HTML page: the Markdown rendering put through markdown-it
// with raw HTML off (what a label or a diagnostic cell holds is shown as text: the Markdown
// escapes it, and markdown-it escapes again whatever reaches HTML), with inline styles only.
import MarkdownIt from 'markdown-it'

const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false })

const STYLE = `body{font:14px/1.5 system-ui,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1f2328}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}blockquote{margin:0;padding:.25rem 1rem;border-left:4px solid #d0d7de;color:#57606a}h1{font-size:1.6rem}`

export function reportHtml(title: string, markdownText: string): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${markdown.utils.escapeHtml(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    markdown.render(markdownText),
    '</body>',
    '</html>',
    '',
  ].join('\n')
}
