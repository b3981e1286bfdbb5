package ir

import (
	"fmt"
	"sort"
	"strings"
)

// Error is riglet's one diagnostic: a compile error and a lint finding are both an
// Error, printed by one printer (lint.Write) whichever command found it. Related points
// at other places that explain it (the first definition of a duplicate key, the other
// end of a cycle, the built-in block line behind a spec position).
type Error struct {
	Pos     Pos
	Msg     string
	Related []Related
	// Code is the kind of problem, so that the linter gives it a rule ID without
	// reading the message. Every compile error has one.
	Code Code
	// Rule and Severity are the lint rule that owns the finding and its severity;
	// the compiler leaves them empty, lint fills them from Code.
	Rule     string
	Severity Severity
	// Envs are the envs the problem was found in, when not all of them.
	Envs []string
	// Moved are the positions in built-in files a problem was moved from to Pos (a
	// file of the user's): a suppression comment at one of them still applies.
	Moved []Pos
	// Instance is the stack.instance path that made the resource a finding is about,
	// for instance-level ignores.
	Instance string
}

// Severity is how bad a diagnostic is.
type Severity uint8

const (
	Info Severity = iota
	Warning
	SeverityError
)

func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	}
	return "error"
}

// Message is the message, naming the envs the problem is limited to.
func (e *Error) Message() string {
	switch len(e.Envs) {
	case 0:
		return e.Msg
	case 1:
		return e.Msg + " (in env " + e.Envs[0] + ")"
	}
	return e.Msg + " (in envs " + strings.Join(e.Envs, ", ") + ")"
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

// Errorf makes an *Error of a kind.
func Errorf(code Code, p Pos, format string, args ...any) *Error {
	return &Error{Code: code, Pos: p, Msg: sprintf(format, args...)}
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
func (es *Errors) AddCode(code Code, p Pos, format string, args ...any) {
	es.Add(Errorf(code, p, format, args...))
}

// Has reports whether the list holds a problem of a kind.
func (es Errors) Has(code Code) bool {
	for _, e := range es {
		if e.Code == code {
			return true
		}
	}
	return false
}

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
		*es = append(*es, &Error{Code: CodeOther, Msg: err.Error()})
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
