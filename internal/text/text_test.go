package text

import "testing"

func TestOneLine(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", ""},
		{"plain", "plain"},
		{"a\nb", "a b"},
		{"a\rb", "a b"},
		{"a\r\nb", "a  b"},
		{"\n\n", "  "},
		{"tab\tstays", "tab\tstays"},
		{"ρ\nη", "ρ η"},
		{"bad \xff byte", "bad \uFFFD byte"},
		{"\xff\xfe", "\uFFFD\uFFFD"}, // one replacement per byte
	} {
		if got := OneLine(c.in); got != c.want {
			t.Errorf("OneLine(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestClip(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"", 3, ""},
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"ηηη", 3, "ηηη"}, // 6 bytes, 3 runes: not cut
		{"ηηηη", 3, "ηηη…"},
		{"a\xffb", 3, "a\xffb"},     // not cut: left as it is
		{"a\xffbc", 3, "a\uFFFDb…"}, // cut: decoded rune by rune
		{"abc", 0, "…"},
	} {
		if got := Clip(c.in, c.n); got != c.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}
