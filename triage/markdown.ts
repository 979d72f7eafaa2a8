// The one Markdown parser of runbooks (markdown-it): raw HTML in a runbook is shown as text,
// never passed through, and link targets such as javascript: are refused by the library.
import MarkdownIt from 'markdown-it'

export const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false })
