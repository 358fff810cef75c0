package sweeps

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lssr/lssr"
	"github.com/lssr/lssr/internal/text"
)

// decoder walks a parsed YAML tree and turns it into typed values. It keeps
// the first error it meets and ignores everything after it (sticky error),
// so the parse code reads as a straight list of fields and a later check
// never reports a problem caused by an earlier one.
type decoder struct {
	file    string
	err     error
	lines   map[string]int // field path → line of its key, for later errors
	maxJobs int            // the job limit, Options.MaxJobs or MaxJobs
}

// failf records an error at a line and field path, unless one is already
// recorded. The message is squeezed onto one line: the CLI prints it as is.
func (d *decoder) failf(line int, path, format string, args ...any) {
	if d.err != nil {
		return
	}
	msg := oneLine(fmt.Sprintf(format, args...))
	if path == "" {
		d.err = lssr.BadInput("%s:%d: %s", d.file, line, msg)
		return
	}
	d.err = atLine(d.file, line, &lssr.FieldError{Path: oneLine(path), Msg: msg}, "")
}

// lineError is a spec error about one field, at the line of the spec file
// where the field is: "file:line: path: problem". It unwraps to the
// *lssr.FieldError, so errors.Is(err, lssr.ErrBadInput) holds and
// errors.As finds the field's path.
type lineError struct {
	msg   string
	field *lssr.FieldError
}

func (e *lineError) Error() string { return e.msg }
func (e *lineError) Unwrap() error { return e.field }

// atLine returns field's error at line of file. text is the one-line text
// of the error after "file:line: "; "" means field's own.
func atLine(file string, line int, field *lssr.FieldError, text string) error {
	if text == "" {
		text = field.Error()
	}
	return &lineError{msg: fmt.Sprintf("%s:%d: %s", file, line, text), field: field}
}

// crlf makes a CRLF one line break, as it is in a spec file, so that it
// becomes one space, not two.
var crlf = strings.NewReplacer("\r\n", "\n")

// maxMessage caps an error message, in runes. Values in messages are
// clipped one by one; this is the net under them, so that no spec, however
// hostile, floods a terminal with one "line" of a megabyte.
const maxMessage = 1000

// oneLine puts a message on one line and caps its length.
func oneLine(s string) string { return text.Clip(text.OneLine(crlf.Replace(s)), maxMessage) }

// maxShown is how many runes of a value from the spec an error quotes.
const maxShown = 40

// shown is a value from the spec as an error quotes it.
func shown(s string) string { return text.Clip(s, maxShown) }

// child and index build field paths: "dataset.n", "grid.seeds[2]".
func child(path, key string) string {
	key = shown(key)
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return fmt.Sprintf("%s[%d]", path, i) }

// describe renders a node for a "got ..." message, short and on one line.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.AliasNode:
		return "an alias"
	}
	switch tag := n.ShortTag(); tag {
	case "!!null":
		return "nothing (null)"
	case "!!str":
		return fmt.Sprintf("%q", shown(n.Value))
	case "!!int", "!!float", "!!bool":
		return shown(n.Value)
	default:
		return fmt.Sprintf("%s %q", shown(tag), shown(n.Value))
	}
}

// object is a YAML mapping whose keys have been checked against the known
// field names.
type object struct {
	d     *decoder
	path  string
	line  int // where the mapping is introduced, for "missing field" errors
	vals  map[string]*yaml.Node
	lines map[string]int // line of each key
}

// object checks that n is a mapping of known, distinct string keys. line is
// where the mapping is introduced (its key's line), used when a required
// field is missing. It returns nil after an error.
func (d *decoder) object(n *yaml.Node, path string, line int, known ...string) *object {
	if d.err != nil || n == nil {
		return nil
	}
	if n.Kind != yaml.MappingNode {
		d.failf(n.Line, path, "want a mapping with fields %s, got %s", strings.Join(known, ", "), describe(n))
		return nil
	}
	o := &object{d: d, path: path, line: line, vals: map[string]*yaml.Node{}, lines: map[string]int{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.ShortTag() != "!!str" {
			d.failf(k.Line, path, "field names must be plain words, got %s", describe(k))
			return nil
		}
		p := child(path, k.Value)
		if first, dup := o.lines[k.Value]; dup {
			d.failf(k.Line, p, "duplicate field (first given at line %d)", first)
			return nil
		}
		if !slices.Contains(known, k.Value) {
			d.failf(k.Line, p, "unknown field (known: %s)", strings.Join(known, ", "))
			return nil
		}
		o.lines[k.Value] = k.Line
		if d.lines != nil {
			d.lines[p] = k.Line
		}
		o.vals[k.Value] = v
	}
	return o
}

// get returns the value of a field, or nil when it is absent (or after an
// error).
func (o *object) get(key string) *yaml.Node {
	if o == nil || o.d.err != nil {
		return nil
	}
	return o.vals[key]
}

// need returns the value of a required field, recording an error when it is
// absent.
func (o *object) need(key string) *yaml.Node {
	if o == nil || o.d.err != nil {
		return nil
	}
	n := o.vals[key]
	if n == nil {
		o.d.failf(o.line, child(o.path, key), "missing (required)")
	}
	return n
}

// keyLine is the line of a field's key (0 when absent), where errors about
// the field as a whole point.
func (o *object) keyLine(key string) int {
	if o == nil {
		return 0
	}
	return o.lines[key]
}

// str reads a string. Numbers and booleans are not strings: quote them.
func (d *decoder) str(n *yaml.Node, path string) string {
	if d.err != nil || n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		d.failf(n.Line, path, "want a string, got %s", describe(n))
		return ""
	}
	return n.Value
}

// enum reads a string that must be one of the allowed values, as the
// allowed values' type (lssr.Loss, lssr.ModelKind, …). A method cannot take a
// type parameter, so it is a function of the decoder.
func enum[T ~string](d *decoder, n *yaml.Node, path string, allowed ...T) T {
	s := T(d.str(n, path))
	if d.err == nil && n != nil && !slices.Contains(allowed, s) {
		d.failf(n.Line, path, "must be one of %s; got %q", strings.Join(lssr.Strings(allowed), ", "), shown(string(s)))
	}
	return s
}

// boolean reads true or false (YAML 1.2: yes/no/on/off are strings).
func (d *decoder) boolean(n *yaml.Node, path string) bool {
	if d.err != nil || n == nil {
		return false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&b) != nil {
		d.failf(n.Line, path, "want true or false, got %s", describe(n))
	}
	return b
}

// integer reads an integer in [lo, hi]; the range check names the bounds.
func (d *decoder) integer(n *yaml.Node, path string, lo, hi int64) int64 {
	if d.err != nil || n == nil {
		return 0
	}
	var v int64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		if bigInteger(n) {
			d.failf(n.Line, path, "integer %s is out of range", shown(n.Value))
			return 0
		}
		d.failf(n.Line, path, "want an integer, got %s", describe(n))
		return 0
	}
	if v < lo || v > hi {
		d.failf(n.Line, path, "%s, got %d", rangeText(lo, hi), v)
	}
	return v
}

// digitsOnly is a plain decimal integer as YAML writes it.
var digitsOnly = regexp.MustCompile(`^[-+]?[0-9]+$`)

// bigInteger tells an integer the YAML library could not hold: it tags one
// beyond int64 and uint64 (2^64, say) as !!int or, past uint64, as !!float,
// and "want an integer, got 18446744073709551616" would be a puzzling answer.
func bigInteger(n *yaml.Node) bool {
	if n.Kind != yaml.ScalarNode {
		return false
	}
	// Past float64 too (309 digits), it is a plain string to the library.
	tag := n.ShortTag()
	return tag == "!!int" || (n.Style == 0 && digitsOnly.MatchString(n.Value))
}

// rangeText words an inclusive integer range for an error message.
func rangeText(lo, hi int64) string {
	if hi == math.MaxInt64 {
		return fmt.Sprintf("must be an integer ≥ %d", lo)
	}
	return fmt.Sprintf("must be an integer between %d and %d", lo, hi)
}

// uinteger reads a non-negative integer that may use the full uint64 range
// (seeds).
func (d *decoder) uinteger(n *yaml.Node, path string) uint64 {
	if d.err != nil || n == nil {
		return 0
	}
	var v uint64
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		if bigInteger(n) {
			d.failf(n.Line, path, "must be an integer between 0 and %d, got %s", uint64(math.MaxUint64), shown(n.Value))
			return 0
		}
		d.failf(n.Line, path, "want a non-negative integer, got %s", describe(n))
	}
	return v
}

// number reads a float (integers are numbers too). It does not check for
// NaN or Inf: the caller says what range makes sense.
func (d *decoder) number(n *yaml.Node, path string) float64 {
	if d.err != nil || n == nil {
		return 0
	}
	tag := n.ShortTag()
	var v float64
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil {
		// The YAML library reads a plain 1e400 as a string, since no
		// float64 holds it; say what is wrong with it instead.
		if _, err := strconv.ParseFloat(n.Value, 64); n.Kind == yaml.ScalarNode && n.Style == 0 && errors.Is(err, strconv.ErrRange) {
			d.failf(n.Line, path, "number %s is beyond the range of float64", shown(n.Value))
			return 0
		}
		d.failf(n.Line, path, "want a number, got %s", describe(n))
	}
	return v
}

// list checks that n is a YAML sequence and returns its items.
func (d *decoder) list(n *yaml.Node, path string, what string) []*yaml.Node {
	if d.err != nil || n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		d.failf(n.Line, path, "want a list of %s, got %s", what, describe(n))
		return nil
	}
	return n.Content
}

// rejectAliases fails on the first alias in the tree. Specs are small and
// written by hand, so aliases buy nothing, and refusing them rules out
// "billion laughs" expansion bombs.
func (d *decoder) rejectAliases(n *yaml.Node, path string) {
	if d.err != nil || n == nil {
		return
	}
	switch n.Kind {
	case yaml.AliasNode:
		d.failf(n.Line, path, "YAML aliases (*%s) are not supported; write the value out", shown(n.Value))
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := child(path, k.Value)
			if k.Kind != yaml.ScalarNode {
				p = path
			}
			d.rejectAliases(k, p)
			d.rejectAliases(v, p)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			d.rejectAliases(c, index(path, i))
		}
	case yaml.DocumentNode:
		for _, c := range n.Content {
			d.rejectAliases(c, path)
		}
	}
}
