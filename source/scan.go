package source

import (
	"bytes"
	"fmt"
	"sort"
	"strings"

	"github.com/riglet/riglet/ir"
)

// MaxFileSize caps one source file. goccy's cost grows faster than the input for some
// shapes (a 32 MiB scalar took 35 s and 700 MB), and no real spec, env file or block
// comes near it; the cap is in the error and in README.md (Limits on input).
const MaxFileSize = 8 << 20

// normalise makes goccy's positions the ones an editor shows: a UTF-8 byte-order mark
// is no part of the document (YAML allows one at the start), and goccy counts a line
// twice after a comment ending in CRLF, so CRLF (and a lone CR) becomes LF. Neither changes a value:
// a line break in a scalar is LF in YAML whatever the file holds.
func normalise(data []byte) []byte {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if bytes.IndexByte(data, '\r') >= 0 {
		// A lone CR is a line break too in YAML; as LF the pre-scan sees the lines
		// goccy sees.
		data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
		data = bytes.ReplaceAll(data, []byte("\r"), []byte("\n"))
	}
	return data
}

// scan is what a linear pass over the text finds before goccy parses it: the deepest
// nesting, and where an unclosed bracket or quote opened. goccy's parser costs
// quadratic time and memory in the depth of flow collections (30,000 levels of "[" took
// 46 s and 1.4 GB) long before the converter's depth check runs, so depth is refused
// here. The scan is approximate where YAML is subtle (a bracket inside a plain scalar of
// a flow collection counts): it may over-count a little, never under-count nesting that
// goccy would build, and real files stay far below MaxDepth.
type scan struct {
	tooDeep  ir.Pos // where the nesting first went past MaxDepth; Line 0 if never
	open     ir.Pos // the bracket or quote still open at the end; Line 0 if none
	openWhat string
	// tooMany is where the flow collections' separators alone passed MaxNodes: each
	// comma of a flow collection separates two values (a comma ends a plain scalar
	// there), so the file holds more values than the converter would take, and goccy
	// would spend seconds and gigabytes building them first. Line 0 if never.
	tooMany ir.Pos
	// tags are the tags, in the order of the text
	tags []tagAt
	// The colons inside plain scalars of flow collections (AWS::Region,
	// iam:PassRole, Fn::Sub as a key): YAML 1.2 reads them as text, but
	// goccy takes some for a key's colon, after a tag or in a list inside a map, and
	// then refuses the file or reads another tree. hidden is the text goccy gets,
	// with plainColon there instead; nil when the file has no such colon.
	hidden []byte
	// lines are the lines that start a node in block context (not inside a flow
	// collection, a quoted or a block scalar, and not a comment) at most maxSplitIndent
	// in: where a large file may be cut into parts that parse apart (split.go).
	lines []blockLine
	// refs: the text has an anchor or an alias, which ties one part to another.
	refs bool
}

// plainColon stands for a colon of a plain scalar in the text goccy parses. It is
// one byte, so every column stays the file's, and no YAML file may hold it (it is
// not c-printable), so Parse refuses a file that does and the converter knows each
// one for a colon.
const plainColon = '\x01'

// tagAt is a tag of the text: where its name ends, and whether it is bare, with
// nothing after it (!GetAZs before a "]", or at a line's end with the next line not
// inside it). YAML gives a bare tag an empty scalar, but goccy either fails
// ("[0, !GetAZs ]") or takes the next entry for its value, losing it from its map or
// list; so the text gets a value written out (bareFill).
type tagAt struct {
	at        int   // offset just after the tag's name
	line, col int32 // of that offset
	bare      bool
}

func prescan(file string, data []byte) scan {
	var s scan
	type opening struct {
		line, col int32
		c         byte
	}
	var flow []opening // the open flow collections
	var indents []int  // the block nodes open: their columns
	line, col := int32(1), int32(0)
	contentCol, dashCol := 0, -1 // where this line's node starts (after "- "), its last dash
	blockScalarIndent := -1      // the parent's indent while inside a | or > scalar
	commas := 0
	fid := ir.FileOf(file)
	pos := func(l, c int32) ir.Pos { return ir.Pos{File: fid, Line: l, Col: c} }
	deep := func(l, c int32) bool {
		if len(flow)+len(indents)-1 > MaxDepth && s.tooDeep.Line == 0 { // the top node is depth 0
			s.tooDeep = pos(l, c)
		}
		return s.tooDeep.Line != 0
	}
	i := 0
	for i < len(data) {
		// At a line start: indentation, block scalars, block nesting.
		lineStart := i
		indent := 0
		for i < len(data) && data[i] == ' ' {
			i++
			indent++
		}
		if i < len(data) && data[i] == '\n' || i == len(data) {
			i++
			line++
			continue
		}
		if blockScalarIndent >= 0 {
			if indent > blockScalarIndent {
				i = skipLine(data, i) + 1 // past the line break, counted once here
				line++
				continue
			}
			blockScalarIndent = -1
		}
		if len(flow) == 0 && data[i] != '#' {
			if indent <= maxSplitIndent {
				s.lines = append(s.lines, blockLine{line: line, indent: int32(indent)})
			}
			for len(indents) > 0 && indents[len(indents)-1] >= indent {
				indents = indents[:len(indents)-1]
			}
			indents = append(indents, indent)
			dashCol = -1
			// "- - - x" and "? ? x" nest on one line.
			for i+1 < len(data) && (data[i] == '-' || data[i] == '?') && (data[i+1] == ' ' || data[i+1] == '\n') {
				if data[i] == '-' {
					dashCol = i - lineStart
				}
				i++
				for i < len(data) && data[i] == ' ' {
					i++
				}
				indents = append(indents, i-lineStart)
				if deep(line, int32(i-lineStart)+1) {
					return s
				}
			}
			if deep(line, int32(indent)+1) {
				return s
			}
			contentCol = i - lineStart
		}
		// The rest of the line: flow brackets, quotes, comments. A quote, a bracket or
		// a block scalar's | starts a token only where a value may start: a quote in
		// the middle of a plain scalar ("Bob 's") opens nothing, so it cannot hide
		// brackets that goccy would read from this scan.
		col = int32(i-lineStart) + 1
		var prev byte = ' '
		var sig byte // the last character that is not a blank
		if dashCol >= 0 && len(flow) == 0 {
			sig = '-'
		}
		start := true
		for i < len(data) && data[i] != '\n' {
			c := data[i]
			next := byte('\n')
			if i+1 < len(data) {
				next = data[i+1]
			}
			switch {
			case c == ' ' || c == '\t':
			case c == '#' && (prev == ' ' || prev == '\t'):
				i = skipLine(data, i)
				continue
			case (c == '"' || c == '\'') && start:
				ol, oc := line, col
				end, nl, ok := skipQuoted(data, i)
				if !ok {
					s.open, s.openWhat = pos(ol, oc), fmt.Sprintf("the quoted string opened here (%c) is never closed", c)
					return s
				}
				if nl > 0 {
					line += int32(nl)
					lineStart = bytes.LastIndexByte(data[:end], '\n') + 1
				}
				i = end
				col = int32(i-lineStart) + 1
				prev, sig, start = c, c, false
				continue
			case (c == '[' || c == '{') && (len(flow) > 0 || start):
				flow = append(flow, opening{line, col, c})
				if deep(line, col) {
					return s
				}
				start = true
			case c == ',' && len(flow) > 0:
				start = true
				if commas++; commas > MaxNodes {
					s.tooMany = pos(line, col)
					return s
				}
			case (c == ']' || c == '}') && len(flow) > 0:
				flow = flow[:len(flow)-1]
				start = false
			case c == ':' && len(flow) > 0 && plainSafe(next) && sig != '"' && sig != '\'' && sig != ']' && sig != '}':
				// In a flow collection a colon is a key's only before a blank, a flow
				// indicator or the end, or right after a JSON-like key ("k":v); any
				// other is part of a plain scalar.
				if s.hidden == nil {
					s.hidden = bytes.Clone(data)
				}
				s.hidden[i] = plainColon
				start = false
			case (c == ':' || c == '-' || c == '?') && (next == ' ' || next == '\t' || next == '\n' || len(flow) > 0 && c == ':'):
				start = true
			case c == '!' && start:
				j := tagEnd(data, i)
				col += int32(j - i)
				s.tags = append(s.tags, tagAt{at: j, line: line, col: col,
					bare: bareTagAt(data, j, len(flow) > 0, sig, contentCol, dashCol)})
				i = j
				prev, sig = c, c // start stays: a value may start after the tag
				continue
			case (c == '|' || c == '>') && len(flow) == 0 && start && blockHeader(data[i+1:]):
				blockScalarIndent = indent
				start = false
			case (c == '&' || c == '*') && start:
				s.refs = true
				start = false
			default:
				start = false
			}
			prev = c
			if c != ' ' && c != '\t' {
				sig = c
			}
			i++
			col++
		}
		i++
		line++
	}
	if len(flow) > 0 {
		o := flow[0]
		close := byte(']')
		if o.c == '{' {
			close = '}'
		}
		s.open, s.openWhat = pos(o.line, o.col), fmt.Sprintf("the %c opened here is never closed with %c", o.c, close)
	}
	return s
}

// plainSafe reports whether c may follow a colon inside a plain scalar of a flow
// collection (YAML 1.2's ns-plain-safe-in).
func plainSafe(c byte) bool {
	switch c {
	case ' ', '\t', '\n', ',', '[', ']', '{', '}':
		return false
	}
	return true
}

// showPlainColons is the text goccy gives for a plain scalar with its colons back.
func showPlainColons(s string) string {
	return strings.ReplaceAll(s, string(rune(plainColon)), ":")
}

// tagEnd returns the offset after the tag at data[i]: flow indicators end it as
// blanks do (they are not tag characters in YAML 1.2).
func tagEnd(data []byte, i int) int {
	j := i + 1
	for j < len(data) {
		switch data[j] {
		case ' ', '\t', '\n', ',', '[', ']', '{', '}':
			return j
		}
		j++
	}
	return j
}

// bareTagAt reports whether the tag ending at data[j] has no value. In a flow
// collection the value is missing when a ",", "]" or "}" comes next; in a block, when
// the tag ends its line (bar a comment) and the next line is not inside its owner:
// not indented past the key or the "- " it follows, or (for a key) not a "- " list at
// the key's own column, which YAML lets a key's value be. prev is the indicator
// before the tag (':' after a key, '-' after a list dash).
func bareTagAt(data []byte, j int, inFlow bool, prev byte, contentCol, dashCol int) bool {
	k := j
	for k < len(data) && (data[k] == ' ' || data[k] == '\t') {
		k++
	}
	if inFlow {
		// the value may be on a later line: the next thing that is not blank or a comment
		for k < len(data) {
			switch data[k] {
			case ' ', '\t', '\n':
				k++
				continue
			case '#':
				if data[k-1] == ' ' || data[k-1] == '\t' || data[k-1] == '\n' {
					k = skipLine(data, k)
					continue
				}
			}
			break
		}
		return k == len(data) || data[k] == ',' || data[k] == ']' || data[k] == '}'
	}
	if k < len(data) && data[k] != '\n' && !(data[k] == '#' && k > j) {
		return false // the value is on the tag's line
	}
	owner, key := 0, false
	switch prev {
	case ':':
		owner, key = contentCol, true
	case '-':
		if dashCol < 0 {
			return false
		}
		owner = dashCol
	default:
		return false // a tag alone on its line: its owner is on a line before; leave it
	}
	// the next line that holds something
	for k = skipLine(data, k); k < len(data); k = skipLine(data, k) {
		k++ // past the '\n'
		ind := 0
		for k+ind < len(data) && data[k+ind] == ' ' {
			ind++
		}
		r := k + ind
		if r >= len(data) {
			return true
		}
		if data[r] == '\n' || data[r] == '#' {
			k = r
			continue
		}
		dash := data[r] == '-' && (r+1 == len(data) || data[r+1] == ' ' || data[r+1] == '\n')
		return !(ind > owner || key && ind == owner && dash)
	}
	return true
}

// blockHeader reports whether what follows | or > is a block scalar header: chomping
// and indentation indicators, then a blank, a comment or the line's end.
func blockHeader(rest []byte) bool {
	for j, c := range rest {
		switch {
		case c == '+' || c == '-' || c >= '1' && c <= '9':
		case c == ' ' || c == '\t' || c == '\n':
			return true
		default:
			return j > 0 && c == '#'
		}
	}
	return true
}

func skipLine(data []byte, i int) int {
	if j := bytes.IndexByte(data[i:], '\n'); j >= 0 {
		return i + j
	}
	return len(data)
}

// skipQuoted returns the offset after the quoted scalar at data[i], the line breaks
// inside it, and false when it never closes.
func skipQuoted(data []byte, i int) (end, lines int, ok bool) {
	q := data[i]
	for j := i + 1; j < len(data); j++ {
		switch data[j] {
		case '\n':
			lines++
		case '\\':
			if q == '"' {
				if j+1 < len(data) && data[j+1] == '\n' {
					lines++
				}
				j++
			}
		case q:
			if q == '\'' && j+1 < len(data) && data[j+1] == '\'' {
				j++ // '' is a quote inside a single-quoted string
				continue
			}
			return j + 1, lines, true
		}
	}
	return len(data), lines, false
}

// bareFill is the value written after a bare tag: YAML's escape for NUL, a
// character no YAML file may hold, so the converter knows the value for the filling.
// (An empty ” would do for YAML, but goccy then counts the columns after it one short.)
const bareFill = `"\0"`

// colFix says how goccy's columns on line differ from the file's after column col
// (the file's, 1-based): by d.
type colFix struct {
	line, col, d int32
}

// fillBare writes bareFill after every bare tag, and returns how to map goccy's
// positions back to the file's: after each tag goccy counts the columns on its line
// one short (a value after "!Ref x" is a column further right than it says), and
// after a filling the text holds len(" "+bareFill) more.
func fillBare(data []byte, tags []tagAt) ([]byte, []colFix) {
	fill := " " + bareFill
	var out []byte
	fixes := make([]colFix, 0, len(tags))
	last := 0
	for _, t := range tags {
		f := colFix{line: t.line, col: t.col, d: -1}
		if t.bare {
			if out == nil {
				out = make([]byte, 0, len(data)+len(fill)*8)
			}
			out = append(out, data[last:t.at]...)
			out = append(out, fill...)
			last = t.at
			f.d += int32(len(fill))
		}
		fixes = append(fixes, f)
	}
	if out == nil {
		return data, fixes
	}
	return append(out, data[last:]...), fixes
}

// unfix maps a position goccy gives back to the file. fixes are in file order (one
// per tag): the search starts at p's line, not at the top of the file, which made a
// template of 6,000 tags spend more time here than in goccy's scanner.
func unfix(p ir.Pos, fixes []colFix) ir.Pos {
	var cum int32
	i := sort.Search(len(fixes), func(i int) bool { return fixes[i].line >= p.Line })
	for _, f := range fixes[i:] {
		if f.line > p.Line || p.Col <= f.col+cum+f.d {
			break
		}
		cum += f.d
	}
	p.Col -= cum
	return p
}
