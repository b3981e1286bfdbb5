package source

import (
	"bytes"
	"fmt"

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
	blockScalarIndent := -1 // the parent's indent while inside a | or > scalar
	commas := 0
	pos := func(l, c int32) ir.Pos { return ir.Pos{File: file, Line: l, Col: c} }
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
				i = skipLine(data, i)
				line++
				continue
			}
			blockScalarIndent = -1
		}
		if len(flow) == 0 && data[i] != '#' {
			for len(indents) > 0 && indents[len(indents)-1] >= indent {
				indents = indents[:len(indents)-1]
			}
			indents = append(indents, indent)
			// "- - - x" and "? ? x" nest on one line.
			for i+1 < len(data) && (data[i] == '-' || data[i] == '?') && (data[i+1] == ' ' || data[i+1] == '\n') {
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
		}
		// The rest of the line: flow brackets, quotes, comments. A quote, a bracket or
		// a block scalar's | starts a token only where a value may start: a quote in
		// the middle of a plain scalar ("Bob 's") opens nothing, so it cannot hide
		// brackets that goccy would read from this scan.
		col = int32(i-lineStart) + 1
		var prev byte = ' '
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
				prev, start = c, false
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
			case (c == ':' || c == '-' || c == '?') && (next == ' ' || next == '\t' || next == '\n' || len(flow) > 0 && c == ':'):
				start = true
			case (c == '|' || c == '>') && len(flow) == 0 && start && blockHeader(data[i+1:]):
				blockScalarIndent = indent
				start = false
			default:
				start = false
			}
			prev = c
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
