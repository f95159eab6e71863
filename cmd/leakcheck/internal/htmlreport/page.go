package htmlreport

import "html/template"

// pageTemplate is the page. html/template escapes every text it is
// given; the charts are built by chart, which escapes its own.
var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #222; margin: 0 auto; padding: 16px 24px 48px; max-width: 1220px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 28px 0 8px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
.generated { color: #666; margin: 0 0 10px; }
.summary { margin: 8px 0; padding: 10px 14px; background: #f6f6f6; border-radius: 4px; list-style: none; }
.summary li { margin: 2px 0; }
.counts span { display: inline-block; margin-right: 14px; font-weight: 600; }
.badge { display: inline-block; padding: 0 7px; border-radius: 3px; color: #fff; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; vertical-align: 1px; }
.badge.leak, .swatch.leak { background: #c62828; }
.badge.suspect, .swatch.suspect { background: #e65100; }
.badge.ok, .swatch.ok { background: #2e7d32; }
.counts .leak { color: #c62828; } .counts .suspect { color: #e65100; } .counts .ok { color: #2e7d32; }
.legend { display: flex; flex-wrap: wrap; gap: 18px; color: #444; font-size: 13px; margin: 6px 0 10px; }
.legend svg { vertical-align: middle; margin-right: 4px; }
figure { margin: 0 0 14px; padding: 6px 8px 2px; border: 1px solid #e0e0e0; border-left: 5px solid #2e7d32; border-radius: 3px; background: #fff; }
figure.leak { border-left-color: #c62828; } figure.suspect { border-left-color: #e65100; } figure.plain { border-left-color: #3465a4; }
figcaption { font-size: 14px; margin-bottom: 2px; overflow-wrap: anywhere; }
figcaption .name { font-weight: 600; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
figcaption .note { color: #555; }
svg.chart { display: block; width: 100%; height: auto; }
svg.chart text { font-size: 11px; fill: #555; font-family: system-ui, "DejaVu Sans", sans-serif; }
svg.chart text.marklabel { font-size: 11px; font-weight: 600; }
.small { display: grid; grid-template-columns: repeat(auto-fill, minmax(360px, 1fr)); gap: 10px; }
.small figure { margin: 0; }
.small figcaption { font-size: 12px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid #e6e6e6; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.name { font-family: ui-monospace, "DejaVu Sans Mono", monospace; overflow-wrap: anywhere; }
details pre { margin: 6px 0 2px; padding: 8px; background: #f7f7f7; border-radius: 3px; overflow-x: auto; font-size: 12px; }
summary { cursor: pointer; color: #3465a4; }
.links a { margin-right: 14px; }
.muted { color: #777; }
</style>
</head>
<body>
<header>
<h1>{{.Title}}</h1>
{{with .Generated}}<p class="generated">Generated {{.}}</p>{{end}}
<p class="counts">{{if .Leaks}}<span class="leak">{{.Leaks}} leak{{if ne .Leaks 1}}s{{end}}</span>{{end}}{{if .Suspects}}<span class="suspect">{{.Suspects}} suspect{{if ne .Suspects 1}}s{{end}}</span>{{end}}<span class="ok">{{.OK}} ok</span></p>
{{with .Summary}}<ul class="summary">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .PageLinks}}<p class="links">{{range .}}{{template "link" .}}{{end}}</p>{{end}}
</header>
{{if or .OverviewCharts .Big .Small}}
<div class="legend">
<span><svg width="28" height="10"><line x1="0" y1="5" x2="28" y2="5" stroke="#3465a4" stroke-width="2"/></svg>goroutines</span>
<span><svg width="28" height="10"><line x1="0" y1="5" x2="28" y2="5" stroke="#c62828" stroke-width="2.5" stroke-dasharray="8 4"/></svg>trend (colour of the verdict)</span>
<span><svg width="12" height="14"><line x1="6" y1="0" x2="6" y2="14" stroke="#8e24aa" stroke-width="1.5" stroke-dasharray="4 3"/></svg>restart</span>
<span><svg width="12" height="14"><line x1="6" y1="0" x2="6" y2="14" stroke="#00897b" stroke-width="1.5" stroke-dasharray="4 3"/></svg>deploy</span>
<span><svg width="12" height="14"><line x1="6" y1="0" x2="6" y2="14" stroke="#757575" stroke-width="1.5" stroke-dasharray="4 3"/></svg>other mark</span>
<span class="muted">times in UTC; a break in a line is a gap in the samples</span>
</div>
{{end}}
{{with .OverviewCharts}}
<section id="overview">
{{range .}}{{template "figure" .}}{{end}}
</section>
{{end}}
{{if .Big}}
<section id="flagged">
<h2>Flagged: {{.Flagged}} series, leaks first</h2>
{{range .Big}}{{template "figure" .}}{{end}}
</section>
{{end}}
{{with .KindRows}}
<section id="kinds">
<h2>Kinds of goroutine</h2>
<table>
<thead><tr><th>verdict</th><th>kind</th><th>what is known</th></tr></thead>
<tbody>
{{range .}}<tr class="{{.Class}}"><td><span class="badge {{.Class}}">{{.Verdict}}</span></td><td class="name">{{.Title}}</td><td>{{.Summary}}{{if .Stack}}<details><summary>stack</summary><pre>{{.Stack}}</pre></details>{{end}}{{with .Links}}<div class="links">{{range .}}{{template "link" .}}{{end}}</div>{{end}}</td></tr>
{{end}}</tbody>
</table>
</section>
{{end}}
{{if or .Small .Rows}}
<section id="ok">
<h2>{{if .Big}}Other series{{else}}Series{{end}}: {{.Others}}</h2>
{{with .Small}}<div class="small">{{range .}}{{template "figure" .}}{{end}}</div>{{end}}
{{with .Rows}}
<p class="muted">{{len .}} more, as rows:</p>
<table>
<thead><tr><th>verdict</th><th>series</th><th>last</th><th>min</th><th>max</th><th>samples</th><th>note</th></tr></thead>
<tbody>
{{range .}}<tr><td><span class="badge {{.Class}}">{{.Verdict}}</span></td><td class="name">{{.Name}}</td><td class="num">{{.Last}}</td><td class="num">{{.Min}}</td><td class="num">{{.Max}}</td><td class="num">{{.Points}}</td><td>{{.Note}}</td></tr>
{{end}}</tbody>
</table>
{{end}}
</section>
{{end}}
{{define "figure"}}<figure class="{{.Class}}" id="{{.ID}}"><figcaption>{{with .Verdict}}<span class="badge {{$.Class}}">{{.}}</span> {{end}}<span class="name" title="{{.Name}}">{{.Name}}</span>{{with .Note}} <span class="note">{{.}}</span>{{end}}</figcaption>{{.SVG}}</figure>
{{end}}
{{define "link"}}{{if .HREF}}<a href="{{.HREF}}">{{.Text}}</a>{{else}}<span title="not a web link">{{.Text}}{{if ne .Text .URL}} ({{.URL}}){{end}}</span>{{end}} {{end}}
</body>
</html>
`))
