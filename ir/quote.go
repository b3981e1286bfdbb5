package ir

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MaxEcho caps the user text a message repeats: a key or name of binary garbage or a
// megabyte long makes a message no one can read, and a raw control byte can move the
// terminal's cursor.
const MaxEcho = 80

// Quote is user text as a message echoes it: in double quotes, control bytes, tabs and
// invalid UTF-8 escaped (strconv.Quote's rules), cut after MaxEcho runes with "..."
// marking the cut, and "" for empty text.
func Quote(s string) string {
	if utf8.RuneCountInString(s) > MaxEcho {
		n := 0
		for i := range s {
			if n == MaxEcho {
				return strconv.Quote(s[:i]) + "..."
			}
			n++
		}
	}
	return strconv.Quote(s)
}

// Name is a name the user wrote (a block, a resource) as a message echoes it: as
// written when it is short and only printable, non-blank characters, as messages have
// always shown names; quoted by Quote otherwise, so that garbage, blanks and an empty
// name are visible as what they are.
func Name(s string) string {
	if s == "" || utf8.RuneCountInString(s) > MaxEcho || !utf8.ValidString(s) {
		return Quote(s)
	}
	for _, r := range s {
		if !unicode.IsGraphic(r) || unicode.IsSpace(r) || r == '"' {
			return Quote(s)
		}
	}
	return s
}
