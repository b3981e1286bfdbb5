package source

import (
	"bytes"
	"sync"

	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/parser"

	"github.com/riglet/riglet/ir"
)

// A large file parses in parts on every core: goccy reads about 10 MB/s, so a
// 250 KB template or the spec of a riglet of 800 services spends most of a lint or
// the head of a compile in one goroutine. The cut is where a top-level key holding
// a block mapping (Resources:, stacks:) starts its entries: each part is that key's
// line and a run of its entries, padded with empty lines to keep every line number,
// and the rest of the file (with the entries left out) is one more part. The parts
// give the same tree as the whole file, positions and all, when nothing ties one to
// another: a file with an anchor or an alias, a document marker, or any problem in
// any part is parsed whole instead, so that its problems read as they always have.

// maxSplitIndent is how far in a top-level key's entries may start for a split.
const maxSplitIndent = 8

// splitMin is the size below which a file parses whole: the parts' own cost is then
// not worth it.
const splitMin = 64 << 10

// sentinel ends every part but the last: a top-level key, dropped from the part's tree.
const (
	sentinelKey = "riglet-split-sentinel"
	sentinel    = sentinelKey + ": 0\n" // after a line break: a part ends at a line's start
)

type blockLine struct {
	line, indent int32
}

// parseSplit parses text (what goccy would get whole) in about parts parts at once,
// and reports whether it did; when it did not, nothing was reported and the caller
// parses it whole.
func parseSplit(file string, text []byte, sc *scan, fixes []colFix, parts int) (*ir.Node, bool) {
	if parts < 2 || sc.refs {
		return nil, false
	}
	// The offset of each line's start.
	offs := make([]int, 1, bytes.Count(text, []byte("\n"))+2)
	for i := 0; ; {
		j := bytes.IndexByte(text[i:], '\n')
		if j < 0 {
			break
		}
		i += j + 1
		offs = append(offs, i)
	}
	lineAt := func(l int32) []byte { // line l (1-based) without its newline
		end := len(text)
		if int(l) < len(offs) {
			end = offs[l] - 1
		}
		return text[offs[l-1]:end]
	}
	// The top-level lines: every one must be a plain key, so that no document marker,
	// directive or top-level list is cut. The key to split is the one with the most
	// bytes under it whose line holds nothing else.
	key, from, to := -1, 0, 0 // index in sc.lines of the key; its entries' range
	best := 0
	var top []int
	for i, ls := range sc.lines {
		if ls.indent == 0 {
			top = append(top, i)
		}
	}
	for n, i := range top {
		line := lineAt(sc.lines[i].line)
		if !keyLine(line) {
			return nil, false
		}
		end := len(sc.lines)
		endOff := len(text)
		if n+1 < len(top) {
			end = top[n+1]
			endOff = offs[sc.lines[end].line-1]
		}
		size := endOff - offs[sc.lines[i].line-1]
		if bareKey(line) && i+1 < end && size > best {
			key, from, to, best = i, i+1, end, size
		}
	}
	if key < 0 {
		return nil, false
	}
	// Its entries: the lines at the first one's indentation, each a plain key; any
	// line between the key and them further out means a shape not to cut.
	ci := sc.lines[from].indent
	var entries []int32 // their lines
	for _, ls := range sc.lines[from:to] {
		switch {
		case ls.indent < ci:
			return nil, false
		case ls.indent == ci:
			if !keyLine(bytes.TrimLeft(lineAt(ls.line), " ")) {
				return nil, false
			}
			entries = append(entries, ls.line)
		}
	}
	if len(entries) < 2 {
		return nil, false
	}
	keyLineNo := sc.lines[key].line
	if int(keyLineNo) >= len(offs) {
		return nil, false
	}
	start := offs[keyLineNo] // the line after the key's
	end := len(text)
	if to < len(sc.lines) {
		end = offs[sc.lines[to].line-1]
	}
	// Cut at the entry nearest each equal share of the bytes.
	cuts := []int32{keyLineNo + 1}
	for j, e, last := 1, 1, 0; j < parts && e < len(entries); j++ {
		want := start + (end-start)*j/parts
		for e < len(entries) && offs[entries[e]-1] < want {
			e++
		}
		if e > last+1 && (e == len(entries) || want-offs[entries[e-1]-1] < offs[entries[e]-1]-want) {
			e-- // the entry before the share is nearer it
		}
		if e < len(entries) {
			cuts = append(cuts, entries[e])
			last = e
			e++
		}
	}
	if len(cuts) < 2 {
		return nil, false
	}
	// Each part of the entries: as many empty lines as came before the key, the key's
	// line, and empty lines down to the part's first entry, so that every line keeps
	// its number.
	head := text[offs[keyLineNo-1]:start]
	texts := make([][]byte, 0, len(cuts)+1)
	// The rest of the file: the entries' lines emptied.
	rest := make([]byte, 0, len(text))
	rest = append(rest, text[:start]...)
	rest = append(rest, bytes.Repeat([]byte("\n"), bytes.Count(text[start:end], []byte("\n")))...)
	rest = append(rest, text[end:]...)
	texts = append(texts, rest)
	for j, c := range cuts {
		stop := end
		if j+1 < len(cuts) {
			stop = offs[cuts[j+1]-1]
		}
		b := make([]byte, 0, int(c)+len(head)+stop-offs[c-1])
		b = append(b, bytes.Repeat([]byte("\n"), int(keyLineNo-1))...)
		b = append(b, head...)
		b = append(b, bytes.Repeat([]byte("\n"), int(c-keyLineNo-1))...)
		b = append(b, text[offs[c-1]:stop]...)
		if stop < len(text) {
			// Where the file goes on, so does the part: goccy places an empty value
			// one column further right at the end of its input than before a token.
			b = append(b, sentinel...)
		}
		texts = append(texts, b)
	}
	type parsed struct {
		root  *ir.Node
		count int
		ok    bool
	}
	got := make([]parsed, len(texts))
	var wg sync.WaitGroup
	for i := range texts {
		wg.Go(func() {
			f, err := parser.ParseBytes(texts[i], 0, parser.AllowDuplicateMapKey())
			if err != nil {
				return
			}
			c := &converter{file: ir.FileOf(file), anchors: map[string]ast.Node{}, fixes: fixes}
			root, docs := c.document(f)
			got[i] = parsed{root, c.count, root != nil && docs == 1 && len(c.errs) == 0}
		})
	}
	wg.Wait()
	count := 0
	for _, g := range got {
		if !g.ok || g.root.Kind != ir.Map {
			return nil, false
		}
		count += g.count
	}
	if count > MaxNodes {
		return nil, false
	}
	// Put the parts' entries under the key in the rest.
	root := got[0].root
	var slot *ir.Pair
	name := ""
	for i := range root.Pairs {
		if root.Pairs[i].KeyPos.Line == keyLineNo {
			if slot != nil {
				return nil, false
			}
			slot, name = &root.Pairs[i], root.Pairs[i].Key
		}
	}
	if slot == nil || slot.Value.Kind != ir.Null {
		return nil, false
	}
	n := 0
	for j, g := range got[1:] {
		want := 1
		if j+1 < len(cuts) || end < len(text) {
			want = 2
		}
		if len(g.root.Pairs) != want || g.root.Pairs[0].Key != name || g.root.Pairs[0].Value.Kind != ir.Map ||
			want == 2 && g.root.Pairs[1].Key != sentinelKey {
			return nil, false
		}
		n += len(g.root.Pairs[0].Value.Pairs)
	}
	m := &ir.Node{Kind: ir.Map, Pos: got[1].root.Pairs[0].Value.Pos, Pairs: make([]ir.Pair, 0, n)}
	seen := make(map[string]bool, n)
	for _, g := range got[1:] {
		for _, p := range g.root.Pairs[0].Value.Pairs {
			if seen[p.Key] {
				return nil, false // a duplicate key across parts: the whole parse says so
			}
			seen[p.Key] = true
			m.Pairs = append(m.Pairs, p)
		}
	}
	slot.Value = m
	return root, true
}

// keyLine reports whether line (from its first non-blank) starts with a plain key and
// its colon: "Name:" or "Name: value".
func keyLine(line []byte) bool {
	if len(line) == 0 || !(line[0] >= 'a' && line[0] <= 'z' || line[0] >= 'A' && line[0] <= 'Z' || line[0] >= '0' && line[0] <= '9' || line[0] == '_') {
		return false // no "- ", "? ", quote, document marker or directive
	}
	i := 0
	for i < len(line) && keyChar(line[i]) {
		i++
	}
	return i > 0 && i < len(line) && line[i] == ':' && (i+1 == len(line) || line[i+1] == ' ')
}

// bareKey reports whether line is a plain key with nothing after its colon but blanks
// or a comment: a key whose value is on the lines below.
func bareKey(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i < 0 || !keyLine(line) {
		return false
	}
	rest := bytes.TrimLeft(line[i+1:], " ")
	return len(rest) == 0 || rest[0] == '#' && i+1 < len(line) && line[i+1] == ' '
}

func keyChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}
