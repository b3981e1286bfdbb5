package ir

import (
	"fmt"
	"sort"
	"strings"
)

// Error is a problem at a source position. Related points at other places that explain
// it (the first definition of a duplicate key, the other end of a cycle).
type Error struct {
	Pos     Pos
	Msg     string
	Related []Related
	// Code is the kind of problem ("unknown-key", "missing-parameter"...), so that the
	// linter can give it a rule ID without reading the message.
	Code string
}

// Related is a secondary position of an Error.
type Related struct {
	Pos Pos
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Pos.String())
	b.WriteString(": ")
	b.WriteString(e.Msg)
	for _, r := range e.Related {
		b.WriteString("\n\t")
		b.WriteString(r.Pos.String())
		if r.Msg != "" {
			b.WriteString(": ")
			b.WriteString(r.Msg)
		}
	}
	return b.String()
}

// Errorf makes an *Error.
func Errorf(p Pos, format string, args ...any) *Error {
	return &Error{Pos: p, Msg: sprintf(format, args...)}
}

// Errors is a list of problems; as an error it prints them sorted, one per line.
type Errors []*Error

// Add appends e (nil is ignored).
func (es *Errors) Add(e *Error) {
	if e != nil {
		*es = append(*es, e)
	}
}

// AddCode appends a new Error of a kind.
func (es *Errors) AddCode(code string, p Pos, format string, args ...any) {
	e := Errorf(p, format, args...)
	e.Code = code
	es.Add(e)
}

// Addf appends a new Error.
func (es *Errors) Addf(p Pos, format string, args ...any) { es.Add(Errorf(p, format, args...)) }

// Merge appends the problems err holds: an Errors, an *Error, or any other error
// (which gets no position).
func (es *Errors) Merge(err error) {
	switch e := err.(type) {
	case nil:
	case Errors:
		*es = append(*es, e...)
	case *Error:
		*es = append(*es, e)
	default:
		*es = append(*es, &Error{Msg: err.Error()})
	}
}

// Sorted returns the list sorted by position and message, with duplicates removed.
func (es Errors) Sorted() Errors {
	out := append(Errors(nil), es...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Pos != b.Pos {
			return a.Pos.Before(b.Pos)
		}
		return a.Msg < b.Msg
	})
	w := 0
	for i, e := range out {
		if i > 0 && e.Pos == out[w-1].Pos && e.Msg == out[w-1].Msg {
			continue
		}
		out[w] = e
		w++
	}
	return out[:w]
}

// Err returns nil for an empty list, else the sorted list.
func (es Errors) Err() error {
	if len(es) == 0 {
		return nil
	}
	return es.Sorted()
}

func (es Errors) Error() string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

func sprintf(format string, args ...any) string {
	if len(args) == 0 {
		return format
	}
	return fmt.Sprintf(format, args...)
}
