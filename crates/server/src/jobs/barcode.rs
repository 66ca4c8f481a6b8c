//! A package tag as a Code 128 barcode in inline SVG. [`code_sets`] picks the
//! character sets: set B for letters, and set C (two digits per symbol) for
//! a trailing run of at least four digits, which Metrc tags end with, so the
//! symbol is about a third shorter and its bars wider on the same label.
//! `barcoders` encodes the symbol (modulo-103 check symbol, stop pattern);
//! this module draws its bars as SVG rectangles, one unit per module, with
//! the quiet zones the standard asks for.

use barcoders::sym::code128::Code128;

/// Blank modules each side of the symbol (the standard asks for at least 10).
pub const QUIET_ZONE: usize = 10;
/// Bar height in modules.
pub const HEIGHT: usize = 60;

/// Set B for the text, switching to set C for a trailing run of four or more
/// digits (an even number of them: an odd one's first digit stays in set B);
/// all set C when the text is an even number of digits. In `barcoders`'
/// notation: `Ɓ` selects set B, `Ć` set C.
pub fn code_sets(text: &str) -> String {
    let digits = text.bytes().rev().take_while(u8::is_ascii_digit).count();
    let run = digits - digits % 2;
    if run < 4 {
        return format!("\u{0181}{text}");
    }
    let (head, tail) = text.split_at(text.len() - run);
    if head.is_empty() { format!("\u{0106}{tail}") } else { format!("\u{0181}{head}\u{0106}{tail}") }
}

/// The symbol's modules: 1 for a bar, 0 for a space, without quiet zones.
/// `None` for text Code 128 set B cannot carry (tags are `0-9A-Z`, so never for a tag).
pub fn modules(text: &str) -> Option<Vec<u8>> {
    if text.is_empty() || !text.chars().all(|c| (' '..='~').contains(&c)) {
        return None;
    }
    Code128::new(code_sets(text)).ok().map(|symbol| symbol.encode())
}

/// An inline `<svg>` of `text` as Code 128, scalable (`viewBox` in modules),
/// with `aria-label` for screen readers. `None` as for [`modules`].
pub fn svg(text: &str) -> Option<String> {
    let bars = modules(text)?;
    let width = bars.len() + 2 * QUIET_ZONE;
    let mut out = format!(
        r##"<svg class="barcode" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {HEIGHT}" preserveAspectRatio="none" shape-rendering="crispEdges" role="img" aria-label="Code 128 barcode {text}"><rect width="{width}" height="{HEIGHT}" fill="#fff"/>"##
    );
    let mut x = 0;
    while x < bars.len() {
        if bars[x] == 1 {
            let start = x;
            while x < bars.len() && bars[x] == 1 {
                x += 1;
            }
            out.push_str(&format!(
                r#"<rect x="{}" width="{}" height="{HEIGHT}"/>"#,
                start + QUIET_ZONE,
                x - start
            ));
        } else {
            x += 1;
        }
    }
    out.push_str("</svg>");
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Code 128 symbol values → bar/space widths, from the standard (ISO/IEC
    /// 15417 table 1), for the values a tag can use: digits (16–25),
    /// uppercase letters (33–58), and 0–15 and 26–32 for the check symbol.
    const WIDTHS: [&str; 59] = [
        "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212", "221213",
        "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221", "223211", "221132",
        "221231", "213212", "223112", "312131", "311222", "321122", "321221", "312212", "322112", "322211",
        "212123", "212321", "232121", "111323", "131123", "131321", "112313", "132113", "132311", "211313",
        "231113", "231311", "112133", "112331", "132131", "113123", "113321", "133121", "313121", "211331",
        "231131", "213113", "213311", "213131", "311123", "311321", "331121", "312113", "312311",
    ];
    const START_B: &str = "211214";
    /// Value 99 in sets A and B: switch to set C.
    const CODE_C: &str = "113141";
    const STOP: &str = "2331112";

    /// Bars back from the SVG: the module string between the quiet zones.
    fn modules_in(svg: &str) -> String {
        let width: usize =
            svg.split("viewBox=\"0 0 ").nth(1).unwrap().split(' ').next().unwrap().parse().unwrap();
        let mut modules = vec!['0'; width];
        for rect in svg.split("<rect x=\"").skip(1) {
            let x: usize = rect.split('"').next().unwrap().parse().unwrap();
            let w: usize = rect.split("width=\"").nth(1).unwrap().split('"').next().unwrap().parse().unwrap();
            modules[x..x + w].iter_mut().for_each(|m| *m = '1');
        }
        let all: String = modules.into_iter().collect();
        assert!(all[..QUIET_ZONE].chars().all(|c| c == '0'), "quiet zone before");
        assert!(all[width - QUIET_ZONE..].chars().all(|c| c == '0'), "quiet zone after");
        all[QUIET_ZONE..width - QUIET_ZONE].to_owned()
    }

    /// Widths ("212222") as modules, starting with a bar.
    fn pattern(widths: &str) -> String {
        widths
            .chars()
            .enumerate()
            .map(|(i, w)| (if i % 2 == 0 { "1" } else { "0" }).repeat(w.to_digit(10).unwrap() as usize))
            .collect()
    }

    #[test]
    fn a_tag_draws_start_b_its_letters_set_c_digit_pairs_the_check_symbol_and_stop() {
        let tag = "1A4F0E000000000000000003";
        assert_eq!(code_sets(tag), "\u{0181}1A4F0E\u{0106}000000000000000003");
        let bars = modules_in(&svg(tag).unwrap());
        // Values per the standard: start B (104), "1A4F0E" in set B (ASCII − 32),
        // code C (99), then the eighteen digits as nine pairs.
        let mut values: Vec<usize> = tag[..6].bytes().map(|b| (b - 32) as usize).collect();
        values.push(99);
        values.extend(
            tag.as_bytes()[6..].chunks(2).map(|pair| ((pair[0] - b'0') * 10 + pair[1] - b'0') as usize),
        );
        let check = (104 + values.iter().enumerate().map(|(i, v)| (i + 1) * v).sum::<usize>()) % 103;
        // Start, 16 data symbols and the check symbol are 11 modules each; stop is 13.
        let symbols = values.len() + 2;
        assert_eq!(bars.len(), 11 * symbols + 13, "shorter than set B alone: {}", 11 * 26 + 13);
        let symbol = |i: usize| &bars[i * 11..i * 11 + 11];
        assert_eq!(symbol(0), pattern(START_B));
        for (i, value) in values.iter().enumerate() {
            let widths = if *value == 99 { CODE_C } else { WIDTHS[*value] };
            assert_eq!(symbol(i + 1), pattern(widths), "symbol {} of {tag}", i + 1);
        }
        assert!(check < WIDTHS.len(), "pick a tag whose check value the table here covers: {check}");
        assert_eq!(symbol(symbols - 1), pattern(WIDTHS[check]), "modulo-103 check symbol");
        assert_eq!(&bars[symbols * 11..], pattern(STOP));
    }

    #[test]
    fn set_c_only_pays_for_four_or_more_trailing_digits() {
        assert_eq!(code_sets("ABC123"), "\u{0181}ABC123");
        assert_eq!(code_sets("ABC12345"), "\u{0181}ABC1\u{0106}2345");
        assert_eq!(code_sets("123456"), "\u{0106}123456");
        assert_eq!(code_sets("12345"), "\u{0181}1\u{0106}2345");
        assert_eq!(code_sets("TAG"), "\u{0181}TAG");
    }

    #[test]
    fn every_symbol_has_three_bars_and_an_even_bar_width() {
        let bars = modules("1A4F0F0100000000000000042").unwrap();
        for symbol in bars[..bars.len() - 13].chunks(11) {
            let runs: Vec<usize> =
                symbol.chunk_by(|a, b| a == b).filter(|run| run[0] == 1).map(<[u8]>::len).collect();
            assert_eq!(runs.len(), 3, "{symbol:?}");
            assert_eq!(runs.iter().sum::<usize>() % 2, 0, "{symbol:?}");
        }
    }

    #[test]
    fn text_set_b_cannot_carry_is_refused() {
        assert!(modules("").is_none());
        assert!(modules("tag\u{7}").is_none());
        assert!(svg("ÄÖ").is_none());
    }
}
