//! The printable label sheet of a completed job: one self-contained HTML page
//! (no scripts or files it needs besides itself) with one label per copy:
//! product, quantity, license, the tag as text and as a Code 128 barcode.
//! Sized for A4 and US Letter alike; `@media print` drops the toolbar.

use budtags_wire::Label;

use super::barcode;

/// The sheet's own Content-Security-Policy, instead of the app's: its styles
/// are inline (also in sheets stored by earlier versions, so no hash) and its
/// Print button's `onclick="window.print()"` is allowed by its hash; nothing
/// else runs or loads (the barcodes are inline SVG).
pub const POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; \
     script-src 'unsafe-hashes' 'sha256-MguIPR6qNR8D3B+eAlK+bIRTZe8t3wkOY4B/56Me9FU='; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Escapes text for HTML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One label's markup, repeated per copy by [`render`].
pub fn label_html(label: &Label) -> String {
    let barcode = barcode::svg(&label.package_label).unwrap_or_default();
    let quantity = format_quantity(label.quantity);
    format!(
        r#"<article class="label"><h2>{product}</h2><p class="meta"><span>{quantity} {unit}</span><span>{license}</span></p>{barcode}<p class="tag">{tag}</p></article>"#,
        product = escape(&label.product_name),
        unit = escape(&label.unit_of_measure_abbreviation),
        license = escape(&label.license_number),
        tag = escape(&label.package_label),
    )
}

fn format_quantity(quantity: f64) -> String {
    if quantity.fract() == 0.0 { format!("{quantity:.0}") } else { format!("{quantity:.2}") }
}

const STYLE: &str = "
*{box-sizing:border-box}
body{margin:0;font:14px/1.3 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111;background:#f3f4f6}
header{display:flex;gap:1rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#14532d;color:#fff}
header h1{font-size:1.1rem;margin:0}
header button{font:inherit;padding:.5rem 1rem;border:0;border-radius:.375rem;background:#fff;color:#14532d;font-weight:600;cursor:pointer}
main{display:grid;grid-template-columns:repeat(auto-fill,minmax(88mm,1fr));gap:4mm;padding:8mm;max-width:210mm;margin:0 auto}
.label{background:#fff;border:1px dashed #9ca3af;padding:4mm;break-inside:avoid;page-break-inside:avoid}
.label h2{font-size:12pt;margin:0 0 1mm}
.meta{display:flex;justify-content:space-between;margin:0 0 2mm;font-size:10pt}
.barcode{display:block;width:100%;height:18mm}
.tag{font:11pt/1 ui-monospace,'Courier New',monospace;letter-spacing:.05em;text-align:center;margin:1.5mm 0 0}
@page{size:auto;margin:10mm}
@media print{header{display:none}body{background:#fff}main{padding:0;max-width:none;grid-template-columns:repeat(2,1fr)}}
";

/// The whole sheet: a page titled after the job, one label per copy.
pub fn render(job_id: &str, labels: &[Label]) -> String {
    let copies: usize = labels.iter().map(|l| l.copies as usize).sum();
    let mut body = String::new();
    for label in labels {
        let one = label_html(label);
        for _ in 0..label.copies {
            body.push_str(&one);
        }
    }
    let job = escape(job_id);
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Label sheet {job}</title><style>{STYLE}</style></head><body><header><h1>Label sheet {job} · {copies} labels</h1><button type="button" onclick="window.print()">Print</button></header><main>{body}</main></body></html>"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use budtags_wire::LabelStatus;

    #[test]
    fn the_policy_allows_the_print_button_and_nothing_else_that_runs() {
        let html = render("job-1", &[]);
        let handler = html.split("onclick=\"").nth(1).and_then(|rest| rest.split('"').next()).unwrap();
        assert!(POLICY.contains(&crate::security_headers::csp_hash(handler)), "{POLICY}");
        assert!(crate::security_headers::inline_scripts(&html).is_empty());
    }

    fn label(copies: u32) -> Label {
        Label {
            id: 1,
            organization_id: 1,
            license_number: "C11-0000090-LIC".into(),
            package_id: 1,
            package_label: "1A4F0F010000000000000001".into(),
            product_name: "Gummies <100mg> & more".into(),
            quantity: 12.0,
            unit_of_measure_abbreviation: "ea".into(),
            copies,
            requested_by: "Omar".into(),
            requested_at: "2026-11-26T10:00:00+00:00".into(),
            status: LabelStatus::Approved,
            decided_by: None,
            decided_at: None,
            reason: None,
            revision: 2,
        }
    }

    #[test]
    fn one_label_per_copy_each_with_its_barcode() {
        let html = render("job-1", &[label(3), label(1)]);
        assert_eq!(html.matches(r#"<article class="label">"#).count(), 4);
        assert_eq!(html.matches("<svg class=\"barcode\"").count(), 4);
        assert!(html.contains("4 labels"));
        assert!(html.contains("@media print"));
    }

    #[test]
    fn product_names_are_escaped() {
        let html = label_html(&label(1));
        assert!(html.contains("Gummies &lt;100mg&gt; &amp; more"), "{html}");
        assert!(html.contains("12 ea"));
    }
}
