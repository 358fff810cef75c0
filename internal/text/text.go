// Package text holds the small string helpers that several packages need to
// print untrusted text (error messages, values from a spec) on a terminal.
package text

// OneLine returns s with every carriage return and every line feed replaced
// by a space, so that a message prints as one line. Each is replaced on its
// own: a CRLF becomes two spaces. A byte that is not part of valid UTF-8
// becomes U+FFFD, so what is printed is always text.
func OneLine(s string) string {
	out := []rune(s)
	for i, r := range out {
		if r == '\n' || r == '\r' {
			out[i] = ' '
		}
	}
	return string(out)
}

// Clip cuts s to at most n runes, marking a cut with "…" (which makes the
// result n+1 runes long). An uncut s is returned as it is, invalid UTF-8
// included.
func Clip(s string, n int) string {
	if len(s) <= n { // bytes ≥ runes: short enough either way
		return s
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
