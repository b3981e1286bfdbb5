package emit

import (
	"unicode"
	"unicode/utf8"
)

// style is how a string scalar is written.
type style uint8

const (
	plain style = iota
	single
	double
	literal
)

// NeedsQuote reports whether the string s, written as a mapping value, needs quotes
// (or a literal block) to be read back as that same string by YAML 1.1 and 1.2 readers.
func NeedsQuote(s string) bool { return chooseStyle(s, false) != plain }

// chooseStyle picks the style yaml.v3 (and so rain) would pick, except that strings a
// YAML 1.1 reader would take for something else are double-quoted as yaml.v3 does for
// the YAML 1.2 look-alikes, and that line and paragraph separators, which yaml.v3
// writes raw in single quotes where readers fold them, are escaped.
func chooseStyle(s string, key bool) style {
	if simplePlain(s) {
		if ambiguous(s) {
			return double
		}
		return plain
	}
	a := analyze(s)
	if a.newline {
		// A literal block that keeps trailing line breaks (|+) is double-quoted
		// instead: rain's blank lines between sections, applied by rain fmt to our
		// output, would otherwise become part of the value.
		if !key && a.blockOK && !keepChomp(s) {
			return literal
		}
		return double
	}
	if ambiguous(s) {
		return double
	}
	if a.plainOK {
		return plain
	}
	if a.singleOK {
		return single
	}
	return double
}

// notFirst holds the bytes that a plain scalar cannot start with (or can only in
// some contexts, left to analyze).
var notFirst = [256]bool{' ': true, '#': true, ',': true, '[': true, ']': true, '{': true, '}': true,
	'&': true, '*': true, '!': true, '|': true, '>': true, '\'': true, '"': true, '%': true, '@': true,
	'`': true, '?': true, ':': true, '-': true, '.': true}

// simplePlain is the fast path of chooseStyle: s is printable ASCII that yaml.v3
// writes plain (before looking at what it might resolve to).
func simplePlain(s string) bool {
	n := len(s)
	if n == 0 || notFirst[s[0]] || s[0] < 0x20 || s[0] >= 0x7F || s[n-1] == ' ' || s[n-1] == ':' {
		return false
	}
	for i := 1; i < n; i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7F:
			return false
		case c == '#' && s[i-1] == ' ', c == ':' && s[i+1] == ' ':
			return false
		}
	}
	return true
}

func keepChomp(s string) bool {
	n := len(s)
	return n > 0 && s[n-1] == '\n' && (n == 1 || s[n-2] == '\n')
}

type analysis struct {
	newline  bool // contains '\n', so yaml.v3 would choose a literal block
	plainOK  bool
	singleOK bool
	blockOK  bool
}

// analyze is yaml.v3's yaml_emitter_analyze_scalar for the block context, with
// every line break other than '\n' ruling out single quotes and blocks.
func analyze(s string) analysis {
	if len(s) == 0 {
		return analysis{plainOK: true, singleOK: true}
	}
	var (
		indicators, breaks, special, tabs              bool
		leadingSpace, leadingBreak, trailingSpace      bool
		trailingBreak, breakSpace, spaceBreak, newline bool
		otherBreak                                     bool
		prevSpace, prevBreak                           bool
	)
	if len(s) >= 3 && (s[:3] == "---" || s[:3] == "...") {
		indicators = true
	}
	precededByWS := true
	for i, w := 0, 0; i < len(s); i += w {
		c := s[i]
		w = width(c)
		followedByWS := i+w >= len(s) || isBlank(s[i+w])
		if i == 0 {
			switch c {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				indicators = true
			case '?', ':', '-':
				if followedByWS {
					indicators = true
				}
			}
		} else {
			switch c {
			case ':':
				if followedByWS {
					indicators = true
				}
			case '#':
				if precededByWS {
					indicators = true
				}
			}
		}
		if c == '\t' {
			tabs = true
		} else if !printable(s, i) {
			special = true
		}
		switch {
		case c == ' ':
			if i == 0 {
				leadingSpace = true
			}
			if i+w == len(s) {
				trailingSpace = true
			}
			if prevBreak {
				breakSpace = true
			}
			prevSpace, prevBreak = true, false
		case isBreak(s, i):
			breaks = true
			if c == '\n' {
				newline = true
			} else {
				otherBreak = true
			}
			if i == 0 {
				leadingBreak = true
			}
			if i+w == len(s) {
				trailingBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWS = isBlank(c) || isBreak(s, i)
	}
	a := analysis{newline: newline, plainOK: true, singleOK: true, blockOK: true}
	// Unicode spaces (no-break, ideographic...) are content to YAML, but tools that
	// trim whitespace, rain among them, eat them at the ends of a plain scalar.
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		a.plainOK = false
	}
	if leadingSpace || leadingBreak || trailingSpace || trailingBreak || breaks || indicators {
		a.plainOK = false
	}
	if trailingSpace || spaceBreak || special || otherBreak {
		a.blockOK = false
	}
	if breakSpace || spaceBreak || tabs || special || otherBreak {
		a.plainOK, a.singleOK = false, false
	}
	return a
}

// width is the length of the UTF-8 sequence that starts with byte c.
func width(c byte) int {
	switch {
	case c&0x80 == 0:
		return 1
	case c&0xE0 == 0xC0:
		return 2
	case c&0xF0 == 0xE0:
		return 3
	case c&0xF8 == 0xF0:
		return 4
	}
	return 1
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// isBreak reports a YAML 1.1 line break: LF, CR, NEL, LS or PS.
func isBreak(s string, i int) bool {
	switch s[i] {
	case '\n', '\r':
		return true
	case 0xC2:
		return i+1 < len(s) && s[i+1] == 0x85
	case 0xE2:
		return i+2 < len(s) && s[i+1] == 0x80 && (s[i+2] == 0xA8 || s[i+2] == 0xA9)
	}
	return false
}

// printable is yaml.v3's is_printable: it decides which characters are escaped in
// double quotes (all of the C0 and C1 controls, DEL, the BOM, U+FFFE, U+FFFF and, as
// in yaml.v3, everything beyond the BMP).
func printable(s string, i int) bool {
	c := s[i]
	switch {
	case c == 0x0A, c >= 0x20 && c <= 0x7E:
		return true
	case c == 0xC2:
		return i+1 < len(s) && s[i+1] >= 0xA0
	case c > 0xC2 && c < 0xED, c == 0xEE:
		return true
	case c == 0xED:
		return i+1 < len(s) && s[i+1] < 0xA0
	case c == 0xEF:
		if i+2 >= len(s) {
			return false
		}
		return !(s[i+1] == 0xBB && s[i+2] == 0xBF) && !(s[i+1] == 0xBF && (s[i+2] == 0xBE || s[i+2] == 0xBF))
	}
	return false
}

// ambiguous reports whether some YAML 1.1 or 1.2 reader (or yaml.v3, which mixes the
// two) would resolve the plain scalar s to something other than a string: a null, a
// boolean, a number in any notation, a timestamp, or a merge or value key.
func ambiguous(s string) bool {
	if s == "" {
		return true
	}
	// Only these can start a look-alike (yaml.v3 tries to resolve the same ones).
	switch c := s[0]; {
	case isDigit(c), c == '+', c == '-', c == '.', c == '~', c == '=', c == '<':
	case c == 'y', c == 'Y', c == 'n', c == 'N', c == 't', c == 'T', c == 'f', c == 'F', c == 'o', c == 'O':
		if len(s) > 5 {
			return false
		}
	default:
		return false
	}
	switch len(s) {
	case 0:
		return true
	case 1:
		switch s[0] {
		case 'y', 'Y', 'n', 'N', '~', '=':
			return true
		}
	case 2:
		if s == "<<" || equalFold(s, "no") || equalFold(s, "on") {
			return true
		}
	case 3:
		if equalFold(s, "yes") || equalFold(s, "off") {
			return true
		}
	case 4:
		if equalFold(s, "true") || equalFold(s, "null") || equalFold(s, ".inf") || equalFold(s, ".nan") {
			return true
		}
	case 5:
		if equalFold(s, "false") || equalFold(s, "+.inf") || equalFold(s, "-.inf") {
			return true
		}
	}
	if c := s[0]; !isDigit(c) && c != '+' && c != '-' && c != '.' {
		return false
	}
	if len(s) >= 5 && isDigit(s[0]) && isDigit(s[1]) && isDigit(s[2]) && isDigit(s[3]) && s[4] == '-' {
		return true // YAML 1.1 timestamps, and yaml.v3's
	}
	return numeric(s) || numeric(dropUnderscores(s))
}

// numeric reports whether s looks like an integer or float of YAML 1.1 (binary, old
// octal, hex, sexagesimal, underscores), YAML 1.2 (0o octal, exponent without a dot)
// or Go's strconv as yaml.v3 uses it, erring on the side of yes.
func numeric(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	if len(s) >= 2 && s[0] == '0' {
		switch s[1] {
		case 'x', 'X', 'o', 'O', 'b', 'B':
			for i := 2; i < len(s); i++ {
				if !isHex(s[i]) && s[i] != '_' {
					return false
				}
			}
			return true
		}
	}
	mant, exp := s, ""
	for i := 0; i < len(s); i++ {
		if s[i] == 'e' || s[i] == 'E' {
			mant, exp = s[:i], s[i+1:]
			if exp == "" {
				return false
			}
			break
		}
	}
	if mant == "" {
		return false
	}
	digits, dot := false, false
	for i := 0; i < len(mant); i++ {
		switch c := mant[i]; {
		case isDigit(c):
			digits = true
		case c == '_':
		case c == '.':
			if dot {
				return false
			}
			dot = true
		case c == ':':
			if dot {
				return false
			}
		default:
			return false
		}
	}
	// YAML 1.1 takes "._" for a float (and then fails to convert it).
	if !digits && !(mant[0] == '.' && len(mant) > 1 && exp == "") {
		return false
	}
	if exp != "" {
		if exp[0] == '+' || exp[0] == '-' {
			exp = exp[1:]
		}
		if exp == "" {
			return false
		}
		for i := 0; i < len(exp); i++ {
			if !isDigit(exp[i]) && exp[i] != '_' {
				return false
			}
		}
	}
	return true
}

func dropUnderscores(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			b := make([]byte, 0, len(s))
			for j := 0; j < len(s); j++ {
				if s[j] != '_' {
					b = append(b, s[j])
				}
			}
			return string(b)
		}
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isHex(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// equalFold compares s with the lower-case ASCII word w, ignoring case.
func equalFold(s, w string) bool {
	if len(s) != len(w) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// appendScalar appends s in the style st. indent is the indentation of the content
// lines of a literal block.
func appendScalar(b []byte, s string, st style, indent int) []byte {
	switch st {
	case plain:
		return append(b, s...)
	case single:
		b = append(b, '\'')
		for i := 0; i < len(s); i++ {
			if s[i] == '\'' {
				b = append(b, '\'')
			}
			b = append(b, s[i])
		}
		return append(b, '\'')
	case literal:
		return appendLiteral(b, s, indent)
	}
	return appendDouble(b, s)
}

// appendLiteral writes a literal block header and its content lines, but not the
// line break after the last one: the next line (or the end of the template) adds it.
func appendLiteral(b []byte, s string, indent int) []byte {
	b = append(b, '|')
	if needsIndicator(s) {
		b = append(b, '2') // the indentation indicator, relative to the parent
	}
	if s[len(s)-1] != '\n' {
		b = append(b, '-')
	} else {
		s = s[:len(s)-1] // clip: the last line's break is implied
	}
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '\n' {
			continue
		}
		b = append(b, '\n')
		if i > start {
			b = appendSpaces(b, indent)
			b = append(b, s[start:i]...)
		}
		start = i + 1
	}
	return b
}

// needsIndicator reports whether a literal block of s needs an explicit indentation:
// when its first line starts with a space or is empty (as yaml.v3 does), and when it
// starts with a tab, which yaml.v3's reader refuses while it detects the indentation.
func needsIndicator(s string) bool { return s[0] == ' ' || s[0] == '\n' || s[0] == '\t' }

func appendSpaces(b []byte, n int) []byte {
	for ; n > 0; n-- {
		b = append(b, ' ')
	}
	return b
}

const hexDigits = "0123456789ABCDEF"

// appendDouble writes s double-quoted with yaml.v3's escapes.
func appendDouble(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < 0x7F && c != '"' && c != '\\' {
			b = append(b, c)
			i++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[i:])
		if printable(s, i) && !isBreak(s, i) && c != '"' && c != '\\' {
			b = append(b, s[i:i+w]...)
			i += w
			continue
		}
		i += w
		b = append(b, '\\')
		switch r {
		case 0x00:
			b = append(b, '0')
		case 0x07:
			b = append(b, 'a')
		case 0x08:
			b = append(b, 'b')
		case 0x09:
			b = append(b, 't')
		case 0x0A:
			b = append(b, 'n')
		case 0x0B:
			b = append(b, 'v')
		case 0x0C:
			b = append(b, 'f')
		case 0x0D:
			b = append(b, 'r')
		case 0x1B:
			b = append(b, 'e')
		case '"':
			b = append(b, '"')
		case '\\':
			b = append(b, '\\')
		case 0x85:
			b = append(b, 'N')
		case 0x2028:
			b = append(b, 'L')
		case 0x2029:
			b = append(b, 'P')
		default:
			n := 8
			switch {
			case r <= 0xFF:
				b, n = append(b, 'x'), 2
			case r <= 0xFFFF:
				b, n = append(b, 'u'), 4
			default:
				b = append(b, 'U')
			}
			for k := (n - 1) * 4; k >= 0; k -= 4 {
				b = append(b, hexDigits[(r>>uint(k))&0xF])
			}
		}
	}
	return append(b, '"')
}
