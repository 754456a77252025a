/**
 * A grouped bar chart as a standalone SVG string (no dependencies). `groups`: [{ label, values: number[] }], one value
 * per series; `target`: an optional horizontal reference line. Values are drawn from 0 (or `min`) to the max.
 */
export function barChart({ title, unit = '', series, groups, target, min = 0, width = 760, height = 340 }) {
  const colors = ['#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948']
  const margin = { top: 48, right: 16, bottom: 64, left: 64 }
  const plotW = width - margin.left - margin.right
  const plotH = height - margin.top - margin.bottom
  const all = groups.flatMap((g) => g.values).filter(Number.isFinite)
  const max = niceCeil(Math.max(...all, target?.value ?? 0, min + 1e-9) * 1.08)
  const y = (v) => margin.top + plotH - ((Math.max(v, min) - min) / (max - min)) * plotH
  const groupW = plotW / groups.length
  const barW = Math.min(36, (groupW * 0.8) / series.length)
  const out = []
  const text = (x, yy, s, attrs = '') =>
    out.push(`<text x="${x.toFixed(1)}" y="${yy.toFixed(1)}" ${attrs}>${escapeXml(String(s))}</text>`)
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`)
  text(width / 2, 24, title, 'text-anchor="middle" font-size="15" font-weight="bold"')
  for (let i = 0; i <= 4; i++) {
    const v = min + ((max - min) * i) / 4
    out.push(
      `<line x1="${margin.left}" x2="${width - margin.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#e5e5e5"/>`,
    )
    text(margin.left - 6, y(v) + 4, `${trimNumber(v)}${unit}`, 'text-anchor="end" font-size="11" fill="#555"')
  }
  groups.forEach((g, gi) => {
    const x0 = margin.left + gi * groupW + (groupW - barW * series.length) / 2
    g.values.forEach((v, si) => {
      if (!Number.isFinite(v)) return
      const x = x0 + si * barW
      const h = y(min) - y(v)
      out.push(
        `<rect x="${x.toFixed(1)}" y="${y(v).toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${Math.max(0, h).toFixed(1)}" fill="${colors[si % colors.length]}"><title>${escapeXml(`${g.label} · ${series[si]}: ${trimNumber(v)}${unit}`)}</title></rect>`,
      )
      text(x + (barW - 2) / 2, y(v) - 3, trimNumber(v), 'text-anchor="middle" font-size="9" fill="#333"')
    })
    text(
      margin.left + gi * groupW + groupW / 2,
      height - margin.bottom + 16,
      g.label,
      'text-anchor="middle" font-size="12"',
    )
  })
  // Legend row: one swatch per series, flowing left to right (~6.5 px per character).
  let lx = margin.left
  const yy = height - 18
  series.forEach((name, si) => {
    out.push(`<rect x="${lx}" y="${yy - 10}" width="12" height="12" fill="${colors[si % colors.length]}"/>`)
    text(lx + 18, yy, name, 'font-size="12"')
    lx += 18 + name.length * 6.5 + 24
  })
  if (target) {
    const ty = y(target.value).toFixed(1)
    const dash = 'stroke="#d62728" stroke-dasharray="6 4"'
    out.push(`<line x1="${margin.left}" x2="${width - margin.right}" y1="${ty}" y2="${ty}" ${dash}/>`)
    // Its key sits top right, under the title, where neither bars nor the series legend can crowd it.
    const kx = width - margin.right - target.label.length * 6.5 - 30
    out.push(`<line x1="${kx}" x2="${kx + 24}" y1="36" y2="36" ${dash}/>`)
    text(kx + 30, 40, target.label, 'font-size="12" fill="#d62728"')
  }
  const head = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" role="img">`
  return `${head}\n<title>${escapeXml(title)}</title>\n${out.join('\n')}\n</svg>\n`
}

function niceCeil(v) {
  if (!(v > 0)) return 1
  const p = 10 ** Math.floor(Math.log10(v))
  for (const m of [1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (m * p >= v) return m * p
  return 10 * p
}

function trimNumber(v) {
  if (Math.abs(v) >= 100) return Math.round(v).toString()
  if (Math.abs(v) >= 10) return v.toFixed(1).replace(/\.0$/, '')
  return v.toFixed(2).replace(/0$/, '').replace(/\.0$/, '')
}

function escapeXml(s) {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;')
}
