package model

import (
	"math"
	"strconv"
	"strings"

	"github.com/riglet/riglet/eval"
	"github.com/riglet/riglet/ir"
)

// A parameter's constraints, as the compiler enforces them on the values it is given.

// IsDynamicRef reports a value that is a dynamic reference ({{resolve:...}}): what
// it resolves to is known only at deploy time, so the constraints cannot judge it
// here (and a NoEcho parameter's value must be one).
func IsDynamicRef(v *ir.Node) bool {
	return v.Kind == ir.String && strings.HasPrefix(strings.TrimSpace(v.Text), "{{resolve:")
}

// Check validates a value against the parameter's type and constraints; "" means valid.
// Values known only at deploy time are not checked here.
func (p *Param) Check(v *ir.Node) string {
	if !eval.IsLiteral(v) || IsDynamicRef(v) {
		return ""
	}
	v = p.Normalize(v)
	if p.IsList() {
		if v.Kind != ir.List {
			return "expects a list (" + p.Type + ")"
		}
		for _, it := range v.Items {
			if msg := p.checkScalar(it); msg != "" {
				return msg
			}
		}
		return ""
	}
	if !v.IsScalar() {
		return "expects a single value (" + p.Type + "), not a " + v.Kind.String()
	}
	return p.checkScalar(v)
}

func (p *Param) checkScalar(v *ir.Node) string {
	if !v.IsScalar() {
		return "expects single values in the list, not a " + v.Kind.String()
	}
	s := v.Text
	if len(p.AllowedValues) > 0 {
		ok := false
		for _, a := range p.AllowedValues {
			if a == s {
				ok = true
				break
			}
		}
		if !ok {
			return strconv.Quote(s) + " is not one of the allowed values " + strings.Join(quoteAll(p.AllowedValues), ", ") + p.constraint()
		}
	}
	if p.IsNumber() {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return strconv.Quote(s) + " is not a number"
		}
		if !math.IsNaN(p.MinValue) && f < p.MinValue {
			return s + " is below MinValue " + fmtNum(p.MinValue) + p.constraint()
		}
		if !math.IsNaN(p.MaxValue) && f > p.MaxValue {
			return s + " is above MaxValue " + fmtNum(p.MaxValue) + p.constraint()
		}
		return ""
	}
	n := len([]rune(s))
	if p.MinLength >= 0 && n < p.MinLength {
		return strconv.Quote(s) + " is shorter than MinLength " + strconv.Itoa(p.MinLength) + p.constraint()
	}
	if p.MaxLength >= 0 && n > p.MaxLength {
		return strconv.Quote(s) + " is longer than MaxLength " + strconv.Itoa(p.MaxLength) + p.constraint()
	}
	if p.AllowedPattern != nil {
		ok, err := p.AllowedPattern.Match(s)
		if err != nil {
			return err.Error()
		}
		if !ok {
			return strconv.Quote(s) + " does not match AllowedPattern " + p.AllowedPattern.Text + p.constraint()
		}
	}
	return ""
}

func (p *Param) constraint() string {
	if p.Constraint == "" {
		return ""
	}
	return " (" + p.Constraint + ")"
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func fmtNum(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
